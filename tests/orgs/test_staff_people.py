"""Staff cannot delete a person out of their organizations past the rules and the audit log."""

import pytest

from audit.models import AuditEvent
from console.models import User
from orgs.models import Membership
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


@pytest.mark.parametrize("quoted", ["{pk}_0A", "{pk}_0A_0A", "_20{pk}"])
def test_a_quoted_id_does_not_get_past_the_refusal(staff_client, claude_org, quoted):
    person = MembershipFactory(organization=claude_org, role="primary_owner").user
    url = f"/admin/console/user/{quoted.format(pk=person.pk)}/delete/"
    staff_client.get(url)
    staff_client.post(url, {"post": "yes"})
    assert User.objects.filter(pk=person.pk).exists()
    assert Membership.objects.filter(user=person, role="primary_owner").exists()


def test_the_database_refuses_to_delete_a_person_who_still_belongs_to_an_organization(claude_org):
    from django.db.models import ProtectedError

    person = MembershipFactory(organization=claude_org, role="member").user
    with pytest.raises(ProtectedError):
        person.delete()
    assert Membership.objects.filter(user=person).exists()


def test_organizations_are_not_deleted_from_the_admin(staff_client, claude_org):
    MembershipFactory(organization=claude_org, role="primary_owner")
    assert staff_client.get(f"/admin/orgs/organization/{claude_org.pk}/delete/").status_code == 403
    assert staff_client.post(f"/admin/orgs/organization/{claude_org.pk}/delete/", {"post": "yes"}).status_code == 403
    page = staff_client.get("/admin/orgs/organization/").content.decode()
    assert "delete_selected" not in page
    staff_client.post("/admin/orgs/organization/", {"action": "delete_selected", "_selected_action": [claude_org.pk], "post": "yes"})
    assert Membership.objects.filter(organization=claude_org).count() == 1


def test_every_admin_list_with_actions_checks_its_selection(staff_client):
    """Any list that offers an action answers a selection that is not row ids with a message."""
    from django.contrib import admin
    from django.test import RequestFactory

    from console.admin_mixins import CheckedSelectionMixin

    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True, email="lister@example.test")
    with_actions = {m: a for m, a in admin.site._registry.items() if a.get_actions(request)}
    assert with_actions  # groups, sign-in lock-outs, invitations at least
    for model, model_admin in with_actions.items():
        assert isinstance(model_admin, CheckedSelectionMixin), model
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        action = next(iter(model_admin.get_actions(request)))
        for bad in ("abc", "1\x01", "1.5", str(2**70)):
            response = staff_client.post(url, {"action": action, "_selected_action": [bad]})
            assert response.status_code in (200, 302), (url, bad, response.status_code)
