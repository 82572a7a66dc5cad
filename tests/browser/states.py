"""Every page and state people see, for the accessibility and phone-width tests.

Each state names who signs in (None: nobody), the URL (or a function giving it once the data is
made), the data it needs made first, the steps that bring the page into the state (a dialog open, a
confirmation shown) and any setting it is seen under. Adding a state is one line in STATES.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from api.services import create_api_key, revoke_api_key
from audit import actions
from audit.models import AuditChain
from audit.services import RequestMeta, record_audit_event, verify_audit_chains
from console.models import User
from identity import services as identity_services
from identity.models import Domain, SCIMGroup
from orgs import services
from orgs.models import Membership, Organization

OFFICE = RequestMeta(ip_address="203.0.113.24", user_agent="Mozilla/5.0")


@dataclass(frozen=True)
class State:
    who: str | None
    url: str | Callable
    status: int = 200
    setup: Callable | None = None
    step: Callable | None = None
    settings: dict = field(default_factory=dict)


def seed_audit_events():
    """A few real changes in Acme Corp, made through the services as people would make them."""
    acme = Organization.objects.get(slug="acme")
    owner = User.objects.get(email="owner@acme.test")
    primary = User.objects.get(email="primary@acme.test")
    member = Membership.objects.get(organization=acme, user__email="member@acme.test")
    services.set_feedback_setting(actor=owner, organization=acme, enabled=False, request_meta=OFFICE)
    services.set_feedback_setting(actor=primary, organization=acme, enabled=True, request_meta=OFFICE)
    services.change_member_role(actor=owner, membership=member, role="admin", request_meta=OFFICE)
    services.change_member_role(actor=primary, membership=member, role="member", request_meta=OFFICE)
    services.transfer_primary_ownership(
        actor=primary, membership=Membership.objects.get(organization=acme, user=owner), request_meta=OFFICE
    )
    services.transfer_primary_ownership(
        actor=owner, membership=Membership.objects.get(organization=acme, user=primary), request_meta=OFFICE
    )


def seed_verified_audit_events():
    """The changes, then the daily verification."""
    seed_audit_events()
    verify_audit_chains()


def seed_broken_audit_chain():
    """The changes, and a verification that found event 3 changed (as the daily task records it)."""
    seed_audit_events()
    AuditChain.objects.filter(organization__slug="acme").update(
        checked_at=timezone.now(), broken_seq=3, problem="changed: event 3 no longer matches its hash"
    )


def seed_many_audit_events(count=130):
    """Enough events in Acme Corp for several pages of the audit log."""
    seed_audit_events()
    acme = Organization.objects.get(slug="acme")
    owner = User.objects.get(email="owner@acme.test")
    with transaction.atomic():
        for i in range(count):
            record_audit_event(
                organization=acme, actor=owner, action=actions.THUMBS_FEEDBACK_CHANGED, target="organization:acme",
                old=bool(i % 2), new=not i % 2, request_meta=RequestMeta(ip_address="203.0.113.24"),
            )


def seed_api_keys():
    """Two keys of Acme Corp, one of them revoked, one used."""
    acme = Organization.objects.get(slug="acme")
    owner = User.objects.get(email="owner@acme.test")
    key, _ = create_api_key(actor=owner, organization=acme, name="SIEM export", scopes=["read"], request_meta=OFFICE)
    revoke_api_key(actor=owner, key=key, request_meta=OFFICE)
    key, _ = create_api_key(actor=owner, organization=acme, name="Provisioning", scopes=["read", "write"], request_meta=OFFICE)
    key.last_used_at, key.last_used_ip = timezone.now(), "203.0.113.24"
    key.save(update_fields=["last_used_at", "last_used_ip"])


def make_api_key(page):
    page.get_by_label("Name").fill("Nightly audit export")
    page.get_by_label("Read and write", exact=False).check()
    page.get_by_role("button", name="Make key").click()
    expect(page.get_by_label("Your new key")).to_have_value(re.compile(r"^dmc_admin_"))


def turn_off_feedback(slug):
    org = Organization.objects.get(slug=slug)
    decider = "owner@acme.test" if org.kind == "claude" else "admin@acme.test"
    services.set_feedback_setting(actor=User.objects.get(email=decider), organization=org, enabled=False, request_meta=OFFICE)


def ask_to_turn_off(label):
    def step(page):
        page.get_by_label(f"Allow {label.lower()}").uncheck()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("button", name=f"Turn {label} off")).to_be_visible()

    return step


def turned_off(label):
    def step(page):
        ask_to_turn_off(label)(page)
        page.get_by_role("button", name=f"Turn {label} off").click()
        expect(page.get_by_text(f"{label} is now off.")).to_be_visible()

    return step


def allow_model_training(slug):
    def setup():
        org = Organization.objects.get(slug=slug)
        decider = "primary@acme.test" if org.kind == "claude" else "admin@acme.test"
        services.set_model_training(
            actor=User.objects.get(email=decider), organization=org, enabled=True,
            terms_version=settings.TRAINING_TERMS_VERSION, request_meta=OFFICE,
        )

    return setup


def ask_to_allow_model_training(page):
    page.get_by_label("Allow model training", exact=True).check()
    page.get_by_role("button", name="Update model training").click()
    expect(page.get_by_role("button", name="Allow model training")).to_be_visible()


def open_rating_dialog(page):
    page.locator('button[data-rating="up"]').last.click()
    expect(page.get_by_role("dialog")).to_be_visible()


def rated(page):
    open_rating_dialog(page)
    page.get_by_label("Comment").fill("Clear and short.")
    page.get_by_role("button", name="Submit feedback").click()
    expect(page.get_by_text("Thank you")).to_be_visible()


def open_bug_dialog(page):
    page.get_by_role("button", name="Report a bug").click()
    expect(page.get_by_role("dialog", name="Report a bug")).to_be_visible()


def bug_without_description(page):
    open_bug_dialog(page)
    page.get_by_role("button", name="Send bug report").click()
    expect(page.get_by_role("alert")).to_contain_text("Describe the bug")


def bug_reported(page):
    open_bug_dialog(page)
    page.get_by_label("What went wrong?").fill("The answer says the portal ships in September; it ships in October.")
    page.get_by_role("button", name="Send bug report").click()
    expect(page.get_by_text("Thank you — your bug report was sent.")).to_be_visible()


def press_member_action(email, button):
    def step(page):
        page.locator(f'tr[data-member="{email}"]').get_by_role("button", name=button).click()
        expect(page.get_by_role("button", name="Cancel").or_(page.get_by_role("link", name="Cancel"))).to_be_visible()

    return step


def _press_change_role(page, email, role_label):
    row = page.locator(f'tr[data-member="{email}"]')
    row.get_by_role("combobox").select_option(label=role_label)
    row.get_by_role("button", name="Change role").click()


def change_role(email, role_label):
    def step(page):
        _press_change_role(page, email, role_label)
        expect(page.get_by_role("status")).to_contain_text(f"{email} is now {role_label}.")

    return step


def ask_to_demote(email, role_label):
    def step(page):
        _press_change_role(page, email, role_label)
        expect(page.get_by_role("button", name=f"Change to {role_label}")).to_be_visible()

    return step


def sign_in_failed(page):
    page.get_by_label("E-mail address").fill("owner@acme.test")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def seed_identity():
    """Acme Corp with a verified and a pending domain, an OIDC provider, a SCIM token and a group."""
    acme = Organization.objects.get(slug="acme")
    owner = User.objects.get(email="owner@acme.test")
    Domain.objects.create(organization=acme, name="acme.test", verified_at=timezone.now())
    identity_services.add_domain(actor=owner, organization=acme, name="acme-corp.example", request_meta=OFFICE)
    identity_services.configure_oidc(
        actor=owner, organization=acme, issuer="https://acme.okta.example", client_id="0oa1example",
        client_secret="example-secret", jit_role="member", request_meta=OFFICE,
    )
    identity_services.create_scim_token(actor=owner, organization=acme, name="Okta", request_meta=OFFICE)
    SCIMGroup.objects.create(organization=acme, display_name="Engineering", role="admin")


def create_scim_token(page):
    page.get_by_label("Token name").fill("Entra ID")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token")).to_be_visible()


MEMBERS = "/orgs/acme/settings/members/"
AUDIT = "/orgs/acme/settings/audit-log/"
IDENTITY = "/orgs/acme/settings/identity/"

STATES = {
    "sign-in": State(None, "/accounts/login/"),
    "sign-in-error": State(None, "/accounts/login/", step=sign_in_failed),
    "sign-in-development": State(None, "/accounts/login/", settings={"DEBUG": True}),
    "sign-out": State("member@acme.test", "/accounts/logout/"),
    "signed-out": State(None, "/accounts/logout/"),
    "home": State("member@acme.test", "/"),
    "home-staff": State("staff@acme.test", "/"),
    "overview": State("owner@acme.test", "/orgs/acme/"),
    "data-management-owner": State("owner@acme.test", "/orgs/acme/settings/data-management/"),
    "data-management-confirm": State(
        "owner@acme.test", "/orgs/acme/settings/data-management/", step=ask_to_turn_off("Thumbs Feedback")
    ),
    "data-management-turned-off": State(
        "owner@acme.test", "/orgs/acme/settings/data-management/", step=turned_off("Thumbs Feedback")
    ),
    "data-management-team-read-only": State("primary@acme.test", "/orgs/acme-team/settings/data-management/"),
    "data-management-training-off": State("primary@acme.test", "/orgs/acme/settings/data-management/"),
    "data-management-training-confirm": State(
        "primary@acme.test", "/orgs/acme/settings/data-management/", step=ask_to_allow_model_training
    ),
    "data-management-training-on": State(
        "primary@acme.test", "/orgs/acme/settings/data-management/", setup=allow_model_training("acme")
    ),
    "data-management-training-read-only": State(
        "owner@acme.test", "/orgs/acme/settings/data-management/", setup=allow_model_training("acme")
    ),
    "overview-training-on": State("member@acme.test", "/orgs/acme/", setup=allow_model_training("acme")),
    "privacy-training-on": State(
        "admin@acme.test", "/orgs/acme-api/settings/privacy/", setup=allow_model_training("acme-api")
    ),
    "privacy-org-admin": State("admin@acme.test", "/orgs/acme-api/settings/privacy/"),
    "privacy-confirm": State(
        "admin@acme.test", "/orgs/acme-api/settings/privacy/", step=ask_to_turn_off("Workbench feedback")
    ),
    "members-primary-owner": State("primary@acme.test", MEMBERS),
    "members-owner": State("owner@acme.test", MEMBERS),
    "members-admin": State("admin@acme.test", MEMBERS),
    "members-member": State("member@acme.test", MEMBERS),
    "members-org-admin": State("admin@acme.test", "/orgs/acme-api/settings/members/"),
    "members-developer": State("dev@acme.test", "/orgs/acme-api/settings/members/"),
    "members-remove-confirm": State("owner@acme.test", MEMBERS, step=press_member_action("member@acme.test", "Remove…")),
    "members-transfer-confirm": State(
        "primary@acme.test", MEMBERS, step=press_member_action("owner@acme.test", "Make Primary Owner…")
    ),
    "members-role-changed": State("owner@acme.test", MEMBERS, step=change_role("member@acme.test", "Admin")),
    "members-demotion-confirm": State("primary@acme.test", MEMBERS, step=ask_to_demote("owner@acme.test", "Member")),
    "audit-log": State("primary@acme.test", AUDIT, setup=seed_audit_events),
    "audit-log-verified": State("primary@acme.test", AUDIT, setup=seed_verified_audit_events),
    "audit-log-broken": State("primary@acme.test", AUDIT, setup=seed_broken_audit_chain),
    "audit-log-filtered": State(
        "primary@acme.test", AUDIT + "?action=member.role.changed", setup=seed_audit_events
    ),
    "audit-log-empty": State("admin@acme.test", "/orgs/acme-api/settings/audit-log/"),
    "audit-log-last-page": State("primary@acme.test", AUDIT + "?page=999", setup=seed_many_audit_events),
    "audit-log-unknown-action": State(
        "primary@acme.test", AUDIT + "?action=no.such.action", status=400, setup=seed_audit_events
    ),
    "audit-log-by-person-and-dates": State(
        "primary@acme.test", AUDIT + "?person=owner%40acme.test&date_from=2020-01-01&date_to=2099-12-31",
        setup=seed_audit_events,
    ),
    "audit-log-bad-dates": State(
        "primary@acme.test", AUDIT + "?date_from=2026-07-02&date_to=2026-07-01", status=400, setup=seed_audit_events
    ),
    "chat": State("member@acme.test", "/orgs/acme/chat/"),
    "chat-dialog-open": State("member@acme.test", "/orgs/acme/chat/", step=open_rating_dialog),
    "chat-after-submit": State("member@acme.test", "/orgs/acme/chat/", step=rated),
    "chat-bug-dialog-open": State("member@acme.test", "/orgs/acme/chat/", step=open_bug_dialog),
    "chat-bug-dialog-error": State("member@acme.test", "/orgs/acme/chat/", step=bug_without_description),
    "chat-bug-reported": State("member@acme.test", "/orgs/acme/chat/", step=bug_reported),
    "chat-feedback-off": State("member@acme.test", "/orgs/acme/chat/", setup=lambda: turn_off_feedback("acme")),
    "workbench": State("dev@acme.test", "/orgs/acme-api/workbench/"),
    "workbench-dialog-open": State("dev@acme.test", "/orgs/acme-api/workbench/", step=open_rating_dialog),
    "workbench-after-submit": State("dev@acme.test", "/orgs/acme-api/workbench/", step=rated),
    "workbench-bug-dialog-open": State("dev@acme.test", "/orgs/acme-api/workbench/", step=open_bug_dialog),
    "workbench-bug-reported": State("dev@acme.test", "/orgs/acme-api/workbench/", step=bug_reported),
    "workbench-feedback-off": State(
        "dev@acme.test", "/orgs/acme-api/workbench/", setup=lambda: turn_off_feedback("acme-api")
    ),
    "403-member": State("member@acme.test", "/orgs/acme/settings/data-management/", status=403),
    "403-admin-audit-log": State("admin@acme.test", AUDIT, status=403),
    "404": State("owner@acme.test", "/orgs/no-such-org/", status=404),
    "400-unreadable": State("owner@acme.test", "/orgs/switch/?slug=%00", status=400),
    "api-docs": State("member@acme.test", "/api/v1/docs/"),
    "identity-owner": State("owner@acme.test", IDENTITY, setup=seed_identity),
    "identity-empty": State("primary@acme.test", IDENTITY),
    "identity-new-token": State("owner@acme.test", IDENTITY, setup=seed_identity, step=create_scim_token),
    "identity-team-read-only": State("primary@acme.test", "/orgs/acme-team/settings/identity/"),
    "identity-org-admin": State("admin@acme.test", "/orgs/acme-api/settings/identity/"),
    "sso-start": State(None, "/accounts/sso/"),
    "sso-start-unknown-domain": State(None, "/accounts/sso/?email=someone%40nowhere.example", status=400),
    "api-keys": State("owner@acme.test", "/orgs/acme/settings/api-keys/", setup=seed_api_keys),
    "api-keys-empty-org-admin": State("admin@acme.test", "/orgs/acme-api/settings/api-keys/"),
    "api-keys-made": State("owner@acme.test", "/orgs/acme/settings/api-keys/", setup=seed_api_keys, step=make_api_key),
    "api-keys-bad-form": State(
        "owner@acme.test", "/orgs/acme/settings/api-keys/", step=lambda page: page.get_by_role("button", name="Make key").click()
    ),
    "403-admin-api-keys": State("admin@acme.test", "/orgs/acme/settings/api-keys/", status=403),
}


def open_state(page, sign_in, password, state, settings=None):
    """Make the state's data, sign in as its person, open its page and take its steps.

    `settings` is pytest-django's fixture, which puts back what a state changes (DEBUG on the
    development sign-in page, say) when the test ends.
    """
    if state.settings:
        assert settings is not None, "this state changes settings: pass pytest-django's settings fixture"
        for name, value in state.settings.items():
            setattr(settings, name, value)
    if state.setup:
        state.setup()
    if state.who:
        sign_in(state.who, password)
    url = state.url() if callable(state.url) else state.url
    response = page.goto(url)
    assert response.status == state.status, f"{url} answered {response.status}"
    if state.step:
        state.step(page)


from tests.browser.admin_states import admin_states  # noqa: E402 - needs State above
from tests.browser.invitation_states import invitation_states, invite  # noqa: E402

STATES.update(invitation_states(State))
# The staff admin's pages, apart from the console's own states (which other tests pick by name).
ADMIN_STATES = admin_states(State, seed_audit_events=seed_audit_events, invite=invite)
