"""One registry of audit actions: every code a label, a shape its values must fit, and words for those values."""

import pytest

from audit import actions
from audit.actions import ACTIONS, action_label, describe_changes, group_choices
from audit.presentation import target_words
from tests.factories import ConsoleOrganizationFactory, OrganizationFactory


def test_labels_are_distinct_so_the_filter_can_tell_them_apart():
    labels = [a.label for a in ACTIONS.values()]
    assert len(set(labels)) == len(labels)


def test_every_action_belongs_to_a_group_the_staff_filter_offers():
    groups = dict(group_choices())
    assert {f"{a.group}." for a in ACTIONS.values()} <= set(groups)


def test_an_unknown_code_is_shown_as_stored_rather_than_hidden():
    assert action_label("future.thing") == "future.thing"


@pytest.mark.parametrize(("action", "old", "new"), [
    (actions.THUMBS_FEEDBACK_CHANGED, "on", "off"),
    (actions.MEMBER_INVITED, None, {"email": "new@acme.test", "role": "member"}),
    (actions.ROLE_CHANGED, None, None),
    (actions.ORG_CREATED, None, {"owner": "x"}),
    (actions.PRIMARY_OWNER_TRANSFERRED, "owner", "member"),
])
def test_values_of_another_shape_are_refused(action, old, new):
    with pytest.raises(ValueError, match=action.code):
        action.check_values(old, new)


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "action", "old", "new", "words"), [
    ("claude", "member.role.changed", "member", "owner", ["Role: Member → Owner"]),
    ("console", "member.role.changed", "developer", "admin", ["Role: Developer → Org Admin"]),
    ("claude", "org.created", None, {"name": "Acme", "slug": "acme", "kind": "claude", "plan": "enterprise"},
     ["Name: Acme", "Address (slug): acme", "Kind: Claude for Work", "Plan: Enterprise"]),
    ("claude", "no.longer.registered", {"x": "y"}, None, ["x: y → —"]),
    ("claude", "identity.domain.verified", False, True, ["Verified: No → Yes"]),
    ("claude", "identity.domain.removed", {"domain": "a.test", "verified": False}, None, ["Domain: a.test", "Verified: No"]),
    ("claude", "identity.sso.configured", {"protocol": "oidc", "idp_entity_id": ""}, {"protocol": "saml", "idp_entity_id": "urn:x"},
     ["Protocol: OpenID Connect → SAML 2.0", "IdP entity ID: urn:x"]),
    ("console", "api_key.created", None, {"name": "CI", "scopes": ["read", "write"], "expires_at": "2027-01-02T03:04:05+02:00"},
     ["Name: CI", "Scopes: Read, Write", "Expires: 2 Jan 2027, 01:04 UTC"]),
    ("console", "api_key.revoked", {"name": "CI", "scopes": ["read"], "expires_at": None}, None,
     ["Name: CI", "Scopes: Read", "Expires: never"]),
])
def test_values_read_in_words_by_the_organizations_kind(kind, action, old, new, words):
    org = OrganizationFactory() if kind == "claude" else ConsoleOrganizationFactory()
    assert [str(c) for c in describe_changes(org, action, old, new)] == words


def test_targets_read_without_their_codes():
    assert target_words("member:ada@acme.test") == "ada@acme.test"
    assert target_words("organization:acme") == "The organization"
    assert target_words("") == ""
    assert target_words("domain:example.com") == "example.com"
    assert target_words("sso:saml") == "SAML 2.0"
    assert target_words("api_key:dmc_admin_…abcd") == "dmc_admin_…abcd"
