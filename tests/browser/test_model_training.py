"""The model training choice in real Chromium: on through the confirmation, Escape, the keyboard and no JavaScript."""

import re

from django.conf import settings
from playwright.sync_api import expect

from audit.models import AuditEvent
from orgs.models import ModelTrainingPeriod, Organization
from tests.browser.test_keyboard import tab_to

DATA_MANAGEMENT = "/orgs/acme/settings/data-management/"


def _training_enabled(slug="acme"):
    return Organization.objects.get(slug=slug).model_training_enabled


def test_primary_owner_allows_model_training_through_the_confirmation(page, sign_in, demo):
    sign_in("primary@acme.test", demo)
    page.goto(DATA_MANAGEMENT)
    state = page.get_by_test_id("training-state")
    expect(state).to_have_text("Off")
    page.get_by_label("Allow model training", exact=True).check()
    page.get_by_role("button", name="Update model training").click()

    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("From the moment you confirm, conversations in Acme Corp may be used to train models.")
    expect(dialog).to_contain_text("Conversations from before that moment are not used.")
    expect(dialog.get_by_test_id("terms-version")).to_have_text(settings.TRAINING_TERMS_VERSION)
    expect(state).to_have_text("Off")  # nothing changed before confirming
    assert _training_enabled() is False

    dialog.get_by_role("button", name="Allow model training").click()
    expect(page).to_have_url(re.compile(r"/orgs/acme/settings/data-management/$"))
    expect(page.get_by_role("status")).to_contain_text("Model training is now on.")
    expect(state).to_have_text("On")
    expect(page.get_by_test_id("model-training-fact")).to_contain_text(f"terms version {settings.TRAINING_TERMS_VERSION}")
    period = ModelTrainingPeriod.objects.get()
    assert (period.started_by_email, period.terms_version, period.ended_at) == (
        "primary@acme.test", settings.TRAINING_TERMS_VERSION, None,
    )
    api = page.request.get("/api/v1/orgs/acme/settings").json()
    assert api["model_training_enabled"] is True and api["model_training_terms_version"] == settings.TRAINING_TERMS_VERSION

    page.goto("/orgs/acme/settings/audit-log/")
    row = page.locator('tr[data-action="settings.model_training.changed"]')
    expect(row.get_by_test_id("audit-change")).to_contain_text("Model training: Off → On")
    expect(row.get_by_test_id("audit-change")).to_contain_text(f"Terms version: {settings.TRAINING_TERMS_VERSION}")

    # Off applies at once, without a confirmation.
    page.goto(DATA_MANAGEMENT)
    page.get_by_label("Allow model training", exact=True).uncheck()
    page.get_by_role("button", name="Update model training").click()
    expect(page.get_by_role("status")).to_contain_text("Model training is now off.")
    expect(state).to_have_text("Off")
    assert ModelTrainingPeriod.objects.get().ended_at is not None


def test_escape_cancels_and_the_keyboard_alone_confirms(page, sign_in, demo):
    sign_in("admin@acme.test", demo)
    page.goto("/orgs/acme-api/settings/privacy/")
    checkbox = page.get_by_label("Allow model training", exact=True)
    update = page.get_by_role("button", name="Update model training")
    dialog = page.get_by_role("alertdialog")

    tab_to(page, checkbox)
    page.keyboard.press("Space")
    tab_to(page, update)
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("link", name="Cancel")).to_be_focused()  # the safe choice first
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(update).to_be_focused()
    expect(checkbox).not_to_be_checked()  # the box shows the choice still in force
    assert _training_enabled("acme-api") is False

    page.keyboard.press("Shift+Tab")
    expect(checkbox).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Allow model training")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Model training is now on.")
    assert _training_enabled("acme-api") is True
    assert AuditEvent.objects.filter(action="settings.model_training.changed").count() == 1


def test_without_javascript_the_server_asks_first_and_the_confirmation_works(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill("primary@acme.test")
    page.get_by_label("Password").fill(demo)
    page.get_by_role("button", name="Sign in").click()
    page.goto(DATA_MANAGEMENT)
    page.get_by_label("Allow model training", exact=True).check()
    page.get_by_role("button", name="Update model training").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_in_viewport()  # on top of the page, not below the first screen
    expect(dialog).to_contain_text(settings.TRAINING_TERMS_VERSION)
    assert _training_enabled() is False
    dialog.get_by_role("button", name="Allow model training").click()
    expect(page.get_by_test_id("training-state")).to_have_text("On")
    assert _training_enabled() is True
    context.close()


def test_an_owner_sees_the_choice_read_only_with_the_reason(page, sign_in, demo):
    sign_in("owner@acme.test", demo)
    page.goto(DATA_MANAGEMENT)
    expect(page.get_by_test_id("training-read-only-reason")).to_contain_text("Only the Primary Owner")
    expect(page.get_by_label("Allow model training", exact=True)).to_have_count(0)
    expect(page.get_by_label("Allow thumbs feedback")).to_be_visible()
