// Confirmations as modal dialogs. Without this script the server's confirmation page works
// alone; with it, the confirmation takes focus, Escape cancels, and focus comes back.
(function () {
  "use strict";

  function follow(dialog) {
    const cancel = dialog.querySelector("[data-confirm-cancel]");
    window.location.assign(cancel.href);
  }

  // A confirmation page: the server rendered the dialog open; make it modal.
  document.querySelectorAll("dialog[data-confirm-dialog][data-open-on-load]").forEach((dialog) => {
    dialog.close();
    dialog.showModal();
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); follow(dialog); });
  });

  // A form that asks first: open its dialog instead of a round trip, when the change needs it.
  document.querySelectorAll("form[data-confirm-with]").forEach((form) => {
    const dialog = document.getElementById(form.dataset.confirmWith);
    if (!dialog) return;
    // A box that asks when it is unchecked (turning a setting off) or when it is checked (turning one on).
    const offBox = form.querySelector("[data-confirm-when-unchecked]");
    const onBox = form.querySelector("[data-confirm-when-checked]");
    const needsConfirming = () => {
      if (offBox) return !offBox.checked;
      return onBox ? onBox.checked : true;
    };
    let opener = null;

    form.addEventListener("submit", (event) => {
      if (!needsConfirming()) return;
      event.preventDefault();
      opener = event.submitter || form.querySelector("button[type=submit]");
      dialog.returnValue = "";
      dialog.showModal();
    });
    dialog.querySelector("[data-confirm-cancel]").addEventListener("click", (event) => {
      event.preventDefault();
      dialog.close("cancel");
    });
    dialog.addEventListener("close", () => {
      if (dialog.open) return; // opened again before this (late) event came
      // Cancelled (button or Escape): the form shows the value still in force, focus returns.
      if (offBox) offBox.checked = true;
      if (onBox) onBox.checked = false;
      // Browsers put focus back as the dialog closes; this event comes a moment later and must
      // not pull focus back from wherever the person has moved it since.
      const active = document.activeElement;
      if (opener && (!active || active === document.body || dialog.contains(active))) opener.focus();
    });
  });
})();
