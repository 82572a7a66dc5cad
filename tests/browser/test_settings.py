"""The owners' console in real Chromium: confirmation flow, 403 page, audit log."""

import re

from playwright.sync_api import expect


def _turn_off_through_the_confirmation(page, slug, settings_page, setting_label):
    page.goto(f"/orgs/{slug}/settings/{settings_page}/")
    state = page.get_by_test_id("setting-state")
    expect(state).to_have_text("On")
    page.get_by_label(f"Allow {setting_label.lower()}").uncheck()
    page.get_by_role("button", name="Save").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Nobody in")
    expect(state).to_have_text("On")  # nothing changed before confirming
    dialog.get_by_role("button", name=f"Turn {setting_label} off").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{slug}/settings/{settings_page}/$"))
    expect(page.get_by_role("status")).to_contain_text(f"{setting_label} is now off.")
    expect(state).to_have_text("Off")


def _expect_audit_row(page, slug, action, actor_email, setting_label):
    page.goto(f"/orgs/{slug}/settings/audit-log/")
    row = page.locator(f'tr[data-action="{action}"]')
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("audit-actor")).to_have_text(actor_email)
    expect(row.get_by_test_id("audit-change")).to_have_text(f"{setting_label}: On → Off")


def test_owner_turns_thumbs_feedback_off_through_the_confirmation_and_it_stays_off(page, sign_in, demo):
    sign_in("owner@acme.test", demo)
    _turn_off_through_the_confirmation(page, "acme", "data-management", "Thumbs Feedback")
    page.reload()
    expect(page.get_by_test_id("setting-state")).to_have_text("Off")
    expect(page.get_by_label("Allow thumbs feedback")).not_to_be_checked()
    _expect_audit_row(page, "acme", "settings.thumbs_feedback.changed", "owner@acme.test", "Thumbs Feedback")


def test_cancelling_the_confirmation_leaves_thumbs_feedback_on(page, sign_in, demo):
    sign_in("owner@acme.test", demo)
    page.goto("/orgs/acme/settings/data-management/")
    page.get_by_label("Allow thumbs feedback").uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("alertdialog").get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_test_id("setting-state")).to_have_text("On")
    expect(page.get_by_label("Allow thumbs feedback")).to_be_checked()


def test_member_opening_data_management_sees_the_403_page(page, sign_in, demo):
    sign_in("member@acme.test", demo)
    response = page.goto("/orgs/acme/settings/data-management/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You can’t open this page")
    expect(page.get_by_text("Only the Primary Owner and Owners")).to_be_visible()
    # Still inside Acme Corp: its navigation stays, and the page names who can help.
    expect(page.get_by_role("navigation", name="Organization")).to_contain_text("Acme Corp")
    expect(page.get_by_test_id("who-can-help")).to_contain_text("The Primary Owner and Owners of Acme Corp")
    expect(page.get_by_role("link", name="owner@acme.test")).to_be_visible()
    expect(page.get_by_role("link", name="Back to Acme Corp")).to_be_visible()


def test_org_admin_turns_workbench_feedback_off(page, sign_in, demo):
    sign_in("admin@acme.test", demo)
    _turn_off_through_the_confirmation(page, "acme-api", "privacy", "Workbench feedback")
    page.reload()
    expect(page.get_by_test_id("setting-state")).to_have_text("Off")
    _expect_audit_row(page, "acme-api", "settings.workbench_feedback.changed", "admin@acme.test", "Workbench feedback")


def test_audit_logs_show_both_changes_with_the_actors_email(browser, live_server, sign_in, page, demo):
    sign_in("owner@acme.test", demo)
    _turn_off_through_the_confirmation(page, "acme", "data-management", "Thumbs Feedback")
    page.get_by_role("button", name="Sign out").click()
    sign_in("admin@acme.test", demo)
    _turn_off_through_the_confirmation(page, "acme-api", "privacy", "Workbench feedback")
    _expect_audit_row(page, "acme-api", "settings.workbench_feedback.changed", "admin@acme.test", "Workbench feedback")
    page.get_by_role("button", name="Sign out").click()
    sign_in("primary@acme.test", demo)
    _expect_audit_row(page, "acme", "settings.thumbs_feedback.changed", "owner@acme.test", "Thumbs Feedback")


def test_team_plan_primary_owner_sees_thumbs_feedback_read_only(page, sign_in, demo):
    sign_in("primary@acme.test", demo)
    page.goto("/orgs/acme-team/settings/data-management/")
    expect(page.get_by_test_id("read-only-reason")).to_contain_text("Enterprise plan only")
    expect(page.get_by_label("Allow thumbs feedback")).to_have_count(0)
    # Model training is the Primary Owner's to decide on every plan.
    expect(page.get_by_label("Allow model training", exact=True)).to_be_visible()


def test_audit_log_shows_times_in_the_browsers_zone_and_filters_by_label(browser, live_server, demo):
    from tests.browser.states import seed_audit_events

    seed_audit_events()
    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto("/accounts/login/")  # any page sets the time-zone cookie from the browser
    page.get_by_label("E-mail address").fill("primary@acme.test")
    page.get_by_label("Password").fill(demo)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/orgs/acme/settings/audit-log/")
    expect(page.get_by_test_id("time-zone")).to_have_text("Asia/Tokyo")
    expect(page.locator("time").first).to_contain_text("JST")
    page.get_by_label("Action").select_option(label="Primary Ownership transferred")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"action=member.primary_owner.transferred"))
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("audit-action").first).to_have_text("Primary Ownership transferred")
    expect(page.get_by_test_id("event-count")).to_have_text("2 events match the filter.")
    context.close()


def test_primary_owner_demotes_an_owner_only_after_confirming(page, sign_in, demo):
    from orgs.models import Membership

    sign_in("primary@acme.test", demo)
    page.goto("/orgs/acme/settings/members/")
    row = page.locator('tr[data-member="owner@acme.test"]')
    row.get_by_role("combobox").select_option(label="Member")
    row.get_by_role("button", name="Change role").click()

    # The question comes first on screen, and nothing has changed yet; Cancel leaves it so.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Change owner@acme.test to Member?")
    expect(heading).to_be_in_viewport()
    expect(page.get_by_text("will go from Owner to Member")).to_be_visible()
    assert Membership.objects.get(user__email="owner@acme.test", organization__slug="acme").role == "owner"
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator('tr[data-member="owner@acme.test"] [data-role]')).to_have_text("Owner")

    row.get_by_role("combobox").select_option(label="Member")
    row.get_by_role("button", name="Change role").click()
    page.get_by_role("button", name="Change to Member").click()
    expect(page.get_by_role("status")).to_contain_text("owner@acme.test is now Member.")
    expect(page.locator('tr[data-member="owner@acme.test"] [data-role]')).to_have_text("Member")
