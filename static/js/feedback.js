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

  document.querySelectorAll("button[data-rating]").forEach((button) => {
    button.addEventListener("click", () => {
      form.reset();
      errorBox.hidden = true;
      form.querySelector('input[name="rating"][value="' + button.dataset.rating + '"]').checked = true;
      dialog.showModal();
      document.getElementById("feedback-comment").focus();
    });
  });

  document.getElementById("feedback-cancel").addEventListener("click", () => dialog.close());

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
        }),
      });
      const body = await response.json().catch(() => null);
      if (response.status === 201) {
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
