// Thumbs buttons: open the feedback dialog, then post the report to the JSON API.
(function () {
  "use strict";
  const dialog = document.getElementById("feedback-dialog");
  const config = document.getElementById("feedback-config");
  if (!dialog || !config) return;
  const form = document.getElementById("feedback-form");
  const errorBox = document.getElementById("feedback-error");
  const thanks = document.getElementById("feedback-thanks");
  const submit = document.getElementById("feedback-submit");
  const conversation = JSON.parse(document.getElementById("conversation-data").textContent);
  const thumbs = Array.from(document.querySelectorAll("button[data-rating]"));
  // The rating sent for each message (by index), so a thumb stays pressed once its report is stored.
  const sent = {};
  let ratedIndex = null;

  // Show which thumb of a message is pressed: the rating being given or, once sent, the one sent.
  function showPressed(index, rating) {
    thumbs.filter((b) => Number(b.dataset.message) === index).forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.rating === rating));
    });
  }
  thumbs.forEach((b) => b.setAttribute("aria-pressed", "false"));

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
  }

  function describe(body, status) {
    if (body && body.error === "invalid" && Array.isArray(body.detail)) {
      return body.detail.map((d) => d.field + ": " + d.message).join("; ");
    }
    if (body && typeof body.detail === "string") return body.detail;
    return "The report could not be sent (HTTP " + status + ").";
  }

  thumbs.forEach((button) => {
    button.addEventListener("click", () => {
      ratedIndex = Number(button.dataset.message);
      showPressed(ratedIndex, button.dataset.rating);
      form.reset();
      errorBox.hidden = true;
      form.querySelector('input[name="rating"][value="' + button.dataset.rating + '"]').checked = true;
      dialog.showModal();
      document.getElementById("feedback-comment").focus();
    });
  });

  document.getElementById("feedback-cancel").addEventListener("click", () => dialog.close());
  // Closed without sending (Cancel, Escape): the message shows what was last sent for it, if anything.
  dialog.addEventListener("close", () => {
    if (ratedIndex !== null) showPressed(ratedIndex, sent[ratedIndex] || null);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const rating = form.querySelector('input[name="rating"]:checked');
    if (!rating) { showError("Choose thumbs up or thumbs down."); return; }
    submit.disabled = true;
    try {
      const response = await fetch(config.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({
          surface: config.dataset.surface,
          rating: rating.value,
          comment: document.getElementById("feedback-comment").value,
          conversation: conversation,
          message_index: ratedIndex,
        }),
      });
      const body = await response.json().catch(() => null);
      if (response.status === 201) {
        sent[ratedIndex] = rating.value;
        dialog.close();
        thanks.hidden = false;
        thanks.dataset.reportId = body.id;
      } else {
        showError(describe(body, response.status));
      }
    } catch (err) {
      showError("The report could not be sent: " + err.message);
    } finally {
      submit.disabled = false;
    }
  });
})();
