"""Staff cannot delete a person out of their organizations past the rules and the audit log."""

import pytest

from console.models import User
from orgs.models import AuditEvent, Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@example.test"))
    return client


@pytest.mark.parametrize("role", ["primary_owner", "member"])
def test_deleting_a_person_who_belongs_to_an_organization_is_refused_and_says_what_to_do(staff_client, claude_org, role):
    person = MembershipFactory(organization=claude_org, role=role).user
    for method in ("get", "post"):
        response = getattr(staff_client, method)(f"/admin/console/user/{person.pk}/delete/", {"post": "yes"}, follow=True)
        assert response.status_code == 200
        [message] = [str(m) for m in response.context["messages"]]
        assert f"{person.email} still belongs to {claude_org.name}" in message
        assert "deactivate the account" in message
    assert User.objects.filter(pk=person.pk).exists()
    assert Membership.objects.filter(user=person).count() == 1
    assert not AuditEvent.objects.exists()


def test_the_refusal_names_a_few_organizations_and_counts_the_rest(staff_client):
    person = UserFactory(email="many@example.test")
    for i in range(7):
        MembershipFactory(organization=OrganizationFactory(name=f"Org {i}"), user=person, role="member")
    response = staff_client.post(f"/admin/console/user/{person.pk}/delete/", {"post": "yes"}, follow=True)
    [message] = [str(m) for m in response.context["messages"]]
    assert "Org 0 (Member), Org 1 (Member)" in message and "and 2 more organizations" in message


def test_a_person_in_no_organization_can_be_deleted(staff_client):
    person = UserFactory(email="gone@example.test")
    assert staff_client.post(f"/admin/console/user/{person.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()


def test_the_people_list_offers_no_bulk_delete(staff_client, claude_org):
    person = MembershipFactory(organization=claude_org, role="member").user
    page = staff_client.get("/admin/console/user/")
    assert page.status_code == 200 and "delete_selected" not in page.content.decode()
    staff_client.post("/admin/console/user/", {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"})
    assert User.objects.filter(pk=person.pk).exists()
