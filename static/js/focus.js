// Focus where the person needs it once the server has answered a form: on the error summary (or,
// without one, the first field in error) when it refused, on the message when it succeeded.
// Screen readers read what takes focus: a summary or message as a region (tabindex="-1"), a field
// with its label and its errors (aria-describedby).
(function () {
  "use strict";
  const main = document.getElementById("content");
  if (!main) return;
  // A confirmation that the server rendered open holds focus itself (confirm.js).
  if (document.querySelector("dialog[open]")) return;
  const shown = (el) => !el.closest("[hidden], dialog:not([open])");
  const first = (selector) => Array.from(main.querySelectorAll(selector)).find(shown);
  const target = first("[data-error-summary], .notice.error") || first('[aria-invalid="true"]') || first("[data-messages]");
  if (!target) return;
  if (!target.matches("input, select, textarea, button, a[href], [tabindex]")) target.setAttribute("tabindex", "-1");
  target.focus();
})();
