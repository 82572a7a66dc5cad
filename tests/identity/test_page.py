"""The identity page: who may open and change it, what it shows, and its forms' answers."""

import pytest

from audit.actions import ACTIONS
from identity import audit
from identity.models import Domain, SCIMToken, SSOConnection
from tests.conftest import CLAUDE_ROLES, CONSOLE_ROLES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/orgs/{slug}/settings/identity/"


@pytest.mark.parametrize(("role", "status"), [(r, 200 if r in ("primary_owner", "owner") else 403) for r in CLAUDE_ROLES])
def test_enterprise_deciders_open_the_page_others_are_refused(client, claude_members, role, status):
    client.force_login(claude_members[role].user)
    assert client.get(URL.format(slug="claude-ent")).status_code == status
    response = client.post(URL.format(slug="claude-ent") + "domains/", {"domain": "example.com"})
    assert response.status_code == (302 if status == 200 else 403)


@pytest.mark.parametrize(("role", "status"), [(r, 200 if r == "admin" else 403) for r in CONSOLE_ROLES])
def test_console_org_admins_open_the_page(client, console_members, role, status):
    client.force_login(console_members[role].user)
    assert client.get(URL.format(slug="console-org")).status_code == status


def test_a_stranger_gets_404(client, claude_org, outsider):
    client.force_login(outsider)
    assert client.get(URL.format(slug="claude-ent")).status_code == 404
    assert client.post(URL.format(slug="claude-ent") + "scim-tokens/", {"name": "x"}).status_code == 404


def test_a_team_org_sees_the_page_read_only_with_the_reason(client, team_members):
    client.force_login(team_members["owner"].user)
    page = client.get(URL.format(slug="claude-team")).content.decode()
    assert "available on the Enterprise plan only" in page and "read-only" in page
    assert "Add domain" not in page and "Create token" not in page
    assert client.post(URL.format(slug="claude-team") + "domains/", {"domain": "a.test"}).status_code == 403
    assert not Domain.objects.exists()


def test_the_page_shows_the_values_the_idp_needs(client, claude_members):
    owner = claude_members["owner"].user
    client.force_login(owner)
    client.post(URL.format(slug="claude-ent") + "sso/", {
        "protocol": "oidc", "issuer": "https://example.okta.com", "client_id": "abc", "client_secret": "s3cret",
        "jit_role": "member",
    })
    connection = SSOConnection.objects.get()
    assert "s3cret" not in connection.client_secret_encrypted
    page = client.get(URL.format(slug="claude-ent")).content.decode()
    for value in (f"/accounts/sso/oidc/{connection.public_id}/callback/", f"/accounts/sso/saml/{connection.public_id}/acs/",
                  f"/accounts/sso/saml/{connection.public_id}/metadata/", "http://testserver/scim/v2/"):
        assert value in page
    assert "s3cret" not in page


def test_a_jit_role_above_admin_is_refused(client, claude_members):
    client.force_login(claude_members["owner"].user)
    response = client.post(URL.format(slug="claude-ent") + "sso/", {
        "protocol": "oidc", "issuer": "https://example.okta.com", "client_id": "abc", "client_secret": "s", "jit_role": "owner",
    })
    assert response.status_code == 400 and not SSOConnection.objects.exists()


def test_a_new_token_is_shown_once_and_listed_after(client, claude_members):
    client.force_login(claude_members["owner"].user)
    response = client.post(URL.format(slug="claude-ent") + "scim-tokens/", {"name": "Okta"})
    page = response.content.decode()
    token = page.split('data-testid="new-token"')[1].split('<code class="value">')[1].split("</code>")[0]
    assert token.startswith("dmc_scim_")
    again = client.get(URL.format(slug="claude-ent")).content.decode()
    assert token not in again and f"…{token[-4:]}" in again and "never" in again
    record = SCIMToken.objects.get()
    client.post(URL.format(slug="claude-ent") + f"scim-tokens/{record.pk}/revoke/")
    record.refresh_from_db()
    assert record.revoked_at is not None


@pytest.mark.parametrize("body", ["domain=%00", "domain=" + "a" * 300, "domain=%ED%A0%80", "domain=exa+mple.com", "domain=%FF"])
def test_bad_domain_input_is_a_form_error_not_a_500(client, claude_members, body):
    client.force_login(claude_members["owner"].user)
    response = client.post(URL.format(slug="claude-ent") + "domains/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


@pytest.mark.parametrize("email", ["\x00", "not-an-address", "a" * 300 + "@x.test", ""])
def test_the_sso_page_answers_bad_addresses_with_a_form_error(client, email):
    response = client.get("/accounts/sso/", {"email": email})
    assert response.status_code == 400


def test_every_identity_action_is_registered_with_its_label():
    used = {value for name, value in vars(audit).items() if name.startswith("ACTION_")}
    assert used and all(ACTIONS.get(action.code) is action and action.label for action in used)


def test_the_settings_navigation_links_the_page_for_deciders_only(client, claude_members):
    client.force_login(claude_members["owner"].user)
    assert URL.format(slug="claude-ent") in client.get("/orgs/claude-ent/").content.decode()
    client.force_login(claude_members["member"].user)
    assert URL.format(slug="claude-ent") not in client.get("/orgs/claude-ent/").content.decode()


def test_the_staff_admin_names_identity_models_with_their_acronyms(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/identity/").content.decode()
    for name in ("SSO connections", "SCIM tokens", "SCIM groups"):
        assert f">{name}<" in page
    assert "Sso connections" not in page and "Scim tokens" not in page
