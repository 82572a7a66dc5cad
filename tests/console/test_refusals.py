"""Refusals carry codes: rewording a message changes no behaviour (its status, its field, its API code)."""

import copy
import importlib
import pickle

import pytest
from django.urls import reverse

from api.services import create_api_key
from console.refusals import CONFLICT, ROLE, STATUS_BY_KIND, Refusal, code_of
from identity import invitations
from identity.models import Invitation
from orgs import permissions, services, staff
from orgs.services import ServiceError
from tests.factories import MembershipFactory

RULE_MODULES = ["orgs.permissions", "orgs.services", "orgs.models", "identity.invitations", "identity.permissions",
                "identity.services", "api.permissions", "api.services"]


def test_a_refusal_keeps_its_code_and_kind_when_filled_in_copied_or_pickled():
    refusal = Refusal("daily_cap", "At most {limit} a day.", CONFLICT)
    filled = refusal.format(limit=50)
    assert filled == "At most 50 a day." and (filled.code, filled.kind, filled.status) == ("daily_cap", CONFLICT, 409)
    for copied in (copy.deepcopy(filled), pickle.loads(pickle.dumps(filled))):  # noqa: S301 - our own bytes
        assert copied == filled and code_of(copied) == "daily_cap"
    assert repr(filled) == repr("At most 50 a day.")  # written into a migration, it is plain text
    assert code_of("plain words") == "refused"
    with pytest.raises(ValueError, match="unknown refusal kind"):
        Refusal("x", "y", "teapot")


def test_the_rule_modules_refusals_each_have_one_code_and_a_known_kind():
    codes = {}
    for name in RULE_MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("ERR_") and isinstance(value, Refusal):
                assert value.kind in STATUS_BY_KIND, attr
                assert codes.setdefault(value.code, str(value)) == str(value), f"{name}.{attr}: {value.code} names two sentences"
    # The refusals the issue named: the role rules, the invitation form's words, the staff form's fields.
    for code in ("not_allowed", "role_above_own", "transfer", "primary_by_transfer", "already_member", "invite_role"):
        assert code in codes


@pytest.mark.django_db
def test_reworded_role_rules_still_put_the_invitation_forms_words_beside_the_role(client, claude_members, monkeypatch):
    # A Team org's Owner giving Owner is fine; an Admin cannot invite; here the Owner invites as Primary Owner.
    monkeypatch.setattr(permissions, "ERR_PRIMARY_BY_TRANSFER", Refusal("primary_by_transfer", "Reworded.", "forbidden"))
    owner = claude_members["owner"]
    client.force_login(owner.user)
    response = client.post(reverse("identity:invite", args=[owner.organization.slug]),
                           {"email": "new@example.test", "role": "primary_owner"})
    assert response.status_code == 400
    assert response.context["invite_form"].errors["role"] == [invitations.ERR_INVITE_PRIMARY]
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_reworded_role_refusal_is_still_a_refusal_of_the_actors_role(claude_members, monkeypatch):
    monkeypatch.setattr(permissions, "ERR_ROLE_ABOVE_OWN", Refusal("role_above_own", "Not yours to give.", ROLE))
    owner = claude_members["owner"]
    peer = MembershipFactory(organization=owner.organization, role="owner")  # Owners do not manage each other
    with pytest.raises(services.NotAllowed, match="Not yours to give."):
        services.change_member_role(actor=owner.user, membership=peer, role="member")


@pytest.mark.django_db
def test_a_reworded_refusal_stays_beside_its_staff_form_field(claude_members, monkeypatch):
    reworded = Refusal("already_member", "Already in.", CONFLICT)
    monkeypatch.setattr(services, "ERR_ALREADY_MEMBER", reworded)
    member = claude_members["member"]
    with pytest.raises(staff.StaffError) as refused:
        staff.add_member(actor=None, organization=member.organization, user=member.user, role="member", request_meta=None)
    assert refused.value.errors == {"user": ["Already in."]}


@pytest.mark.django_db
def test_a_reworded_refusal_keeps_its_api_code_and_status(client, console_members, monkeypatch):
    monkeypatch.setattr(invitations, "ERR_ALREADY_MEMBER", Refusal("already_member", "Already one of us.", CONFLICT))
    admin, user = console_members["admin"], console_members["user"]
    _, key = create_api_key(actor=admin.user, organization=admin.organization, name="writer", scopes=["read", "write"])
    response = client.post(f"/api/v1/orgs/{admin.organization.slug}/invitations", content_type="application/json",
                           data={"email": user.user.email, "role": "user"}, headers={"x-api-key": key})
    assert response.status_code == 409
    assert response.json()["error"] == "already_member" and "Already one of us." in response.content.decode()


def test_a_service_error_reads_its_code_and_status_from_its_refusal():
    error = ServiceError(permissions.ERR_LAST_ADMIN)
    assert (error.code, error.status) == ("last_admin", 409)
    assert (ServiceError("words").code, ServiceError("words").status) == ("refused", 403)
