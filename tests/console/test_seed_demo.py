import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from console.models import User
from orgs.models import Membership, Organization

EXPECTED = {
    ("acme", "primary@acme.test"): "primary_owner",
    ("acme", "owner@acme.test"): "owner",
    ("acme", "admin@acme.test"): "admin",
    ("acme", "member@acme.test"): "member",
    ("acme-team", "primary@acme.test"): "primary_owner",
    ("acme-team", "member@acme.test"): "member",
    ("acme-api", "admin@acme.test"): "admin",
    ("acme-api", "dev@acme.test"): "developer",
    ("acme-api", "member@acme.test"): "user",
}


def _snapshot():
    return (
        sorted(User.objects.values_list("email", "password", "is_staff", "is_superuser")),
        sorted(Organization.objects.values_list("slug", "name", "kind", "plan")),
        sorted(Membership.objects.values_list("organization__slug", "user__email", "role")),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_creates_the_design_data_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    memberships = {(m.organization.slug, m.user.email): m.role for m in Membership.objects.select_related("organization", "user")}
    assert memberships == EXPECTED
    orgs = {o.slug: (o.name, o.kind, o.plan) for o in Organization.objects.all()}
    assert orgs == {
        "acme": ("Acme Corp", "claude", "enterprise"),
        "acme-team": ("Acme Team", "claude", "team"),
        "acme-api": ("Acme API", "console", ""),
    }
    staff = User.objects.get(email="staff@acme.test")
    assert staff.is_superuser and staff.is_staff
    assert staff.check_password("demo-password")
    before = _snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == before


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()
