"""Every role of both kinds, a non-member and a signed-out visitor × every settings page × GET and POST.

Each cell asserts the exact status code. Every POST asserts its effect too: a refused POST
changes nothing and writes no audit event; an allowed one makes its change with exactly one
audit event.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from audit.models import AuditEvent
from identity.models import Invitation
from orgs import services
from orgs.models import Membership, ModelTrainingPeriod, Organization
from tests.conftest import CLAUDE_ROLES, CONSOLE_ROLES
from tests.factories import InvitationFactory

NON_MEMBER = "non-member"
SIGNED_OUT = "signed-out"

ACTORS = [("claude", role) for role in CLAUDE_ROLES + [NON_MEMBER, SIGNED_OUT]] + [
    ("console", role) for role in CONSOLE_ROLES + [NON_MEMBER, SIGNED_OUT]
]

PAGES = [
    "data-management",
    "data-management-confirm",
    "privacy",
    "privacy-confirm",
    "data-management-model-training",
    "data-management-model-training-confirm",
    "privacy-model-training",
    "privacy-model-training-confirm",
    "members",
    "invite",
    "member-role",
    "member-remove",
    "member-transfer",
    "invitation-resend",
    "invitation-revoke",
    "audit-log",
    "audit-log-csv",
    "audit-log-export",
    "api-settings",
]
METHODS = ["GET", "POST"]

# The member each member endpoint acts on, by org kind.
TARGET_ROLE = {
    "member-role": {"claude": "member", "console": "user"},
    "member-remove": {"claude": "member", "console": "user"},
    "member-transfer": {"claude": "admin", "console": "developer"},
}
NEW_ROLE = {"claude": "admin", "console": "developer"}

# Who passes each page's access check, by org kind (None: the page does not exist for that kind).
OPENS = {
    "data-management": {"claude": {"primary_owner", "owner"}, "console": None},
    "data-management-confirm": {"claude": {"primary_owner", "owner"}, "console": None},
    "privacy": {"claude": None, "console": {"admin"}},
    "privacy-confirm": {"claude": None, "console": {"admin"}},
    "data-management-model-training": {"claude": {"primary_owner", "owner"}, "console": None},
    "data-management-model-training-confirm": {"claude": {"primary_owner", "owner"}, "console": None},
    "privacy-model-training": {"claude": None, "console": {"admin"}},
    "privacy-model-training-confirm": {"claude": None, "console": {"admin"}},
    "members": {"claude": set(CLAUDE_ROLES), "console": set(CONSOLE_ROLES)},
    "invite": {"claude": {"primary_owner", "owner"}, "console": {"admin"}},
    "member-role": {"claude": {"primary_owner", "owner"}, "console": {"admin"}},
    "member-remove": {"claude": {"primary_owner", "owner"}, "console": {"admin"}},
    "member-transfer": {"claude": {"primary_owner", "owner"}, "console": {"admin"}},
    "invitation-resend": {"claude": {"primary_owner", "owner"}, "console": {"admin"}},
    "invitation-revoke": {"claude": {"primary_owner", "owner"}, "console": {"admin"}},
    "audit-log": {"claude": {"primary_owner", "owner"}, "console": {"admin"}},
    "audit-log-csv": {"claude": {"primary_owner", "owner"}, "console": {"admin"}},
    "audit-log-export": {"claude": {"primary_owner", "owner"}, "console": {"admin"}},
}
METHODS_ALLOWED = {
    "data-management": {"GET", "POST"},
    "data-management-confirm": {"POST"},
    "privacy": {"GET", "POST"},
    "privacy-confirm": {"POST"},
    "data-management-model-training": {"POST"},
    "data-management-model-training-confirm": {"POST"},
    "privacy-model-training": {"POST"},
    "privacy-model-training-confirm": {"POST"},
    "members": {"GET"},
    "invite": {"GET", "POST"},
    "member-role": {"POST"},
    "member-remove": {"POST"},
    "member-transfer": {"POST"},
    "invitation-resend": {"POST"},
    "invitation-revoke": {"POST"},
    "audit-log": {"GET"},
    "audit-log-csv": {"GET"},
    "audit-log-export": {"GET"},
}
# Those whose allowed POST really changes something (the others are refused with a message):
# only the Primary Owner transfers Primary Ownership, and console orgs have none to transfer.
POST_CHANGES = {
    "member-transfer": {"claude": {"primary_owner"}, "console": set()},
}
# Model training is the Primary Owner's alone (claude: Owners see it read-only), the Org Admins' (console).
POST_OPENS = {
    **{page: {"claude": {"primary_owner"}, "console": {"admin"}} for page in (
        "data-management-model-training", "data-management-model-training-confirm",
        "privacy-model-training", "privacy-model-training-confirm",
    )},
}


def expected(kind, role, page, method):
    """(status code, whether the request changes anything) for one cell."""
    if page == "api-settings":
        # The API answers the method first (405), then who asks; a stranger gets the 404 of no org at all.
        return (405 if method != "GET" else {SIGNED_OUT: 401, NON_MEMBER: 404}.get(role, 200)), False
    if role == SIGNED_OUT:
        return 302, False
    if role == NON_MEMBER:
        return 404, False  # pages and API alike: an org you are not in looks like no org at all
    opens = OPENS[page][kind]
    if opens is None:
        return 404, False
    if role not in opens or (method == "POST" and role not in POST_OPENS.get(page, {kind: opens})[kind]):
        return 403, False
    if method not in METHODS_ALLOWED[page]:
        return 405, False
    if method == "GET":
        # A GET of the invitations' URL (a link on a refused invitation's page) goes on to the Members page.
        return (302 if page == "invite" else 200), False
    changes = role in POST_CHANGES.get(page, {kind: opens})[kind]
    return 302, changes


CELLS = [
    pytest.param(kind, role, page, method, id=f"{kind}-{role}-{page}-{method}")
    for kind, role in ACTORS
    for page in PAGES
    for method in METHODS
]


def _state():
    orgs = list(Organization.objects.order_by("pk").values_list(
        "pk", "thumbs_feedback_enabled", "workbench_feedback_enabled", "model_training_enabled",
    ))
    members = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    invitations = list(Invitation.objects.order_by("pk").values_list("pk", "token_hash", "revoked_at"))
    periods = list(ModelTrainingPeriod.objects.order_by("pk").values_list("pk", "ended_at"))
    return orgs, members, invitations, periods, AuditEvent.objects.count()


def _request_for(page, org, members, kind):
    """URL and POST data for one page; the data is a change the page would make if allowed."""
    slug = org.slug
    if page == "api-settings":
        return f"/api/v1/orgs/{slug}/settings", {}
    if page in TARGET_ROLE:
        target = members[TARGET_ROLE[page][kind]]
        url = reverse(f"orgs:{page}", args=[slug, target.pk])
        data = {"role": NEW_ROLE[kind]} if page == "member-role" else {"confirmed": "yes"}
        return url, data
    if page.startswith("invitation-"):
        inviter = members["primary_owner" if kind == "claude" else "admin"]
        invitation = InvitationFactory(organization=org, invited_by=inviter.user, role=NEW_ROLE[kind])
        return reverse(f"identity:{page}", args=[slug, invitation.pk]), {}
    if page == "invite":
        # The Members page's invitation form posts to the invitations' own URL.
        return reverse("identity:invite", args=[slug]), {"email": "invitee@example.test", "role": NEW_ROLE[kind]}
    url = reverse(f"orgs:{page}", args=[slug])
    if page == "data-management":
        # The setting starts off, so an allowed POST turning it on changes it without a confirmation step.
        Organization.objects.filter(pk=org.pk).update(thumbs_feedback_enabled=False)
        return url, {"thumbs_feedback_enabled": "on"}
    if page == "privacy":
        Organization.objects.filter(pk=org.pk).update(workbench_feedback_enabled=False)
        return url, {"workbench_feedback_enabled": "on"}
    if page.endswith("-model-training"):
        # Model training starts on, so an allowed POST without the box turns it off at once (no confirmation).
        decider = members["primary_owner" if kind == "claude" else "admin"]
        services.set_model_training(
            actor=decider.user, organization=org, enabled=True, terms_version=settings.TRAINING_TERMS_VERSION
        )
        return url, {}
    if page.endswith("-model-training-confirm"):
        return url, {"confirmed": "yes", "terms_version": settings.TRAINING_TERMS_VERSION}
    if page.endswith("-confirm"):
        return url, {"confirmed": "yes"}
    return url, {}


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "role", "page", "method"), CELLS)
def test_permission_matrix(client, claude_members, console_members, outsider, kind, role, page, method):
    members = claude_members if kind == "claude" else console_members
    org = next(iter(members.values())).organization
    if role == NON_MEMBER:
        client.force_login(outsider)
    elif role != SIGNED_OUT:
        client.force_login(members[role].user)
    url, data = _request_for(page, org, members, kind)
    status, changes = expected(kind, role, page, method)
    before = _state()

    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == status
    if status == 302 and role == SIGNED_OUT:
        assert response["Location"].startswith("/accounts/login/?next=")
    if page == "api-settings" and status != 200:
        assert set(response.json()) == {"error", "detail"}
    after = _state()
    if changes:
        assert after[:4] != before[:4]
        assert after[4] == before[4] + 1
    else:
        assert after == before


def test_the_matrix_covers_every_actor_page_and_method():
    assert len(CELLS) == len(ACTORS) * len(PAGES) * len(METHODS) == 456
