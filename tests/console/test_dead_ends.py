"""No dead ends: staff reach the admin, a 403 inside an org keeps its frame and names who can help, a favicon."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_with_no_organization_are_sent_to_the_admin_not_told_to_ask_someone(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html
    assert "Open the staff admin" in html
    assert "not a member of any organization yet" not in html
    # The page speaks to staff, not to someone choosing among organizations they do not have.
    assert "<h1>Staff</h1>" in html and "belong to no organization" in html
    assert "Choose an organization" not in html and "Your organizations" not in html


def test_a_person_with_no_organization_is_told_how_to_get_in_and_sees_no_admin_link(client):
    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert "not a member of any organization yet" in html
    assert "/admin/" not in html


def test_a_403_inside_an_org_keeps_its_navigation_and_names_the_owners_by_role(client, claude_members):
    client.force_login(claude_members["admin"].user)
    response = client.get(reverse("orgs:audit-log", args=["claude-ent"]))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'aria-label="Organization"' in html and "Claude Enterprise Org" in html  # the org's side navigation
    assert reverse("orgs:members", args=["claude-ent"]) in html  # a link the Admin may follow
    assert "The Primary Owner and Owners of Claude Enterprise Org decide this" in html
    assert claude_members["primary_owner"].user.email in html
    assert claude_members["owner"].user.email in html
    assert claude_members["member"].user.email not in html
    assert "ask your administrators" not in html.lower()


def test_a_403_in_a_console_org_names_its_org_admins(client, console_members):
    client.force_login(console_members["developer"].user)
    response = client.get(reverse("orgs:privacy", args=["console-org"]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "The Org Admins of Console Org decide this" in html
    assert console_members["admin"].user.email in html
    assert "Org Admin</span>" in html


def test_a_403_for_one_of_the_deciders_does_not_send_them_to_themselves(client, team_members):
    client.force_login(team_members["owner"].user)
    response = client.post(reverse("orgs:data-management-confirm", args=["claude-team"]), {"confirmed": "yes"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Enterprise plan only" in html
    assert 'data-testid="who-can-help"' not in html


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    assert "/static/" in response["Location"]
