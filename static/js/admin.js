// The staff admin's additions to Django's own scripts (a file: the CSP allows no inline script).
(function () {
  "use strict";
  // Django's filter widget (SelectFilter2, on load) puts aria-label on a bare <span> magnifier icon,
  // which ARIA allows only on an element with a role: it is an image, so it gets role="img".
  window.addEventListener("load", () => {
    document.querySelectorAll("span.search-label-icon[aria-label]:not([role])").forEach((icon) => icon.setAttribute("role", "img"));
  });
})();
