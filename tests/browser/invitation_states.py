"""The invitation pages and the Members page's invitation states, for the accessibility and phone tests."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from console.models import User
from identity.models import Invitation, hash_invitation_token
from orgs.models import Organization

TOKEN = "a11y-invitation-token-0123456789abcdefghijklmnopq"
LINK = f"/invitations/{TOKEN}/"
MEMBERS = "/orgs/acme/settings/members/"


def invite(email="newcomer@acme.test", sender="owner@acme.test", **fields):
    """An open invitation from `sender` (owner@ by default) to Acme Corp whose link is LINK."""
    def setup():
        now = timezone.now()
        sent_by = User.objects.get(email=sender)
        Invitation.objects.create(
            organization=Organization.objects.get(slug="acme"), email=email, role="admin", invited_by=sent_by,
            invited_by_email=sent_by.email, token_hash=hash_invitation_token(TOKEN), sent_at=now,
            expires_at=now + timedelta(days=7), **fields,
        )

    return setup


def submit_invitation(email, role_label="Member"):
    def step(page):
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Role", exact=True).select_option(label=role_label)
        page.get_by_role("button", name="Send invitation").click()

    return step


def shows_lapsed(page):
    """The state is what it says: the invitation is listed as lapsed, not pending."""
    expect(page.locator('[data-status="lapsed"]')).to_contain_text("Lapsed")


def short_password(page):
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create account and join").click()
    expect(page.locator("#password1-errors")).to_be_visible()


def invitation_states(State):
    """The states, built with the caller's State record."""
    return {
        "members-invitation-sent": State("owner@acme.test", MEMBERS, step=submit_invitation("newcomer@acme.test")),
        "members-invitation-error": State("owner@acme.test", MEMBERS, step=submit_invitation("member@acme.test")),
        "members-pending-invitation": State("primary@acme.test", MEMBERS, setup=invite()),
        # A Member cannot give Admin: the invitation lapsed with its sender's rights.
        "members-lapsed-invitation": State("primary@acme.test", MEMBERS, setup=invite(sender="member@acme.test"),
                                           step=shows_lapsed),
        "invitation-join": State(None, LINK, setup=invite()),
        "invitation-join-errors": State(None, LINK, setup=invite(), step=short_password),
        "invitation-sign-in-to-accept": State(None, LINK, setup=invite("dev@acme.test")),
        "invitation-accept": State("dev@acme.test", LINK, setup=invite("dev@acme.test")),
        "invitation-other-account": State("member@acme.test", LINK, status=403, setup=invite()),
        "invitation-used": State(None, LINK, status=410, setup=invite(accepted_at=timezone.now())),
        "invitation-lapsed": State(None, LINK, status=410, setup=invite(sender="member@acme.test")),
        "invitation-unknown": State(None, "/invitations/no-such-token/", status=404),
    }
