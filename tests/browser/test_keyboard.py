"""The two main flows with the keyboard alone, and the confirmation without JavaScript."""

import re

from playwright.sync_api import expect

from audit.models import AuditEvent
from orgs.models import Organization

DATA_MANAGEMENT = "/orgs/acme/settings/data-management/"


def tab_to(page, locator, limit=40):
    """Press Tab until the locator has focus, as a keyboard user would (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{locator} was not reached with Tab in {limit} presses")


def focused_text(page):
    return page.evaluate("document.activeElement && document.activeElement.textContent.trim()")


def test_owner_turns_thumbs_feedback_off_and_confirms_with_the_keyboard_alone(page, sign_in, demo):
    sign_in("owner@acme.test", demo)
    page.goto(DATA_MANAGEMENT)
    checkbox = page.get_by_label("Allow thumbs feedback")
    save = page.get_by_role("button", name="Save")
    dialog = page.get_by_role("alertdialog")

    # Escape cancels: the dialog goes, focus comes back to Save, the box shows the setting still on.
    tab_to(page, checkbox)
    page.keyboard.press("Space")
    tab_to(page, save)
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Nobody in Acme Corp")
    assert focused_text(page) == "Cancel"  # focus is in the dialog, on the safe choice
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(save).to_be_focused()
    expect(checkbox).to_be_checked()
    assert Organization.objects.get(slug="acme").thumbs_feedback_enabled is True

    # Confirming: the dialog keeps focus inside it (it is modal), Shift+Tab reaches the action.
    page.keyboard.press("Shift+Tab")
    expect(checkbox).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Shift+Tab")
    assert focused_text(page) == "Turn Thumbs Feedback off"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/settings/data-management/$"))
    expect(page.get_by_role("status")).to_contain_text("Thumbs Feedback is now off.")
    expect(page.get_by_test_id("setting-state")).to_have_text("Off")
    assert Organization.objects.get(slug="acme").thumbs_feedback_enabled is False
    assert AuditEvent.objects.filter(action="settings.thumbs_feedback.changed").count() == 1


def test_the_confirmation_on_a_phone_is_on_screen_and_focused(page, sign_in, demo):
    page.set_viewport_size({"width": 375, "height": 700})
    sign_in("owner@acme.test", demo)
    page.goto(DATA_MANAGEMENT)
    page.get_by_label("Allow thumbs feedback").uncheck()
    page.get_by_role("button", name="Save").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_in_viewport(ratio=1)
    expect(dialog.get_by_role("button", name="Turn Thumbs Feedback off")).to_be_in_viewport()
    expect(dialog.get_by_role("link", name="Cancel")).to_be_focused()


def test_without_javascript_the_confirmation_page_shows_the_question_first_and_works(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill("owner@acme.test")
    page.get_by_label("Password").fill(demo)
    page.get_by_role("button", name="Sign in").click()
    page.goto(DATA_MANAGEMENT)
    page.get_by_label("Allow thumbs feedback").uncheck()
    page.get_by_role("button", name="Save").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_in_viewport(ratio=1)  # on top of the page, not below the first screen
    assert Organization.objects.get(slug="acme").thumbs_feedback_enabled is True
    dialog.get_by_role("button", name="Turn Thumbs Feedback off").click()
    expect(page.get_by_test_id("setting-state")).to_have_text("Off")
    context.close()


def test_member_rates_a_response_with_a_comment_with_the_keyboard_alone(page, sign_in, demo):
    from feedback.models import Feedback

    sign_in("member@acme.test", demo)
    page.goto("/orgs/acme/chat/")
    last_up = page.locator('button[data-rating="up"]').last
    last_down = page.locator('button[data-rating="down"]').last
    dialog = page.get_by_role("dialog")

    tab_to(page, last_up)
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Comment")).to_be_focused()
    page.keyboard.type("The contract is already signed.")
    # Both ratings are Tab stops before the comment; switching keeps what was typed.
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Bad response")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Good response")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(dialog.get_by_role("button", name="Bad response")).to_have_attribute("aria-pressed", "true")
    expect(dialog.get_by_role("button", name="Good response")).to_have_attribute("aria-pressed", "false")
    expect(last_down).to_have_attribute("aria-pressed", "true")
    expect(dialog.get_by_label("Comment")).to_have_value("The contract is already signed.")

    # Escape and come back by the other thumb: the comment is still there.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(last_up).to_be_focused()
    page.keyboard.press("Tab")
    expect(last_down).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog.get_by_label("Comment")).to_have_value("The contract is already signed.")
    tab_to(page, dialog.get_by_role("button", name="Submit feedback"))
    page.keyboard.press("Enter")

    expect(dialog).to_be_hidden()
    status = page.locator('[data-status-for="3"]')
    expect(status).to_have_text("Thank you — your feedback was sent.")
    expect(last_down).to_be_focused()  # focus comes back to the thumb, the thanks beside it
    expect(last_down).to_have_attribute("aria-pressed", "true")
    expect(last_down).to_have_attribute("aria-disabled", "true")
    report = Feedback.objects.get(id=status.get_attribute("data-report-id"))
    assert (report.rating, report.comment, report.message_index) == ("down", "The contract is already signed.", 3)

    # One report per response per visit: pressing again sends nothing and opens nothing.
    page.keyboard.press("Enter")
    last_up.click(force=True)  # aria-disabled: Playwright would otherwise wait for it to be enabled
    expect(dialog).to_be_hidden()
    assert Feedback.objects.count() == 1


def test_closing_the_rating_dialog_never_pulls_focus_back_from_where_the_person_moved_it(page, sign_in, demo):
    """The dialog's close event comes a moment after the dialog closes: a person who has moved on by
    then (a quick Tab, or another thumb pressed) keeps their focus and their new dialog."""
    sign_in("member@acme.test", demo)
    page.goto("/orgs/acme/chat/")
    last_up = page.locator('button[data-rating="up"]').last
    last_down = page.locator('button[data-rating="down"]').last
    dialog = page.get_by_role("dialog")

    last_up.click()
    expect(dialog).to_be_visible()
    # Close and move focus in the same moment, before the close event is delivered; resolve once the
    # event has reached the page's own handler (registered first, so it runs first).
    page.evaluate(CLOSE_THEN + """
        document.querySelectorAll('button[data-rating="down"]')[1].focus();
    })""")
    expect(last_down).to_be_focused()

    # Close, and open again from the other thumb, before the close event is delivered.
    page.evaluate(CLOSE_THEN + """
        document.querySelectorAll('button[data-rating="down"]')[1].click();
    })""")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Comment")).to_be_focused()
    expect(last_down).to_have_attribute("aria-pressed", "true")


# Closes the rating dialog, runs the code that follows at once, and resolves when the close event
# has been delivered (or after a second, as Chromium drops the event of a dialog opened again).
CLOSE_THEN = """() => new Promise((delivered) => {
    const dialog = document.getElementById("feedback-dialog");
    dialog.addEventListener("close", () => delivered(), {once: true});
    setTimeout(delivered, 1000);
    dialog.close();
"""
