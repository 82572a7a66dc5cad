"""The page and the API refuse the same changes with the same reasons: one rule, one message, its code for machines."""

import json

import pytest
from django.utils.html import escape

from audit.models import AuditEvent
from console.addresses import ERR_EMAIL_INVALID
from identity import invitations
from orgs import permissions
from orgs.models import ERR_ALREADY_MEMBER
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acting_owner(client, claude_members, make_key):
    """The Owner signed in on the pages, and a write key the same Owner made."""
    owner = claude_members["owner"]
    client.force_login(owner.user)
    return owner, make_key(owner)


def members_url(membership, action):
    return f"/orgs/{membership.organization.slug}/settings/members/{membership.pk}/{action}/"


def api_member_url(membership):
    return f"/api/v1/orgs/{membership.organization.slug}/members/{membership.pk}"


def _api(call, method, url, key, body=None):
    return call(method, url, key=key, body=json.dumps(body) if body is not None else None)


# Each case: what the person does on the page, what the key asks of the API, the rule's message and its code.
def change_primary_owners_role(client, call, members, key):
    target = members["primary_owner"]
    page = client.post(members_url(target, "role"), {"role": "member"}, follow=True)
    return page, _api(call, "PATCH", api_member_url(target), key, {"role": "member"})


def change_own_role(client, call, members, key):
    target = members["owner"]
    page = client.post(members_url(target, "role"), {"role": "member"}, follow=True)
    return page, _api(call, "PATCH", api_member_url(target), key, {"role": "member"})


def change_a_peer_owners_role(client, call, members, key):
    peer = MembershipFactory(organization=members["owner"].organization, role="owner")
    page = client.post(members_url(peer, "role"), {"role": "member", "from_role": "owner", "confirmed": "yes"}, follow=True)
    return page, _api(call, "PATCH", api_member_url(peer), key, {"role": "member"})


def promote_to_primary_owner(client, call, members, key):
    target = members["member"]
    page = client.post(members_url(target, "role"), {"role": "primary_owner"}, follow=True)
    return page, _api(call, "PATCH", api_member_url(target), key, {"role": "primary_owner"})


def remove_the_primary_owner(client, call, members, key):
    target = members["primary_owner"]
    page = client.post(members_url(target, "remove"), {"confirmed": "yes"}, follow=True)
    return page, _api(call, "DELETE", api_member_url(target), key)


def invite_a_member(client, call, members, key):
    email = members["member"].user.email
    page = client.post("/orgs/claude-ent/settings/members/invitations/", {"email": email, "role": "member"})
    return page, _api(call, "POST", "/api/v1/orgs/claude-ent/invitations", key, {"email": email, "role": "member"})


def invite_a_primary_owner(client, call, members, key):
    body = {"email": "new@example.test", "role": "primary_owner"}
    page = client.post("/orgs/claude-ent/settings/members/invitations/", body)
    return page, _api(call, "POST", "/api/v1/orgs/claude-ent/invitations", key, body)


def invite_a_bad_address(client, call, members, key):
    body = {"email": "not an address", "role": "member"}
    page = client.post("/orgs/claude-ent/settings/members/invitations/", body)
    return page, _api(call, "POST", "/api/v1/orgs/claude-ent/invitations", key, body)


CASES = [
    (change_primary_owners_role, permissions.ERR_PRIMARY_BY_TRANSFER, 403, "primary_by_transfer"),
    (change_own_role, permissions.ERR_OWN_ROLE, 403, "own_role"),
    (change_a_peer_owners_role, permissions.ERR_ROLE_ABOVE_OWN, 403, "role_above_own"),
    (promote_to_primary_owner, permissions.ERR_PRIMARY_BY_TRANSFER, 403, "primary_by_transfer"),
    (remove_the_primary_owner, permissions.ERR_REMOVE_PRIMARY, 403, "remove_primary"),
    (invite_a_member, ERR_ALREADY_MEMBER, 409, "already_member"),
    (invite_a_primary_owner, invitations.ERR_INVITE_PRIMARY, 403, "invite_primary"),
    (invite_a_bad_address, ERR_EMAIL_INVALID, 400, "invalid"),
]


@pytest.mark.parametrize(("case", "reason", "status", "code"), CASES, ids=[case[0].__name__ for case in CASES])
def test_the_page_and_the_api_give_the_same_reason(client, call, claude_members, acting_owner, case, reason, status, code):
    _, key = acting_owner
    before = AuditEvent.objects.count()
    page, api = case(client, call, claude_members, key)
    assert escape(reason) in page.content.decode(), page.content.decode()[:2000]
    assert api.status_code == status, api.content
    body = api.json()
    assert body["error"] == code
    assert reason in (body["detail"] if isinstance(body["detail"], str) else [item["message"] for item in body["detail"]])
    assert AuditEvent.objects.count() == before


def test_a_setting_the_plan_does_not_offer_is_refused_alike(client, call, team_members, make_key):
    owner = team_members["primary_owner"]
    client.force_login(owner.user)
    reason = permissions.setting_plan_refusal(owner.organization.profile)
    page = client.post("/orgs/claude-team/settings/data-management/", {"thumbs_feedback_enabled": ""})
    api = call("PATCH", "/api/v1/orgs/claude-team/settings", key=make_key(owner), body=json.dumps({"thumbs_feedback_enabled": False}))
    assert page.status_code == 403 and escape(reason) in page.content.decode()
    assert (api.status_code, api.json()) == (403, {"error": "setting_plan", "detail": reason})


def test_the_other_kinds_setting_is_refused_by_name(call, claude_members, make_key):
    api = call("PATCH", "/api/v1/orgs/claude-ent/settings", key=make_key(claude_members["owner"]),
               body=json.dumps({"workbench_feedback_enabled": False}))
    assert (api.status_code, api.json()) == (
        400, {"error": "invalid", "detail": [{"field": "workbench_feedback_enabled", "message": permissions.ERR_WRONG_KIND}]}
    )


def test_the_last_org_admin_is_kept_alike(client, call, console_members, make_key):
    # Two Org Admins: each may remove the other, never the last one; the key acts for the one who made it.
    maker, other = console_members["admin"], MembershipFactory(organization=console_members["admin"].organization, role="admin")
    key = make_key(maker)
    assert call("DELETE", f"/api/v1/orgs/console-org/members/{other.pk}", key=key).status_code == 204
    client.force_login(maker.user)
    page = client.post(members_url(maker, "remove"), {"confirmed": "yes"}, follow=True)
    api = call("DELETE", f"/api/v1/orgs/console-org/members/{maker.pk}", key=key)
    assert escape(permissions.ERR_REMOVE_SELF) in page.content.decode()
    assert (api.status_code, api.json()) == (403, {"error": "remove_self", "detail": permissions.ERR_REMOVE_SELF})
