"""Focus goes where the person needs it after the server answers a form, and is read out there.

A refusal puts focus on the error summary (or, with none, the first field in error, read with its
label and its error); a success puts it on the message. Without this, focus stays at the top of the
page and a screen reader says nothing.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.states import STATES, open_state

FOCUSED = """() => {
    const el = document.activeElement;
    const described = (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
        .map((id) => document.getElementById(id).textContent.trim()).join(" ");
    return {tag: el.tagName.toLowerCase(), id: el.id, role: el.getAttribute("role"), text: el.textContent.trim(), described};
}"""


def focused(page):
    return page.evaluate(FOCUSED)


@pytest.mark.parametrize(("state", "role", "text"), [
    ("sign-in-error", "alert", "Please enter a correct"),
    ("audit-log-bad-dates", "alert", "This filter cannot be applied"),
    ("invitation-join-errors", None, "This password is too short"),
])
def test_after_a_refused_form_focus_is_on_the_error(page, sign_in, demo, settings, state, role, text):
    open_state(page, sign_in, demo, STATES[state], settings)
    found = focused(page)
    if role:  # the error summary, a region a screen reader reads on focus
        assert (found["role"], text in found["text"]) == (role, True), found
    else:  # the first field in error, read with its label and the error it is described by
        assert found["tag"] == "input" and text in found["described"], found


def test_after_an_invitation_is_refused_focus_is_on_the_address_with_its_error(page, sign_in, demo, settings):
    open_state(page, sign_in, demo, STATES["members-invitation-error"], settings)
    field = page.get_by_label("E-mail address")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    assert "already a member" in focused(page)["described"]


@pytest.mark.parametrize(("state", "text"), [
    ("members-role-changed", "member@acme.test is now Admin."),
    ("members-invitation-sent", "newcomer@acme.test"),
    ("data-management-turned-off", "Thumbs Feedback is now off."),
])
def test_after_a_change_is_made_focus_is_on_the_message_that_says_so(page, sign_in, demo, settings, state, text):
    open_state(page, sign_in, demo, STATES[state], settings)
    status = page.get_by_role("status").filter(has_text=text)
    expect(status).to_be_focused()


def test_a_page_opened_without_a_form_keeps_focus_at_its_start(page, sign_in, demo, settings):
    open_state(page, sign_in, demo, STATES["members-owner"], settings)
    assert focused(page)["tag"] == "body"
