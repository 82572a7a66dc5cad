"""Sign-in through a real OpenID Connect provider: JIT, linking, and every refused ID token."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client

from audit.models import AuditEvent
from console.models import User
from orgs.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.identity.conftest import DOMAIN

pytestmark = pytest.mark.django_db


def start(client, email):
    response = client.get("/accounts/sso/", {"email": email})
    assert response.status_code == 302, response.content
    return response["Location"]


def through_provider(client, provider, email, start_as=None, **identity):
    """Start at the console, let the provider answer for ``email``, and bring its answer back to the console."""
    provider.identity = {"email": email, **identity}
    authorize = start(client, start_as or email)
    answer = requests.get(authorize, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    callback = urlparse(answer.headers["Location"])
    return client.get(callback.path, parse_qs(callback.query) and {k: v[0] for k, v in parse_qs(callback.query).items()})


def refusal(response, client):
    assert response.status_code == 302 and response["Location"] == "/accounts/sso/"
    page = client.get("/accounts/sso/")
    return page.content.decode()


def test_first_sign_in_creates_the_account_and_a_member_with_the_jit_role(client, oidc_connection, provider):
    response = through_provider(client, provider, f"new.person@{DOMAIN}", name="New Person")
    assert response.status_code == 302 and response["Location"] == "/orgs/acme-sso/"
    user = User.objects.get(email=f"new.person@{DOMAIN}")
    assert user.full_name == "New Person" and not user.has_usable_password()
    assert Membership.objects.get(user=user, organization=oidc_connection.organization).role == "member"
    event = AuditEvent.objects.get(action="member.added", target__startswith=f"member:new.person@{DOMAIN}")
    assert event.actor is None and event.actor_kind == "sso" and event.new_value == "member"
    assert client.get("/orgs/acme-sso/").status_code == 200


def test_the_authorization_request_uses_pkce_state_and_nonce(client, oidc_connection, provider):
    query = parse_qs(urlparse(start(client, f"x@{DOMAIN}")).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["scope"][0].split() == ["openid", "email", "profile"]


def test_an_existing_account_is_linked_and_keeps_its_password(client, oidc_connection, provider):
    person = UserFactory(email=f"existing@{DOMAIN}")
    MembershipFactory(organization=OrganizationFactory(slug="other-org"), user=person)
    response = through_provider(client, provider, f"Existing@{DOMAIN.upper()}")
    assert response["Location"] == "/orgs/acme-sso/"
    assert User.objects.filter(email=f"existing@{DOMAIN}").count() == 1
    assert Membership.objects.filter(user=person, organization=oidc_connection.organization).exists()
    person.refresh_from_db()
    assert person.has_usable_password()


def test_a_member_signs_in_without_a_second_membership_or_event(client, sso_org, oidc_connection, provider):
    owner = sso_org.owner
    response = through_provider(client, provider, owner.user.email)
    assert response["Location"] == "/orgs/acme-sso/"
    assert Membership.objects.get(pk=owner.pk).role == "owner"
    assert not AuditEvent.objects.filter(organization=sso_org, action="member.added").exists()
    assert client.session["_auth_user_id"] == str(owner.user.pk)


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ({"aud": "someone-else"}, "wrong audience"),
        ({"expires_in": -600}, "expired"),
        ({"nonce": "not-the-nonce"}, "wrong nonce"),
        ({"bad_signature": True}, "bad signature"),
        ({"iss": "https://evil.example"}, "wrong issuer"),
    ],
)
def test_a_wrong_id_token_is_refused_and_nobody_is_signed_in(client, oidc_connection, provider, tamper, code, caplog):
    provider.tamper = tamper
    response = through_provider(client, provider, f"victim@{DOMAIN}")
    text = refusal(response, client)
    assert "could not be verified" in text
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email=f"victim@{DOMAIN}").exists()
    assert code.replace(" ", "_") in caplog.text


def test_an_address_outside_the_verified_domains_is_refused_and_never_matched(client, oidc_connection, provider):
    # The cross-tenant takeover: the org's IdP asserts someone else's address.
    stranger = UserFactory(email="ceo@other-company.test")
    response = through_provider(client, provider, "ceo@other-company.test", start_as=f"someone@{DOMAIN}")
    text = refusal(response, client)
    assert "verified domains" in text
    assert "_auth_user_id" not in client.session
    assert not Membership.objects.filter(user=stranger, organization=oidc_connection.organization).exists()


def test_an_unverified_email_claim_is_refused(client, oidc_connection, provider):
    response = through_provider(client, provider, f"unverified@{DOMAIN}", email_verified=False)
    assert "did not confirm" in refusal(response, client)
    assert not User.objects.filter(email=f"unverified@{DOMAIN}").exists()


def test_entra_xms_edov_stands_in_only_when_email_verified_is_absent(client, oidc_connection, provider):
    response = through_provider(client, provider, f"entra@{DOMAIN}", email_verified=None, extra_claims={"xms_edov": True})
    assert response["Location"] == "/orgs/acme-sso/"
    client.logout()
    response = through_provider(client, provider, f"said-no@{DOMAIN}", email_verified=False, extra_claims={"xms_edov": True})
    assert "did not confirm" in refusal(response, client)
    response = through_provider(client, provider, f"silent@{DOMAIN}", email_verified=None)
    assert "did not confirm" in refusal(response, client)


def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(client, oidc_connection, provider):
    provider.identity = {"email": f"a@{DOMAIN}"}
    authorize = start(client, f"a@{DOMAIN}")
    answer = requests.get(authorize, allow_redirects=False, timeout=5)
    callback = urlparse(answer.headers["Location"])
    params = {k: v[0] for k, v in parse_qs(callback.query).items()}
    other_browser = Client()
    response = other_browser.get(callback.path, params)
    assert "did not start here" in refusal(response, other_browser)
    # The same answer replayed in the browser that started: the state is used up once.
    assert client.get(callback.path, params)["Location"] == "/orgs/acme-sso/"
    client.logout()
    assert client.get(callback.path, params)["Location"] == "/accounts/sso/"


def test_an_unknown_domain_gets_a_clear_message_and_no_redirect(client, oidc_connection):
    response = client.get("/accounts/sso/", {"email": "someone@nowhere.test"})
    assert response.status_code == 400
    assert "No organization has set up single sign-on for nowhere.test" in response.content.decode()


def test_the_form_post_continues_by_a_page_not_a_redirect(client, oidc_connection):
    response = client.post("/accounts/sso/", {"email": f"a@{DOMAIN}"})
    assert response.status_code == 200
    assert 'http-equiv="refresh"' in response.content.decode()
    assert oidc_connection.organization.slug not in response.content.decode().split("<main")[0]


def test_sso_callbacks_are_throttled_per_organization(client, oidc_connection, settings):
    settings.SSO_CALLBACKS_PER_MINUTE = 2
    url = f"/accounts/sso/oidc/{oidc_connection.public_id}/callback/"
    statuses = [client.get(url, {"state": "x", "code": "y"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_a_staff_account_is_never_signed_in_by_an_organizations_provider(client, oidc_connection, provider):
    UserFactory(email=f"operator@{DOMAIN}", is_staff=True, is_superuser=True)
    response = through_provider(client, provider, f"operator@{DOMAIN}")
    refusal(response, client)
    assert "_auth_user_id" not in client.session


def test_providers_are_reached_over_https_unless_development_allows_http(sso_org, settings):
    from identity import services

    settings.IDENTITY_ALLOW_HTTP = False
    with pytest.raises(services.FieldError, match="https://"):
        services.configure_oidc(actor=sso_org.primary.user, organization=sso_org, issuer="http://idp.example",
                                client_id="c", client_secret="s", jit_role="")
    with pytest.raises(services.FieldError, match="https://"):
        services.configure_saml(actor=sso_org.primary.user, organization=sso_org, metadata_xml="",
                                metadata_url="http://idp.example/metadata", jit_role="")


def _words(event):
    from audit.actions import describe_changes

    return [str(change) for change in describe_changes(event.organization, event.action, event.old_value, event.new_value)]


def test_a_reconfiguration_records_only_what_changed_and_never_the_secret(sso_org):
    from identity import services

    settings = {"actor": sso_org.primary.user, "organization": sso_org, "issuer": "https://idp.example/oauth2", "client_id": "c"}
    services.configure_oidc(**settings, client_secret="first-secret", jit_role="")
    services.configure_oidc(**settings, client_secret="second-secret", jit_role="admin")
    services.configure_oidc(**settings, client_secret="", jit_role="admin")  # the stored secret kept: nothing changed
    first, second = AuditEvent.objects.filter(action="identity.sso.configured").order_by("seq")
    assert first.old_value is None and first.new_value["client_secret"] == "set"
    assert (second.old_value, second.new_value) == ({"jit_role": "member"}, {"client_secret": "replaced", "jit_role": "admin"})
    assert _words(second) == ["Client secret: replaced", "Role at first sign-in: Member → Admin"]
    recorded = {str(v) for event in (first, second) for v in (*(event.old_value or {}).values(), *event.new_value.values())}
    assert not {"first-secret", "second-secret"} & recorded
