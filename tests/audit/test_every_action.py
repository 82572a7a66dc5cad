"""Every action a service can write, from an event the service itself wrote, read through the page and the CSV.

A new registered action without a case here fails test_every_registered_action_has_a_case.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api import services as api_services
from audit.actions import ACTIONS
from identity import invitations
from identity import services as identity_services
from identity.scim import services as scim
from orgs import selectors, services
from tests.factories import ConsoleOrganizationFactory, MembershipFactory, UserFactory
from tests.identity.conftest import dns, dns_server  # noqa: F401 - the DNS server the domain cases' records are on

pytestmark = pytest.mark.django_db


def _staff():
    return UserFactory(is_staff=True, is_superuser=True)


def _thumbs(m):
    services.set_feedback_setting(actor=m["owner"].user, organization=m["owner"].organization, enabled=False)
    return m["owner"], ["Thumbs Feedback: On → Off"]


def _workbench(m):
    org = ConsoleOrganizationFactory()
    admin, other = (MembershipFactory(organization=org, role="admin") for _ in range(2))
    services.set_feedback_setting(actor=admin.user, organization=org, enabled=False)
    return other, ["Workbench feedback: On → Off"]


def _model_training(m):
    primary = m["primary_owner"]
    version = selectors.get_training_terms_version()
    services.set_model_training(actor=primary.user, organization=primary.organization, enabled=True, terms_version=version)
    return primary, ["Model training: Off → On", f"Terms version: {version}"]


def _added(m):
    newcomer = UserFactory()
    services.add_member(actor=_staff(), organization=m["owner"].organization, user=newcomer, role="admin")
    return m["owner"], ["Role: Admin"]


def _invite(m):
    return invitations.invite_member(actor=m["owner"].user, organization=m["owner"].organization,
                                     email="new@example.test", role="member")


def _invited(m):
    _invite(m)
    return m["owner"], ["Role: Member"]


def _resent(m):
    invitations.resend_invitation(actor=m["owner"].user, invitation=_invite(m))
    return m["owner"], ["Role: Member"]


def _revoked(m):
    invitations.revoke_invitation(actor=m["owner"].user, invitation=_invite(m))
    return m["owner"], ["Role: Member"]


def _role_changed(m):
    services.change_member_role(actor=m["owner"].user, membership=m["member"], role="admin")
    return m["owner"], ["Role: Member → Admin"]


def _removed(m):
    services.remove_member(actor=m["owner"].user, membership=m["member"])
    return m["owner"], ["Role: Member → removed"]


def _transferred(m):
    old, new = m["primary_owner"], m["owner"]
    services.transfer_primary_ownership(actor=old.user, membership=new)
    return old, [f"Primary Owner: {old.user.email} → {new.user.email}",
                 f"Role of {new.user.email}: Owner → Primary Owner", f"Role of {old.user.email}: Primary Owner → Owner"]


def _created(m):
    staff = _staff()
    org = services.create_organization(actor=staff, name="New Corp", slug="new-corp", kind="claude", plan="team")
    viewer = services.add_member(actor=staff, organization=org, user=UserFactory(), role="primary_owner")
    return viewer, ["Name: New Corp", "Address (slug): new-corp", "Kind: Claude for Work", "Plan: Team"]


def _details_changed(m):
    services.update_organization_details(actor=_staff(), organization=m["owner"].organization, changes={"name": "Renamed"})
    return m["primary_owner"], ["Name: Claude Enterprise Org → Renamed"]


def _needs(*fixtures):
    """A case that needs fixtures besides the members: the test passes them after the members, by name."""

    def mark(case):
        case.fixtures = fixtures
        return case

    return mark


def _owner_of(m):
    return {"actor": m["owner"].user, "organization": m["owner"].organization}


def _domain(m):
    return identity_services.add_domain(**_owner_of(m), name="Example.TEST")


def _verified_domain(m, records):
    """A domain verified from its TXT record, published on the test DNS server (the fixture `dns`)."""
    domain = _domain(m)
    records.publish(domain.record_name, domain.record_value)
    identity_services.verify_domain(**_owner_of(m), domain_id=domain.pk)
    return domain


def _domain_added(m):
    _domain(m)
    return m["owner"], ["Domain: example.test"]


@_needs("dns")
def _domain_verified(m, records):
    _verified_domain(m, records)
    return m["owner"], ["Verified: No → Yes"]


@_needs("dns")
def _domain_unverified(m, records):
    domain = _verified_domain(m, records)
    records.clear()
    failing_since = timezone.now()
    identity_services.recheck_domain(domain_id=domain.pk, now=failing_since)
    identity_services.recheck_domain(domain_id=domain.pk, now=failing_since + identity_services.DOMAIN_GRACE)
    return m["owner"], ["Verified: Yes → No"]


@_needs("dns")
def _domain_removed(m, records):
    identity_services.remove_domain(**_owner_of(m), domain_id=_verified_domain(m, records).pk)
    return m["owner"], ["Domain: example.test", "Verified: Yes"]


ISSUER = "https://idp.example.test/oauth2"


def _sso(m):
    # Configuring reaches no provider: the issuer is looked up at the first sign-in.
    return identity_services.configure_oidc(**_owner_of(m), issuer=ISSUER, client_id="console", client_secret="s3cret", jit_role="")


def _sso_configured(m):
    _sso(m)
    return m["owner"], ["Protocol: OpenID Connect", f"Issuer: {ISSUER}", "Client ID: console", "Client secret: set",
                        "Role at first sign-in: Member"]


def _sso_enforced(m):
    identity_services.record_sso_success(connection=_sso(m))
    identity_services.set_sso_enforced(**_owner_of(m), enforced=True)
    return m["owner"], ["Single sign-on required: Off → On"]


def _break_glass(m):
    identity_services.set_break_glass_account(**_owner_of(m), membership_id=m["owner"].pk)
    return m["owner"], [f"Break-glass account: {m['primary_owner'].user.email} → {m['owner'].user.email}"]


def _scim_token(m):
    record, _ = identity_services.create_scim_token(**_owner_of(m), name="Okta")
    return record


def _scim_token_created(m):
    record = _scim_token(m)
    return m["owner"], ["Name: Okta", f"Ends with: {record.hint}"]


def _scim_token_revoked(m):
    record = _scim_token(m)
    identity_services.revoke_scim_token(**_owner_of(m), token_id=record.pk)
    return m["owner"], ["Name: Okta", f"Ends with: {record.hint}"]


def _scim_user_updated(m):
    person = m["member"].user
    before = person.full_name
    scim.patch_user(token=_scim_token(m), user=person, operations=[
        ("replace", "displayname", "Ada Lovelace"), ("replace", "name.givenname", "Ada"),
    ])
    return m["owner"], [f"Name: {before} → Ada Lovelace", "Given name: Ada"]


def _group(m, token):
    return scim.create_group(token=token, data={
        "displayName": "Engineering", "externalId": "eng-1", "members": [{"value": str(m["member"].user.pk)}],
    })


def _scim_group_created(m):
    _group(m, _scim_token(m))
    return m["owner"], ["Name: Engineering", "External ID: eng-1"]


def _scim_group_updated(m):
    token = _scim_token(m)
    group = _group(m, token)
    scim.replace_group(token=token, group=group, data={
        "displayName": "Engineering", "externalId": "eng-1", "members": [{"value": str(m["admin"].user.pk)}],
    })
    return m["owner"], [f"Members added: {m['admin'].user.email}", f"Members removed: {m['member'].user.email}"]


def _scim_group_deleted(m):
    token = _scim_token(m)
    scim.delete_group(token=token, group=_group(m, token))
    return m["owner"], ["Name: Engineering", "External ID: eng-1"]


def _group_role_changed(m):
    group = _group(m, _scim_token(m))
    identity_services.set_group_role(**_owner_of(m), group_id=group.pk, role="admin")
    return m["owner"], ["Role: Admin"]


def _api_key(m, **fields):
    key, _ = api_services.create_api_key(**_owner_of(m), name="SIEM export", **fields)
    return key


def _api_key_created(m):
    _api_key(m, scopes=["read"])
    return m["owner"], ["Name: SIEM export", "Scopes: Read", "Expires: never"]


def _api_key_revoked(m):
    expires = timezone.now().replace(second=0, microsecond=0) + timedelta(days=30)
    key = _api_key(m, scopes=["write", "read"], expires_at=expires)
    api_services.revoke_api_key(actor=m["owner"].user, key=key)
    return m["owner"], ["Name: SIEM export", "Scopes: Read, Write", f"Expires: {expires.day} {expires:%b %Y, %H:%M} UTC"]


CASES = {
    "settings.thumbs_feedback.changed": _thumbs,
    "settings.workbench_feedback.changed": _workbench,
    "settings.model_training.changed": _model_training,
    "member.added": _added,
    "member.invited": _invited,
    "member.invitation_resent": _resent,
    "member.invitation_revoked": _revoked,
    "member.role.changed": _role_changed,
    "member.removed": _removed,
    "member.primary_owner.transferred": _transferred,
    "org.created": _created,
    "org.details.changed": _details_changed,
    "identity.domain.added": _domain_added,
    "identity.domain.verified": _domain_verified,
    "identity.domain.unverified": _domain_unverified,
    "identity.domain.removed": _domain_removed,
    "identity.sso.configured": _sso_configured,
    "identity.sso.enforced": _sso_enforced,
    "identity.sso.break_glass.changed": _break_glass,
    "identity.scim_token.created": _scim_token_created,
    "identity.scim_token.revoked": _scim_token_revoked,
    "identity.scim.user.updated": _scim_user_updated,
    "identity.scim.group.created": _scim_group_created,
    "identity.scim.group.updated": _scim_group_updated,
    "identity.scim.group.deleted": _scim_group_deleted,
    "identity.scim.group.role.changed": _group_role_changed,
    "api_key.created": _api_key_created,
    "api_key.revoked": _api_key_revoked,
}


def test_every_registered_action_has_a_case():
    assert set(CASES) == set(ACTIONS)


@pytest.mark.parametrize("code", list(CASES))
def test_an_event_the_service_wrote_reads_in_words_on_the_page_and_in_the_csv(client, claude_members, request, code):
    case = CASES[code]
    viewer, words = case(claude_members, *(request.getfixturevalue(name) for name in getattr(case, "fixtures", ())))
    client.force_login(viewer.user)
    slug = viewer.organization.slug

    page = client.get(reverse("orgs:audit-log", args=[slug]), {"action": code})
    assert page.status_code == 200
    [row] = [r for r in page.context["rows"] if r["event"].action == code][:1]
    assert row["action_label"] == ACTIONS[code].label
    assert [str(c) for c in row["changes"]] == words
    html = page.content.decode()
    assert ACTIONS[code].label in html and all(f"<div>{w}</div>" in html for w in words)

    response = client.get(reverse("orgs:audit-log-csv", args=[slug]), {"action": code})
    lines = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines and all(line["action_code"] == code for line in lines)
    assert lines[0]["action"] == ACTIONS[code].label
    assert lines[0]["change"] == "; ".join(words)
