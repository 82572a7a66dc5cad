// Thumbs buttons: open the feedback dialog, then post the report to the JSON API.
// One report per response per page visit: once sent, that response's thumbs show what was sent.
(function () {
  "use strict";
  const dialog = document.getElementById("feedback-dialog");
  const config = document.getElementById("feedback-config");
  if (!dialog || !config) return;
  const form = document.getElementById("feedback-form");
  const errorBox = document.getElementById("feedback-error");
  const submit = document.getElementById("feedback-submit");
  const comment = document.getElementById("feedback-comment");
  const choices = Array.from(dialog.querySelectorAll("button[data-choice]"));
  const conversation = JSON.parse(document.getElementById("conversation-data").textContent);
  const thumbs = Array.from(document.querySelectorAll("button[data-rating]"));
  const THANKS = "Thank you — your feedback was sent.";
  // The rating sent for each message (by index), so a thumb stays pressed once its report is stored.
  const sent = {};
  // What a person typed for each message, kept when they switch rating or close and come back.
  const drafts = {};
  let ratedIndex = null;
  let opener = null;

  function thumbsOf(index) {
    return thumbs.filter((b) => Number(b.dataset.message) === index);
  }

  // Show which thumb of a message is pressed: the rating being given or, once sent, the one sent.
  function showPressed(index, rating) {
    thumbsOf(index).forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.rating === rating)));
  }
  thumbs.forEach((b) => b.setAttribute("aria-pressed", "false"));

  function choose(rating) {
    choices.forEach((c) => c.setAttribute("aria-pressed", String(c.dataset.choice === rating)));
    showPressed(ratedIndex, rating);
  }

  function chosen() {
    const pressed = choices.find((c) => c.getAttribute("aria-pressed") === "true");
    return pressed ? pressed.dataset.choice : null;
  }

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

  function markSent(index, rating, reportId) {
    sent[index] = rating;
    delete drafts[index];
    showPressed(index, rating);
    thumbsOf(index).forEach((b) => {
      b.setAttribute("aria-disabled", "true");
      b.classList.add("sent");
    });
    const status = document.querySelector('[data-status-for="' + index + '"]');
    status.textContent = THANKS;
    status.dataset.reportId = reportId;
  }

  thumbs.forEach((button) => {
    button.addEventListener("click", () => {
      const index = Number(button.dataset.message);
      if (index in sent) return; // already reported on this visit; the status beside it says so
      ratedIndex = index;
      opener = button;
      errorBox.hidden = true;
      comment.value = drafts[index] || "";
      choose(button.dataset.rating);
      dialog.showModal();
      comment.focus();
    });
  });

  choices.forEach((c) => c.addEventListener("click", () => choose(c.dataset.choice)));
  comment.addEventListener("input", () => { drafts[ratedIndex] = comment.value; });

  document.getElementById("feedback-cancel").addEventListener("click", () => dialog.close());
  // Closed without sending (Cancel, Escape): the message shows what was last sent for it, if anything.
  dialog.addEventListener("close", () => {
    if (dialog.open) return; // opened again before this (late) event came: it is about a past visit
    if (ratedIndex !== null) showPressed(ratedIndex, sent[ratedIndex] || null);
    // Browsers put focus back as the dialog closes; this event comes a moment later and must not
    // pull focus back from wherever the person has moved it since (a quick Tab after Escape).
    const active = document.activeElement;
    if (opener && (!active || active === document.body || dialog.contains(active))) opener.focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const rating = chosen();
    if (!rating) { showError("Choose thumbs up or thumbs down."); return; }
    submit.disabled = true;
    try {
      const response = await fetch(config.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({
          surface: config.dataset.surface,
          rating: rating,
          comment: comment.value,
          conversation: conversation,
          message_index: ratedIndex,
        }),
      });
      const body = await response.json().catch(() => null);
      if (response.status === 201) {
        markSent(ratedIndex, rating, body.id);
        dialog.close();
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
