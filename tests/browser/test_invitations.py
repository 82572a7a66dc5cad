"""An invitation in real Chromium, from the Owner's form on the Members page to the new member's first page,
with the e-mail carried by a real Celery worker to a real SMTP server."""

import re

import pytest
from playwright.sync_api import expect

from tests.smtp import LINK, body

pytestmark = pytest.mark.worker


def test_an_owner_invites_by_email_and_the_invitee_joins_from_the_link(
    browser, page, sign_in, demo, live_server, settings, celery_worker_session, smtp_server
):
    settings.SITE_URL = live_server.url
    sign_in("owner@acme.test", demo)
    page.goto("/orgs/acme/settings/members/")
    page.get_by_label("E-mail address").fill("newcomer@acme.test")
    page.get_by_label("Role", exact=True).select_option(label="Admin")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to newcomer@acme.test as Admin.")
    expect(page.locator('tr[data-invitation="newcomer@acme.test"]')).to_contain_text("Admin")

    [(recipients, message)] = smtp_server.wait_for(1)
    assert recipients == ["newcomer@acme.test"]
    link = LINK.search(body(message)).group(0)
    assert link.startswith(live_server.url)

    newcomer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    newcomer.set_default_timeout(15_000)
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Join Acme Corp")
    expect(newcomer.get_by_text("owner@acme.test invited newcomer@acme.test")).to_be_visible()
    newcomer.get_by_label("Your name").fill("Nia Newcomer")
    newcomer.get_by_label("Password", exact=True).fill("short")
    newcomer.get_by_label("Password again").fill("short")
    newcomer.get_by_role("button", name="Create account and join").click()
    expect(newcomer.locator("#password1-errors")).to_contain_text("too short")
    newcomer.get_by_label("Password", exact=True).fill("a-long-pass-phrase")
    newcomer.get_by_label("Password again").fill("a-long-pass-phrase")
    newcomer.get_by_role("button", name="Create account and join").click()

    expect(newcomer).to_have_url(re.compile(r"/orgs/acme/$"))
    expect(newcomer.get_by_role("status")).to_contain_text("Welcome to Acme Corp: you joined as Admin.")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Acme Corp")
    expect(newcomer.locator(".who")).to_have_text("newcomer@acme.test")

    page.reload()
    expect(page.locator('tr[data-member="newcomer@acme.test"]')).to_contain_text("Admin")
    expect(page.locator('tr[data-invitation="newcomer@acme.test"]')).to_have_count(0)
    newcomer.goto(link)
    expect(newcomer.get_by_test_id("invitation-problem")).to_contain_text("already been used")
    newcomer.context.close()
