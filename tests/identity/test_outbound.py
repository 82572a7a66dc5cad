"""Identity providers are reached only at public addresses: an owner cannot point the console at its own
network (loopback services, private ranges, the cloud's metadata address), not even through a redirect."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from console.refusals import code_of
from identity import oidc, outbound, services
from identity.models import SSOConnection
from tests.identity.conftest import DOMAIN
from tests.identity.test_oidc import refusal, start

pytestmark = pytest.mark.django_db

PRIVATE_OR_LOCAL = [
    "http://127.0.0.1:6379/", "http://localhost/metadata", "http://[::1]/", "http://10.0.0.5/", "http://172.16.0.1/",
    "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://[fd00::1]/", "http://[fe80::1]/",
]


@pytest.fixture
def no_loopback(settings):
    """Production's rule: loopback refused too (development and these tests' providers allow it)."""
    settings.IDENTITY_ALLOW_LOOPBACK = False
    return settings


class Redirector:
    """A loopback HTTP server that answers every GET with a redirect to `location`, counting them."""

    def __init__(self):
        self.location, self.hits = "", 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                owner.hits += 1
                self.send_response(302)
                self.send_header("Location", owner.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/metadata"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def redirector():
    server = Redirector()
    yield server
    server.stop()


@pytest.mark.parametrize("url", PRIVATE_OR_LOCAL)
def test_a_private_or_local_address_is_refused_beside_its_field_when_saved(sso_org, no_loopback, url):
    owner = sso_org.primary.user
    with pytest.raises(services.FieldError) as saml_refusal:
        services.configure_saml(actor=owner, organization=sso_org, metadata_xml="", metadata_url=url, jit_role="")
    with pytest.raises(services.FieldError) as oidc_refusal:
        services.configure_oidc(actor=owner, organization=sso_org, issuer=url, client_id="c", client_secret="s",
                                jit_role="")
    assert (saml_refusal.value.field, code_of(saml_refusal.value.args[0])) == ("idp_metadata_url", "private_address")
    assert (oidc_refusal.value.field, code_of(oidc_refusal.value.args[0])) == ("issuer", "private_address")
    assert not SSOConnection.objects.filter(organization=sso_org).exclude(protocol="").exists()


def test_the_settings_page_shows_the_refusal_next_to_the_metadata_url(client, sso_org, no_loopback):
    client.force_login(sso_org.primary.user)
    response = client.post("/orgs/acme-sso/settings/identity/sso/", {
        "protocol": "saml", "idp_metadata_url": "http://169.254.169.254/latest/meta-data/", "jit_role": "member",
    })
    assert response.status_code == 400
    assert "leads to a private or local network" in response.content.decode()


def test_a_name_that_does_not_resolve_yet_may_be_saved(sso_org, no_loopback):
    connection = services.configure_oidc(actor=sso_org.primary.user, organization=sso_org, issuer="https://idp.example",
                                         client_id="c", client_secret="s", jit_role="")
    assert connection.issuer == "https://idp.example"


def test_a_public_address_that_redirects_into_the_private_network_is_refused(sso_org, redirector):
    # Loopback is allowed here (the redirector listens on it): the redirect's target is what gets refused.
    redirector.location = "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(services.FieldError, match="private or local network address") as refused:
        services.configure_saml(actor=sso_org.primary.user, organization=sso_org, metadata_xml="",
                                metadata_url=redirector.url, jit_role="")
    assert refused.value.field == "idp_metadata_xml"
    assert redirector.hits == 1


def test_redirects_are_followed_a_few_times_only(redirector):
    redirector.location = redirector.url
    with pytest.raises(requests.TooManyRedirects), outbound.session() as http:
        http.get(redirector.url)
    assert redirector.hits == outbound.MAX_REDIRECTS + 1


def test_a_sign_in_never_asks_a_provider_on_a_refused_address_for_discovery(client, oidc_connection, provider, no_loopback,
                                                                             caplog):
    response = client.get("/accounts/sso/", {"email": f"member@{DOMAIN}"})
    assert response.status_code == 502
    assert "could not be reached" in response.content.decode()
    assert provider.requests == []
    assert "provider_address_refused" in caplog.text


def test_the_token_exchange_never_reaches_a_refused_address(client, oidc_connection, provider, settings):
    provider.identity = {"email": f"member@{DOMAIN}"}
    authorize = start(client, f"member@{DOMAIN}")  # discovery read (and cached) while loopback is allowed
    answer = requests.get(authorize, allow_redirects=False, timeout=5)
    callback = urlparse(answer.headers["Location"])
    settings.IDENTITY_ALLOW_LOOPBACK = False
    response = client.get(callback.path, {k: v[0] for k, v in parse_qs(callback.query).items()})
    refusal(response, client)
    assert "_auth_user_id" not in client.session
    assert not [request for request in provider.requests if request[0] == "POST"]


def test_the_token_session_carries_the_filter(oidc_connection, no_loopback):
    with pytest.raises(outbound.InvalidIPAddress):
        oidc._session(oidc_connection).post("http://169.254.169.254/token", timeout=1, withhold_token=True)
