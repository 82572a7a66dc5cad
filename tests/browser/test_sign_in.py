import re

from playwright.sync_api import expect


def test_owner_signs_in_and_sees_acme_corp_with_the_settings_navigation(page, sign_in, demo):
    sign_in("owner@acme.test", demo)
    expect(page.get_by_role("heading", name="Your organizations")).to_be_visible()
    page.get_by_role("link", name=re.compile("Acme Corp")).click()
    expect(page.get_by_role("heading", level=1, name="Acme Corp")).to_be_visible()
    nav = page.get_by_test_id("settings-nav")
    expect(nav.get_by_role("link")).to_have_text(["Data Management", "Members", "Audit log", "Identity", "API keys"])
    nav.get_by_role("link", name="Members").click()
    expect(page.get_by_role("cell", name="primary@acme.test")).to_be_visible()
