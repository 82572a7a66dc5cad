"""Sign-in through a real SAML IdP (pysaml2): JIT, linking, and every refused assertion."""

import pytest

from console.models import User
from identity import services
from orgs.models import Membership
from tests.factories import UserFactory
from tests.identity.conftest import DOMAIN
from tests.identity.saml_idp import ENTITY_ID, SSO_URL

pytestmark = pytest.mark.django_db


def sp_metadata(client, connection):
    response = client.get(f"/accounts/sso/saml/{connection.public_id}/metadata/")
    assert response.status_code == 200
    return response.content.decode()


def start(client, email):
    response = client.get("/accounts/sso/", {"email": email})
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(SSO_URL + "?SAMLRequest=")
    return response["Location"]


def sign_in(client, idp, connection, email, start_as=None, **wrong):
    location = start(client, start_as or email)
    fields = idp.respond(location, sp_metadata(client, connection), email, **wrong)
    return client.post(f"/accounts/sso/saml/{connection.public_id}/acs/", fields), fields


def refusal(response, client):
    assert response.status_code == 302 and response["Location"] == "/accounts/sso/"
    return client.get("/accounts/sso/").content.decode()


def test_first_sign_in_creates_the_account_with_the_jit_role(client, saml_connection, saml_idp):
    assert saml_connection.idp_entity_id == ENTITY_ID
    response, _ = sign_in(client, saml_idp, saml_connection, f"ada@{DOMAIN}")
    assert response.status_code == 302 and response["Location"] == "/orgs/acme-sso/"
    user = User.objects.get(email=f"ada@{DOMAIN}")
    assert user.full_name == "Ada Lovelace"
    assert Membership.objects.get(user=user).role == "member"
    assert client.get("/orgs/acme-sso/").status_code == 200


def test_an_existing_account_is_linked(client, saml_connection, saml_idp):
    person = UserFactory(email=f"linked@{DOMAIN}")
    response, _ = sign_in(client, saml_idp, saml_connection, f"linked@{DOMAIN}")
    assert response["Location"] == "/orgs/acme-sso/"
    assert client.session["_auth_user_id"] == str(person.pk)


def test_the_jit_role_chosen_on_the_page_is_given(client, sso_org, saml_idp):
    connection = services.configure_saml(
        actor=sso_org.primary.user, organization=sso_org, metadata_xml="", metadata_url=saml_idp.metadata_url,
        jit_role="admin",
    )
    assert connection.idp_entity_id == ENTITY_ID  # read from the metadata URL
    sign_in(client, saml_idp, connection, f"lead@{DOMAIN}")
    assert Membership.objects.get(user__email=f"lead@{DOMAIN}").role == "admin"


@pytest.mark.parametrize(
    ("wrong", "code"),
    [
        ({"audience": "https://someone-else.example/sp"}, "wrong_audience"),
        ({"lifetime": -10}, "expired"),
        ({"key": "rogue"}, "bad_signature"),
        ({"sign": False}, "bad_signature"),
        ({"destination": "https://evil.example/acs/"}, "wrong_recipient"),
    ],
)
def test_a_wrong_assertion_is_refused_and_nobody_is_signed_in(client, saml_connection, saml_idp, wrong, code, caplog):
    response, _ = sign_in(client, saml_idp, saml_connection, f"victim@{DOMAIN}", **wrong)
    refusal(response, client)
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email=f"victim@{DOMAIN}").exists()
    assert code in caplog.text


def test_a_replayed_assertion_is_refused(client, saml_connection, saml_idp):
    response, fields = sign_in(client, saml_idp, saml_connection, f"once@{DOMAIN}")
    assert response["Location"] == "/orgs/acme-sso/"
    client.logout()
    # The same POST again, with a fresh relay state so only the assertion's ID is left to refuse it.
    location = start(client, f"once@{DOMAIN}")
    relay_state = location.split("RelayState=")[1].split("&")[0]
    from urllib.parse import unquote

    replay = client.post(f"/accounts/sso/saml/{saml_connection.public_id}/acs/",
                         {"SAMLResponse": fields["SAMLResponse"], "RelayState": unquote(relay_state)})
    refusal(replay, client)
    assert "_auth_user_id" not in client.session


def test_the_same_post_twice_is_refused(client, saml_connection, saml_idp):
    response, fields = sign_in(client, saml_idp, saml_connection, f"twice@{DOMAIN}")
    assert response["Location"] == "/orgs/acme-sso/"
    client.logout()
    again = client.post(f"/accounts/sso/saml/{saml_connection.public_id}/acs/", fields)
    assert "did not start here" in refusal(again, client)


def test_an_address_outside_the_verified_domains_is_refused_and_never_matched(client, saml_connection, saml_idp):
    stranger = UserFactory(email="ceo@other-company.test")
    response, _ = sign_in(client, saml_idp, saml_connection, "ceo@other-company.test", start_as=f"x@{DOMAIN}")
    assert "verified domains" in refusal(response, client)
    assert not Membership.objects.filter(user=stranger).exists()
    assert "_auth_user_id" not in client.session


def test_an_unsolicited_response_is_refused(client, saml_connection, saml_idp):
    location = start(client, f"x@{DOMAIN}")
    fields = saml_idp.respond(location, sp_metadata(client, saml_connection), f"x@{DOMAIN}")
    response = client.post(f"/accounts/sso/saml/{saml_connection.public_id}/acs/", {"SAMLResponse": fields["SAMLResponse"]})
    assert "did not start here" in refusal(response, client)


def test_garbage_at_the_acs_is_a_refusal_not_an_error(client, saml_connection):
    acs = f"/accounts/sso/saml/{saml_connection.public_id}/acs/"
    for body in ({"SAMLResponse": "not base64", "RelayState": "x"}, {}, {"SAMLResponse": "PHNhbWw+", "RelayState": "y" * 500}):
        assert client.post(acs, body).status_code == 302
    # A NUL is refused before any view reads the form (console.middleware.UnreadableInputMiddleware).
    assert client.post(acs, {"SAMLResponse": "not base64 \x00", "RelayState": "x"}).status_code == 400


def test_sp_metadata_names_the_acs_and_the_entity_id(client, saml_connection):
    xml = sp_metadata(client, saml_connection)
    assert f'entityID="http://testserver/accounts/sso/saml/{saml_connection.public_id}/metadata/"' in xml
    assert f"http://testserver/accounts/sso/saml/{saml_connection.public_id}/acs/" in xml


def test_metadata_that_is_not_an_idp_is_refused_beside_the_field(client, sso_org):
    client.force_login(sso_org.primary.user)
    response = client.post("/orgs/acme-sso/settings/identity/sso/", {
        "protocol": "saml", "idp_metadata_xml": "<x/>", "jit_role": "member",
    })
    assert response.status_code == 400
    assert "not SAML 2.0 metadata" in response.content.decode()
