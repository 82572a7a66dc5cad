import json

from playwright.sync_api import expect

from feedback.models import Feedback


def _api_post(page, slug, body):
    """POST from inside the signed-in page, with its CSRF cookie, as the page's own script does."""
    return page.evaluate(
        """async ([url, body]) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                                        body: JSON.stringify(body)});
            return {status: r.status, body: await r.json()};
        }""",
        [f"/api/v1/orgs/{slug}/feedback", body],
    )


def test_member_rates_a_response_with_a_comment_and_the_report_is_stored(page, sign_in, demo):
    sign_in("member@acme.test", demo)
    page.goto("/orgs/acme/chat/")
    page.locator('button[data-rating="down"]').last.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("de-linked")
    expect(dialog.get_by_role("button", name="Bad response")).to_have_attribute("aria-pressed", "true")
    dialog.get_by_label("Comment").fill("The contract is already signed.")
    dialog.get_by_role("button", name="Submit feedback").click()
    thanks = page.get_by_text("Thank you — your feedback was sent.")
    expect(thanks).to_be_visible()
    report = Feedback.objects.get(id=thanks.get_attribute("data-report-id"))
    assert (report.surface, report.rating, report.comment) == ("chat", "down", "The contract is already signed.")
    assert report.message_index == 3  # the last response, whose thumb was pressed
    expect(page.locator('button[data-rating="down"]').last).to_have_attribute("aria-pressed", "true")
    expect(page.locator('button[data-rating="up"]').last).to_have_attribute("aria-pressed", "false")
    stored = json.dumps(report.conversation)
    assert "member@acme.test" not in stored
    assert "partner portal on 14 September" not in stored  # the Google Drive document's text
    assert "LAUNCH-42" not in stored  # the Jira MCP result
    assert report.conversation["style"]["name"] == "Concise"


def test_after_the_owner_turns_feedback_off_the_member_sees_no_buttons_and_the_api_refuses(browser, live_server, page, sign_in, demo):
    sign_in("member@acme.test", demo)
    page.goto("/orgs/acme/chat/")
    expect(page.locator("[data-rating]")).to_have_count(4)

    owner_context = browser.new_context(base_url=live_server.url)
    owner = owner_context.new_page()
    owner.goto("/accounts/login/")
    owner.get_by_label("E-mail address").fill("owner@acme.test")
    owner.get_by_label("Password").fill(demo)
    owner.get_by_role("button", name="Sign in").click()
    owner.goto("/orgs/acme/settings/data-management/")
    owner.get_by_label("Allow thumbs feedback").uncheck()
    owner.get_by_role("button", name="Save").click()
    owner.get_by_role("button", name="Turn Thumbs Feedback off").click()
    expect(owner.get_by_test_id("setting-state")).to_have_text("Off")
    owner_context.close()

    page.reload()
    expect(page.locator("[data-rating]")).to_have_count(0)
    expect(page.get_by_test_id("feedback-off")).to_contain_text("turned off")
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    result = _api_post(page, "acme", {"surface": "chat", "rating": "up", "conversation": {"messages": messages}})
    assert result == {"status": 403, "body": {"error": "feedback_disabled", "detail": "Feedback is turned off for this organization."}}
    assert not Feedback.objects.exists()


def test_rating_the_first_response_sends_its_index_and_cancel_unpresses_the_thumb(page, sign_in, demo):
    sign_in("member@acme.test", demo)
    page.goto("/orgs/acme/chat/")
    first_up = page.locator('button[data-rating="up"]').first
    expect(first_up).to_have_attribute("aria-pressed", "false")

    first_up.click()
    expect(first_up).to_have_attribute("aria-pressed", "true")
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(first_up).to_have_attribute("aria-pressed", "false")

    first_up.click()
    page.get_by_role("dialog").get_by_role("button", name="Submit feedback").click()
    thanks = page.get_by_text("Thank you — your feedback was sent.")
    expect(thanks).to_be_visible()
    report = Feedback.objects.get(id=thanks.get_attribute("data-report-id"))
    assert (report.rating, report.message_index) == ("up", 1)
    assert report.conversation["messages"][1]["role"] == "assistant"
    expect(first_up).to_have_attribute("aria-pressed", "true")
    expect(page.locator('button[data-rating="down"]').first).to_have_attribute("aria-pressed", "false")
    expect(page.locator('button[data-rating="up"]').last).to_have_attribute("aria-pressed", "false")


def test_workbench_sends_the_index_of_its_response(page, sign_in, demo):
    sign_in("dev@acme.test", demo)
    page.goto("/orgs/acme-api/workbench/")
    page.locator('button[data-rating="up"]').first.click()
    page.get_by_role("dialog").get_by_role("button", name="Submit feedback").click()
    thanks = page.get_by_text("Thank you — your feedback was sent.")
    expect(thanks).to_be_visible()
    report = Feedback.objects.get(id=thanks.get_attribute("data-report-id"))
    assert (report.surface, report.message_index) == ("workbench", 1)


def test_promise_1_the_page_sends_the_conversation_only_when_a_rating_is_submitted(page, sign_in, demo):
    sign_in("member@acme.test", demo)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method != "GET" else None)
    page.goto("/orgs/acme/chat/")
    thumb = page.locator('button[data-rating="down"]').last
    dialog = page.get_by_role("dialog")

    # Opening the dialog, typing a comment, then cancelling or pressing Escape sends nothing.
    thumb.click()
    dialog.get_by_label("Comment").fill("Not what I asked.")
    dialog.get_by_role("button", name="Cancel").click()
    thumb.click()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.reload()
    assert sent == []
    assert not Feedback.objects.exists()

    thumb.click()
    dialog.get_by_role("button", name="Submit feedback").click()
    expect(page.get_by_text("Thank you — your feedback was sent.")).to_be_visible()
    assert [url.split("//", 1)[1].split("/", 1)[1] for url in sent] == ["api/v1/orgs/acme/feedback"]
    assert Feedback.objects.get().rating == "down"


def test_member_reports_a_bug_with_a_description_and_the_report_is_stored(page, sign_in, demo):
    sign_in("member@acme.test", demo)
    page.goto("/orgs/acme/chat/")
    opener = page.locator('button[data-report="bug"]')
    expect(opener).to_have_text("Report a bug")
    opener.click()
    dialog = page.get_by_role("dialog", name="Report a bug")
    expect(dialog.locator('form[data-report="bug"]')).to_be_visible()
    expect(dialog.get_by_label("What went wrong?")).to_be_focused()
    expect(dialog).to_contain_text("de-linked")

    # A blank description is refused on the page, before anything is sent.
    dialog.get_by_label("What went wrong?").fill("   ")
    dialog.get_by_role("button", name="Send bug report").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Describe the bug")
    expect(dialog.get_by_label("What went wrong?")).to_have_attribute("aria-invalid", "true")
    assert not Feedback.objects.exists()

    dialog.get_by_label("What went wrong?").fill("It says the contract is unsigned; it was signed last week.")
    dialog.get_by_role("button", name="Send bug report").click()
    thanks = page.get_by_text("Thank you — your bug report was sent.")
    expect(thanks).to_be_visible()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    report = Feedback.objects.get(id=thanks.get_attribute("data-report-id"))
    assert (report.surface, report.kind, report.rating) == ("chat", "bug", None)
    assert report.comment == "It says the contract is unsigned; it was signed last week."
    stored = json.dumps(report.conversation)
    assert "partner portal on 14 September" not in stored and "LAUNCH-42" not in stored
    assert report.conversation["messages"][0]["content"][0]["text"].startswith("Can you summarise our Q3 launch plan")


def test_a_workbench_bug_report_and_escape_closes_the_dialog_without_sending(page, sign_in, demo):
    sign_in("dev@acme.test", demo)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method != "GET" else None)
    page.goto("/orgs/acme-api/workbench/")
    page.get_by_role("button", name="Report a bug").click()
    page.get_by_label("What went wrong?").fill("Draft not sent")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Report a bug")).to_be_hidden()
    expect(page.get_by_role("button", name="Report a bug")).to_be_focused()
    assert sent == []

    page.get_by_role("button", name="Report a bug").click()
    page.get_by_label("What went wrong?").fill("The reply promises a refund policy we do not have.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send bug report")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you — your bug report was sent.")).to_be_visible()
    report = Feedback.objects.get()
    assert (report.surface, report.kind, report.rating) == ("workbench", "bug", None)


def test_while_feedback_is_off_there_is_no_bug_report_and_the_api_refuses_one(page, sign_in, demo):
    from orgs.models import Organization

    org = Organization.objects.get(slug="acme")
    org.thumbs_feedback_enabled = False
    org.save(update_fields=["thumbs_feedback_enabled"])
    sign_in("member@acme.test", demo)
    page.goto("/orgs/acme/chat/")
    expect(page.locator("[data-report]")).to_have_count(0)
    expect(page.get_by_role("button", name="Report a bug")).to_have_count(0)
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    result = _api_post(page, "acme", {"surface": "chat", "kind": "bug", "comment": "Broken.", "conversation": {"messages": messages}})
    assert result == {"status": 403, "body": {"error": "feedback_disabled", "detail": "Feedback is turned off for this organization."}}
    assert not Feedback.objects.exists()
