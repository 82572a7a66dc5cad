"""Every Admin API endpoint × {no key, bad key, revoked, expired, read, write, another org's key}."""

import json

import pytest
from django.utils import timezone

from api.keys import new_key
from audit.models import AuditEvent
from identity.models import Invitation
from orgs.models import Membership, Organization
from tests.factories import InvitationFactory, MembershipFactory, OrganizationFactory

from .conftest import READ, WRITE

pytestmark = pytest.mark.django_db


def _target(org):
    return MembershipFactory(organization=org, role="member")


def _invitation(org):
    return InvitationFactory(organization=org)


# (name, method, path, body, what the request needs made first, the status of a successful write or read)
ENDPOINTS = [
    ("get settings", "GET", "/settings", None, None, 200),
    ("change settings", "PATCH", "/settings", {"thumbs_feedback_enabled": False}, None, 200),
    ("list members", "GET", "/members", None, None, 200),
    ("change a role", "PATCH", "/members/{id}", {"role": "admin"}, _target, 200),
    ("remove a member", "DELETE", "/members/{id}", None, _target, 204),
    ("list invitations", "GET", "/invitations", None, None, 200),
    ("invite", "POST", "/invitations", {"email": "new.person@example.test", "role": "member"}, None, 201),
    ("revoke an invitation", "DELETE", "/invitations/{id}", None, _invitation, 204),
    ("list audit events", "GET", "/audit-events", None, None, 200),
    ("count reports", "GET", "/feedback/counts", None, None, 200),
]
IDS = [endpoint[0] for endpoint in ENDPOINTS]


@pytest.fixture
def owner(claude_members):
    return claude_members["owner"]


def _request(call, endpoint, claude_org, key, slug="claude-ent", made=None, bearer=False):
    _, method, path, body, make, _ = endpoint
    made = made or (make(claude_org) if make else None)
    path = path.format(id=made.pk if made else 0)
    return call(method, f"/api/v1/orgs/{slug}{path}", key=key, body=json.dumps(body) if body is not None else None,
                bearer=bearer)


def _state():
    """What a refused request must leave as it was."""
    return (
        AuditEvent.objects.count(), sorted(Membership.objects.values_list("id", "role")),
        sorted(Invitation.objects.values_list("id", "revoked_at")),
        list(Organization.objects.values_list("thumbs_feedback_enabled", flat=True)),
    )


def _is_write(endpoint):
    return endpoint[1] != "GET"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_no_key_is_401(call, claude_org, endpoint):
    response = _request(call, endpoint, claude_org, key=None)
    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_bad_revoked_and_expired_keys_are_one_and_the_same_401(call, claude_org, owner, make_key, expired_fields, endpoint):
    good = make_key(owner)
    keys = {
        "unknown": new_key(),
        "malformed": "not-a-key",
        "mistyped": good[:20] + ("A" if good[20] != "A" else "B") + good[21:],
        "revoked": make_key(owner, revoked_at=timezone.now()),
        "expired": make_key(owner, **expired_fields),
        "empty": "",
    }
    answers = {name: _request(call, endpoint, claude_org, key) for name, key in keys.items()}
    bodies = {name: (response.status_code, response.content) for name, response in answers.items()}
    assert set(bodies.values()) == {(401, answers["revoked"].content)}, bodies
    assert answers["revoked"].json()["error"] == "invalid_api_key"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_read_key_reads_and_is_refused_every_change(call, claude_org, owner, make_key, endpoint):
    key = make_key(owner, READ)
    made = endpoint[4](claude_org) if endpoint[4] else None
    before = _state()
    response = _request(call, endpoint, claude_org, key, made=made)
    if _is_write(endpoint):
        assert (response.status_code, response.json()["error"]) == (403, "insufficient_scope")
        assert _state() == before
    else:
        assert response.status_code == endpoint[5], response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("bearer", [False, True], ids=["x-api-key", "bearer"])
def test_a_write_key_does_it(call, claude_org, owner, make_key, endpoint, bearer):
    response = _request(call, endpoint, claude_org, make_key(owner, WRITE), bearer=bearer)
    assert response.status_code == endpoint[5], response.content
    if endpoint[5] == 204:
        assert response.content == b""
    else:
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_another_orgs_key_gets_the_404_of_an_unknown_org(call, claude_org, make_key, endpoint):
    elsewhere = MembershipFactory(organization=OrganizationFactory(slug="elsewhere"), role="owner")
    key = make_key(elsewhere, WRITE)
    before = _state()
    other = _request(call, endpoint, claude_org, key)
    unknown = _request(call, endpoint, claude_org, key, slug="no-such-org")
    assert (other.status_code, other.content) == (unknown.status_code, unknown.content)
    assert other.json() == {"error": "not_found", "detail": "No such organization."}
    assert _state()[0] == before[0]
