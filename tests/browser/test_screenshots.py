"""Each settings page rendered in Chromium; `make screenshots` (--screenshots) also saves them as PNGs."""

import pytest
from playwright.sync_api import expect

from audit.services import RequestMeta
from console.models import User
from orgs import services
from orgs.models import Membership, Organization
from tests.browser.states import seed_identity

OFFICE = RequestMeta(ip_address="203.0.113.24", user_agent="Mozilla/5.0")


def _seed_audit_events():
    """A few real changes in Acme Corp, made through the services as people would make them."""
    acme = Organization.objects.get(slug="acme")
    owner = User.objects.get(email="owner@acme.test")
    primary = User.objects.get(email="primary@acme.test")
    member = Membership.objects.get(organization=acme, user__email="member@acme.test")
    services.set_feedback_setting(actor=owner, organization=acme, enabled=False, request_meta=OFFICE)
    services.set_feedback_setting(actor=primary, organization=acme, enabled=True, request_meta=OFFICE)
    services.change_member_role(actor=owner, membership=member, role="admin", request_meta=OFFICE)
    services.change_member_role(actor=primary, membership=member, role="member", request_meta=OFFICE)


def _open_feedback_dialog(page):
    page.locator('button[data-rating="up"]').last.click()
    expect(page.get_by_role("dialog")).to_be_visible()


def _confirm_step(page):
    page.get_by_label("Allow thumbs feedback").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()


def _make_api_key(page):
    page.get_by_label("Name").fill("Nightly audit export")
    page.get_by_role("button", name="Make key").click()


# name → (who, url, status, level-1 heading, text the page must show, extra step)
SHOTS = {
    "data-management-owner": (
        "owner@acme.test", "/orgs/acme/settings/data-management/", 200, "Data Management",
        "Inputs and outputs are not used to train models", None,
    ),
    "data-management-confirm": (
        "owner@acme.test", "/orgs/acme/settings/data-management/", 200, "Data Management",
        "Turn Thumbs Feedback off?", _confirm_step,
    ),
    "data-management-team-read-only": (
        "primary@acme.test", "/orgs/acme-team/settings/data-management/", 200, "Data Management",
        "Enterprise plan only", None,
    ),
    "privacy-org-admin": (
        "admin@acme.test", "/orgs/acme-api/settings/privacy/", 200, "Privacy", "Allow workbench feedback", None,
    ),
    "members": ("primary@acme.test", "/orgs/acme/settings/members/", 200, "Members", "owner@acme.test", None),
    "audit-log": (
        "primary@acme.test", "/orgs/acme/settings/audit-log/", 200, "Audit log", "Thumbs Feedback: On → Off",
        None,
    ),
    "chat-feedback-dialog": (
        "member@acme.test", "/orgs/acme/chat/", 200, "Chat", "de-linked from you", _open_feedback_dialog,
    ),
    "workbench": (
        "dev@acme.test", "/orgs/acme-api/workbench/", 200, "Workbench", "Zendesk (MCP server)", None,
    ),
    "identity": (
        "owner@acme.test", "/orgs/acme/settings/identity/", 200, "Identity", "dmc-verification=", None,
    ),
    "api-keys-made": (
        "owner@acme.test", "/orgs/acme/settings/api-keys/", 200, "API keys", "it is shown only once", _make_api_key,
    ),
    "403-member": (
        "member@acme.test", "/orgs/acme/settings/data-management/", 403, "You can’t open this page",
        "Only the Primary Owner and Owners", None,
    ),
    "data-management-dark": (
        "owner@acme.test", "/orgs/acme/settings/data-management/", 200, "Data Management",
        "Inputs and outputs are not used to train models", None,
    ),
    "members-phone": ("owner@acme.test", "/orgs/acme/settings/members/", 200, "Members", "Invite people", None),
}
# How a shot is seen when not in the light theme at 1280 × 900: the system's dark theme, a 320 px phone.
VIEWS = {
    "data-management-dark": {"color_scheme": "dark"},
    "members-phone": {"viewport": {"width": 320, "height": 640}},
}


@pytest.mark.parametrize("name", list(SHOTS))
def test_settings_page_renders_finished(page, sign_in, demo, screenshots_dir, name):
    who, url, status, heading, text, step = SHOTS[name]
    view = VIEWS.get(name, {})
    if "color_scheme" in view:
        page.emulate_media(color_scheme=view["color_scheme"])
    if "viewport" in view:
        page.set_viewport_size(view["viewport"])
    if name == "audit-log":
        _seed_audit_events()
    if name == "identity":
        seed_identity()
    sign_in(who, demo)
    response = page.goto(url)
    assert response.status == status
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if step:
        step(page)
    expect(page.get_by_text(text).first).to_be_visible()
    # Finished means styled: the stylesheet loaded and applied to the layout.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    if screenshots_dir is not None:
        path = screenshots_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
