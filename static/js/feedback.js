// Thumbs buttons: open the feedback dialog, then post the report to the JSON API.
// One report per response per page visit: once sent, that response's thumbs show what was sent.
// "Report a bug": a description and the whole conversation, posted as a report of kind "bug".
(function () {
  "use strict";
  const dialog = document.getElementById("feedback-dialog");
  const config = document.getElementById("feedback-config");
  if (!dialog || !config) return;
  const conversation = JSON.parse(document.getElementById("conversation-data").textContent);

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function describe(body, status) {
    if (body && Array.isArray(body.detail)) {
      return body.detail.map((d) => d.field + ": " + d.message).join("; ");
    }
    if (body && typeof body.detail === "string") return body.detail;
    return "The report could not be sent (HTTP " + status + ").";
  }

  // POST one report; resolves to {status, body} (body null when the answer is not JSON).
  async function send(report) {
    const response = await fetch(config.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(Object.assign({ surface: config.dataset.surface, conversation: conversation }, report)),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  // Send a report from a dialog, its submit button disabled meanwhile; onSent gets the stored report's id.
  async function submitFrom(button, report, onSent, onError) {
    button.disabled = true;
    try {
      const result = await send(report);
      if (result.status === 201) onSent(result.body.id);
      else onError(describe(result.body, result.status));
    } catch (err) {
      onError("The report could not be sent: " + err.message);
    } finally {
      button.disabled = false;
    }
  }

  function setUpBugReport() {
    const opener = document.getElementById("report-bug");
    const bugDialog = document.getElementById("bug-dialog");
    if (!opener || !bugDialog) return;
    const bugForm = document.getElementById("bug-form");
    const description = document.getElementById("bug-description");
    const bugError = document.getElementById("bug-error");
    const bugSubmit = document.getElementById("bug-submit");
    const bugStatus = document.getElementById("bug-status");

    function showBugError(text) {
      bugError.textContent = text;
      bugError.hidden = false;
      description.setAttribute("aria-invalid", "true");
    }

    opener.addEventListener("click", () => {
      bugError.hidden = true;
      description.removeAttribute("aria-invalid");
      bugDialog.showModal();
      description.focus();
    });
    document.getElementById("bug-cancel").addEventListener("click", () => bugDialog.close());
    bugDialog.addEventListener("close", () => {
      if (bugDialog.open) return;
      const active = document.activeElement;
      if (!active || active === document.body || bugDialog.contains(active)) opener.focus();
    });

    bugForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!description.value.trim()) { showBugError("Describe the bug: what did you expect, and what happened?"); return; }
      await submitFrom(bugSubmit, { kind: "bug", comment: description.value }, (reportId) => {
        description.value = "";
        bugStatus.textContent = "Thank you — your bug report was sent.";
        bugStatus.dataset.reportId = reportId;
        bugDialog.close();
      }, showBugError);
    });
  }
  setUpBugReport();

  const form = document.getElementById("feedback-form");
  const errorBox = document.getElementById("feedback-error");
  const submit = document.getElementById("feedback-submit");
  const comment = document.getElementById("feedback-comment");
  const choices = Array.from(dialog.querySelectorAll("button[data-choice]"));
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

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
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
    await submitFrom(submit, { rating: rating, comment: comment.value, message_index: ratedIndex }, (reportId) => {
      markSent(ratedIndex, rating, reportId);
      dialog.close();
    }, showError);
  });
})();
