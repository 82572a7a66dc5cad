"""orgs.services: permission, no-op, audit in the same transaction, rollback."""

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError

from audit.models import AuditEvent
from audit.services import RequestMeta
from orgs import services
from orgs.models import Membership, Organization
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

META = RequestMeta(ip_address="198.51.100.4", user_agent="agent/2")


def _fresh(org):
    return Organization.objects.get(pk=org.pk)


def test_owner_turns_thumbs_feedback_off_with_one_audit_event(claude_members):
    owner = claude_members["owner"]
    changed = services.set_feedback_setting(
        actor=owner.user, organization=owner.organization, enabled=False, request_meta=META
    )
    assert changed is True
    assert _fresh(owner.organization).thumbs_feedback_enabled is False
    event = AuditEvent.objects.get()
    assert event.action == "settings.thumbs_feedback.changed"
    assert (event.old_value, event.new_value) == (True, False)
    assert (event.actor, event.ip_address, event.user_agent) == (owner.user, "198.51.100.4", "agent/2")
    assert event.target == "organization:claude-ent"


def test_setting_the_current_value_returns_false_and_writes_nothing(claude_members):
    owner = claude_members["primary_owner"]
    assert services.set_feedback_setting(actor=owner.user, organization=owner.organization, enabled=True) is False
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["admin", "member"])
def test_admins_and_members_cannot_change_thumbs_feedback(claude_members, role):
    m = claude_members[role]
    with pytest.raises(services.NotAllowed):
        services.set_feedback_setting(actor=m.user, organization=m.organization, enabled=False)
    assert _fresh(m.organization).thumbs_feedback_enabled is True
    assert not AuditEvent.objects.exists()


def test_team_plan_owner_cannot_change_thumbs_feedback(team_members):
    m = team_members["primary_owner"]
    with pytest.raises(services.ServiceError, match="Enterprise plan only"):
        services.set_feedback_setting(actor=m.user, organization=m.organization, enabled=False)
    assert _fresh(m.organization).thumbs_feedback_enabled is True
    assert not AuditEvent.objects.exists()


def test_the_setting_service_changes_only_the_field_of_the_orgs_kind(console_members):
    m = console_members["admin"]
    assert services.set_feedback_setting(actor=m.user, organization=m.organization, enabled=False) is True
    org = _fresh(m.organization)
    assert (org.workbench_feedback_enabled, org.thumbs_feedback_enabled) == (False, True)


@pytest.mark.parametrize("role", ["developer", "billing", "user"])
def test_only_org_admins_change_workbench_feedback(console_members, role):
    m = console_members[role]
    with pytest.raises(services.NotAllowed):
        services.set_feedback_setting(actor=m.user, organization=m.organization, enabled=False)
    assert _fresh(m.organization).workbench_feedback_enabled is True


def test_org_admin_turns_workbench_feedback_off_with_one_audit_event(console_members):
    m = console_members["admin"]
    assert services.set_feedback_setting(actor=m.user, organization=m.organization, enabled=False) is True
    event = AuditEvent.objects.get()
    assert (event.action, event.old_value, event.new_value) == ("settings.workbench_feedback.changed", True, False)


def test_non_member_cannot_change_a_setting(claude_org, outsider):
    with pytest.raises(services.NotAllowed):
        services.set_feedback_setting(actor=outsider, organization=claude_org, enabled=False)


def test_staff_operator_with_the_permission_changes_a_setting_as_the_actor(claude_org):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_organization"))
    assert services.set_feedback_setting(actor=staff, organization=claude_org, enabled=False) is True
    assert AuditEvent.objects.get().actor_email == staff.email


def test_staff_without_the_permission_cannot_change_a_setting(claude_org):
    staff = UserFactory(is_staff=True)
    with pytest.raises(services.NotAllowed):
        services.set_feedback_setting(actor=staff, organization=claude_org, enabled=False)


@pytest.mark.parametrize(
    ("members_fixture", "role", "field"),
    [
        ("claude_members", "owner", "thumbs_feedback_enabled"),
        ("console_members", "admin", "workbench_feedback_enabled"),
    ],
)
def test_setting_is_rolled_back_when_the_audit_write_fails(request, monkeypatch, members_fixture, role, field):
    m = request.getfixturevalue(members_fixture)[role]

    def failing_audit(**kwargs):
        raise IntegrityError("audit insert failed")

    monkeypatch.setattr(services, "record_audit_event", failing_audit)
    with pytest.raises(IntegrityError):
        services.set_feedback_setting(actor=m.user, organization=m.organization, enabled=False)
    assert getattr(_fresh(m.organization), field) is True
    assert not AuditEvent.objects.exists()


def test_role_change_is_rolled_back_when_the_audit_write_fails(monkeypatch, claude_members):
    def failing_audit(**kwargs):
        raise IntegrityError("audit insert failed")

    monkeypatch.setattr(services, "record_audit_event", failing_audit)
    target = claude_members["member"]
    with pytest.raises(IntegrityError):
        services.change_member_role(actor=claude_members["owner"].user, membership=target, role="admin")
    assert Membership.objects.get(pk=target.pk).role == "member"


def test_transfer_is_rolled_back_when_the_audit_write_fails(monkeypatch, claude_members):
    def failing_audit(**kwargs):
        raise IntegrityError("audit insert failed")

    monkeypatch.setattr(services, "record_audit_event", failing_audit)
    with pytest.raises(IntegrityError):
        services.transfer_primary_ownership(
            actor=claude_members["primary_owner"].user, membership=claude_members["admin"]
        )
    assert Membership.objects.get(pk=claude_members["primary_owner"].pk).role == "primary_owner"
    assert Membership.objects.get(pk=claude_members["admin"].pk).role == "admin"


def test_removal_is_rolled_back_when_the_audit_write_fails(monkeypatch, claude_members):
    def failing_audit(**kwargs):
        raise IntegrityError("audit insert failed")

    monkeypatch.setattr(services, "record_audit_event", failing_audit)
    with pytest.raises(IntegrityError):
        services.remove_member(actor=claude_members["owner"].user, membership=claude_members["member"])
    assert Membership.objects.filter(pk=claude_members["member"].pk).exists()


def test_services_update_the_callers_object_after_a_change(claude_members):
    owner = claude_members["owner"]
    org = owner.organization
    services.set_feedback_setting(actor=owner.user, organization=org, enabled=False)
    assert org.thumbs_feedback_enabled is False
