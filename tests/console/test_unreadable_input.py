"""A NUL, a lone surrogate or bytes that are not UTF-8 anywhere in a request: 400, never a 500 (console.middleware)."""

import json

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNREADABLE = ["%00", "a%00b", "%ED%A0%80", "%ED%B0%80", "%FF%FE", "%C0%80", "%E2%82"]


@pytest.fixture
def owner_client(claude_members):
    client = Client()
    client.force_login(claude_members["owner"].user)
    return client


@pytest.mark.parametrize("value", UNREADABLE)
def test_the_probes_failures_are_a_400_page(owner_client, admin_client, value):
    # Once 500s: the organization switcher, a staff list filter.
    for client, url in ((owner_client, f"/orgs/switch/?slug={value}"), (admin_client, f"/admin/orgs/organization/?kind__exact={value}")):
        response = client.get(url)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert "The request could not be read" in page and "The query string holds a NUL character" in page
        assert response["Cache-Control"] and response["Content-Security-Policy"]


@pytest.mark.parametrize("value", UNREADABLE)
def test_under_the_api_it_is_the_json_error(owner_client, value):
    for url in (f"/api/v1/me?x={value}", f"/api/v1/orgs/{value}/settings", f"/api/v1/{value}"):
        response = owner_client.get(url)
        assert response.status_code == 400, url
        body = json.loads(response.content)
        assert body["error"] == "invalid" and "NUL character" in body["detail"]


@pytest.mark.parametrize("value", UNREADABLE)
def test_in_the_path_a_form_field_or_a_cookie_too(owner_client, value):
    assert owner_client.get(f"/orgs/claude-ent{value}/").status_code == 400
    assert owner_client.get(f"/invitations/{value}/").status_code == 400
    body = f"email=new{value}@example.test&role=member".encode()
    response = owner_client.post("/orgs/claude-ent/settings/members/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "The form holds" in response.content.decode()


def test_a_nul_in_a_multipart_field_or_a_cookie(owner_client):
    response = owner_client.post("/orgs/claude-ent/settings/members/", {"email": "new\x00@example.test", "role": "member"})
    assert response.status_code == 400
    # A quoted cookie value's octal escapes are read as the characters they name (Python's cookie rules).
    response = owner_client.get("/", HTTP_COOKIE='sessionid="' + "\\000" * 8 + '"')
    assert response.status_code == 400 and "The cookie holds" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/orgs/switch/?slug=caf%C3%A9", 404),  # UTF-8 text is read as usual
        ("/orgs/switch/?slug=%F0%9F%9A%80", 404),  # a character past the BMP (a surrogate pair in JSON)
        ("/orgs/caf%C3%A9/", 404),
        ("/orgs/switch/?slug=a+b%2Bc", 404),
    ],
)
def test_readable_text_is_not_refused(owner_client, url, status):
    assert owner_client.get(url).status_code == status


def test_a_staff_sign_in_form_with_a_nul_is_a_400_not_a_count(client):
    UserFactory(email="staff@acme.test", is_staff=True)
    response = client.post("/admin/login/", b"username=staff%00@acme.test&password=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
