// Tell the server the browser's time zone, so times (the audit log) are shown in it, named.
(function () {
  "use strict";
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (err) { return; }
  // IANA names ("Europe/Paris") need no encoding; the server reads the cookie as it is.
  if (!/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
  const current = document.cookie.match(/(?:^|;\s*)tz=([^;]+)/);
  if (!current || current[1] !== zone) {
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
  }
})();
