"""Settings → API keys: the deciders make keys (shown once), see them by their hint, and revoke them at once."""

import pytest

from api.models import ApiKey
from audit.models import AuditEvent
from orgs.permissions import ERR_API_KEYS
from tests.conftest import CLAUDE_ROLES, CONSOLE_ROLES
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PAGE = "/orgs/{slug}/settings/api-keys/"


@pytest.mark.parametrize(("kind", "role", "status"), [
    *(("claude", role, 200 if role in ("primary_owner", "owner") else 403) for role in CLAUDE_ROLES),
    *(("console", role, 200 if role == "admin" else 403) for role in CONSOLE_ROLES),
])
def test_only_deciders_open_the_page(client, claude_members, console_members, kind, role, status):
    members, slug = (claude_members, "claude-ent") if kind == "claude" else (console_members, "console-org")
    client.force_login(members[role].user)
    response = client.get(PAGE.format(slug=slug))
    assert response.status_code == status
    links = response.content.decode()
    assert ("API keys</a>" in links) == (status == 200)
    assert client.post(PAGE.format(slug=slug), {"name": "x", "access": "read", "expires_in": "30"}).status_code == status
    assert ApiKey.objects.count() == (1 if status == 200 else 0)


def test_a_member_is_told_who_manages_keys(client, claude_members):
    client.force_login(claude_members["admin"].user)
    page = client.get(PAGE.format(slug="claude-ent")).content.decode()
    assert ERR_API_KEYS.format(deciders="the Primary Owner and Owners") in page


def test_strangers_get_the_404_of_an_unknown_org(client, claude_org, outsider):
    client.force_login(outsider)
    assert client.get(PAGE.format(slug="claude-ent")).status_code == 404


def test_a_new_key_is_shown_once_then_only_by_its_hint(client, claude_members):
    client.force_login(claude_members["owner"].user)
    made = client.post(PAGE.format(slug="claude-ent"), {"name": "SIEM export", "access": "write", "expires_in": "365"})
    assert made.status_code == 200
    text = made.context["created"]["text"]
    assert text.startswith("dmc_admin_") and text in made.content.decode()
    key = ApiKey.objects.get()
    assert (key.name, key.scopes, key.created_by_email) == ("SIEM export", ["read", "write"], claude_members["owner"].user.email)
    assert 364 <= (key.expires_at - key.created_at).days <= 365
    later = client.get(PAGE.format(slug="claude-ent")).content.decode()
    assert text not in later and f"dmc_admin_…{text[-4:]}" in later and "SIEM export" in later
    assert AuditEvent.objects.filter(action="api_key.created", actor=claude_members["owner"].user).count() == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "", "access": "read", "expires_in": "30"}, "name"),
    ({"name": "x" * 101, "access": "read", "expires_in": "30"}, "name"),
    ({"name": "x", "access": "admin", "expires_in": "30"}, "access"),
    ({"name": "x", "access": "read", "expires_in": "3650"}, "expires_in"),
])
def test_a_bad_form_says_why_beside_the_field_and_makes_nothing(client, claude_members, data, field):
    client.force_login(claude_members["owner"].user)
    response = client.post(PAGE.format(slug="claude-ent"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not ApiKey.objects.exists()


def test_a_nul_in_the_form_is_refused_before_the_page_and_makes_nothing(client, claude_members):
    client.force_login(claude_members["owner"].user)
    response = client.post(PAGE.format(slug="claude-ent"), {"name": "a\x00b", "access": "read", "expires_in": "30"})
    assert response.status_code == 400 and not ApiKey.objects.exists()


def test_revoking_is_immediate_and_on_the_record(client, claude_members, make_key, call):
    text = make_key(claude_members["owner"])
    key = ApiKey.objects.get()
    client.force_login(claude_members["primary_owner"].user)
    response = client.post(f"{PAGE.format(slug='claude-ent')}{key.pk}/revoke/", follow=True)
    assert "was revoked" in response.content.decode()
    assert call("GET", "/api/v1/orgs/claude-ent/settings", key=text).status_code == 401
    assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1
    assert "Revoked" in client.get(PAGE.format(slug="claude-ent")).content.decode()


def test_a_key_of_another_org_cannot_be_revoked_here(client, claude_members, console_members, make_key):
    make_key(console_members["admin"])
    client.force_login(claude_members["owner"].user)
    assert client.post(f"{PAGE.format(slug='claude-ent')}{ApiKey.objects.get().pk}/revoke/").status_code == 404
    assert ApiKey.objects.get().revoked_at is None


def test_a_key_whose_maker_left_the_deciders_shows_paused(client, claude_members, make_key):
    make_key(claude_members["owner"])
    claude_members["owner"].role = "admin"
    claude_members["owner"].save()
    client.force_login(claude_members["primary_owner"].user)
    assert "Paused" in client.get(PAGE.format(slug="claude-ent")).content.decode()


def test_the_page_costs_the_same_queries_whatever_the_number_of_keys(client, claude_members, make_key,
                                                                    django_assert_max_num_queries):
    client.force_login(claude_members["owner"].user)
    make_key(claude_members["owner"])
    with django_assert_max_num_queries(10) as few:
        client.get(PAGE.format(slug="claude-ent"))
    for _ in range(15):
        make_key(MembershipFactory(organization=claude_members["owner"].organization, role="owner"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(PAGE.format(slug="claude-ent"))
