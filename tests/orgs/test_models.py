import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit import actions
from audit.models import AuditEvent
from orgs.models import Membership, Organization
from tests.audit.helpers import record_events
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.mark.django_db
def test_database_refuses_a_second_primary_owner(claude_org):
    MembershipFactory(organization=claude_org, role="primary_owner")
    with pytest.raises(IntegrityError), transaction.atomic():
        # bulk_create skips Membership.save(): the database itself must refuse.
        Membership.objects.bulk_create([Membership(organization=claude_org, user=UserFactory(), role="primary_owner")])


@pytest.mark.django_db
def test_database_refuses_a_second_membership_for_the_same_person(claude_org):
    existing = MembershipFactory(organization=claude_org, role="member")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.bulk_create([Membership(organization=claude_org, user=existing.user, role="admin")])


@pytest.mark.django_db
def test_primary_owners_of_different_orgs_are_allowed(claude_org, team_org):
    MembershipFactory(organization=claude_org, role="primary_owner")
    MembershipFactory(organization=team_org, role="primary_owner")
    assert Membership.objects.filter(role="primary_owner").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["developer", "billing", "user", "nonsense"])
def test_console_role_in_a_claude_org_is_refused_with_a_clear_error(claude_org, role):
    with pytest.raises(ValidationError) as caught:
        Membership.objects.create(organization=claude_org, user=UserFactory(), role=role)
    assert "does not exist in a Claude for Work organization" in str(caught.value)
    assert not Membership.objects.filter(organization=claude_org).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["primary_owner", "owner", "member"])
def test_claude_role_in_a_console_org_is_refused(console_org, role):
    membership = Membership(organization=console_org, user=UserFactory(), role=role)
    with pytest.raises(ValidationError):
        membership.full_clean()
    with pytest.raises(ValidationError):
        membership.save()


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "plan"), [("claude", ""), ("console", "team"), ("console", "enterprise")])
def test_database_refuses_a_plan_that_does_not_fit_the_kind(kind, plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="X", slug="x", kind=kind, plan=plan)


@pytest.mark.django_db
def test_slug_is_unique():
    OrganizationFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory(slug="same")


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(claude_org):
    [event] = record_events(claude_org, 1, action=actions.ORG_CREATED)
    event.action = "test.rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "org.created"


@pytest.mark.django_db
def test_user_email_login_is_case_insensitive():
    from django.contrib.auth import authenticate

    UserFactory(email="mixed@example.test", password="pw-123-long-enough")
    assert authenticate(username="MIXED@example.test", password="pw-123-long-enough") is not None
