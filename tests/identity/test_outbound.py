"""Identity providers are reached only at public addresses, over HTTPS, with a bounded answer: an owner
cannot point the console at its own network (loopback services, private ranges, the cloud's metadata
address), not through a redirect or another spelling, and a hostile provider cannot hold a worker."""

import contextlib
import gzip
import ipaddress
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.core.cache import cache

from console.refusals import code_of
from identity import oidc, outbound, services
from identity.models import SSOConnection
from tests.identity.conftest import DOMAIN
from tests.identity.saml_idp import key_pair
from tests.identity.test_oidc import refusal, start

pytestmark = pytest.mark.django_db

PRIVATE_OR_LOCAL = [
    "http://127.0.0.1:6379/", "http://localhost/metadata", "http://[::1]/", "http://10.0.0.5/", "http://172.16.0.1/",
    "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://[fd00::1]/", "http://[fe80::1]/",
    # IPv6 forms that carry an IPv4 address, and site-local: the filter library lets these through.
    "http://[::127.0.0.1]/", "http://[::a9fe:a9fe]/", "http://[::ffff:0:a9fe:a9fe]/", "http://[fec0::1]/",
]


@pytest.fixture
def no_loopback(settings):
    """Production's rule: loopback refused too (development and these tests' providers allow it)."""
    settings.IDENTITY_ALLOW_LOOPBACK = False
    return settings


class Server:
    """A loopback HTTP(S) server whose every GET is answered by `answer(handler)`, counting the GETs."""

    def __init__(self, answer, tls=None):
        self.answer, self.hits = answer, 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                owner.hits += 1
                # The console hanging up (a long or slow answer cut short) is what some tests check.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    owner.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/metadata"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def redirect_to(location):
    def answer(handler):
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


def body(content, **headers):
    def answer(handler):
        handler.send_response(200)
        for name, value in {"Content-Length": str(len(content)), **headers}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(content)
    return answer


def drip(handler):
    """Headers at once, then one byte every 0.2 s, for ever."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    while True:
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.2)


@pytest.fixture
def serve():
    servers = []

    def make(answer, tls=None):
        servers.append(Server(answer, tls))
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def loopback_certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    key_file, cert_file = key_pair(tmp_path_factory.mktemp("tls"), "loopback", ip="127.0.0.1")
    return cert_file, key_file


def configure_saml_from(org, url):
    return services.configure_saml(actor=org.primary.user, organization=org, metadata_xml="", metadata_url=url,
                                   jit_role="")


# Saving an address


@pytest.mark.parametrize("url", PRIVATE_OR_LOCAL)
def test_a_private_or_local_address_is_refused_beside_its_field_when_saved(sso_org, no_loopback, url):
    with pytest.raises(services.FieldError) as saml_refusal:
        configure_saml_from(sso_org, url)
    with pytest.raises(services.FieldError) as oidc_refusal:
        services.configure_oidc(actor=sso_org.primary.user, organization=sso_org, issuer=url, client_id="c",
                                client_secret="s", jit_role="")
    assert (saml_refusal.value.field, code_of(saml_refusal.value.args[0])) == ("idp_metadata_url", "private_address")
    assert (oidc_refusal.value.field, code_of(oidc_refusal.value.args[0])) == ("issuer", "private_address")
    assert not SSOConnection.objects.filter(organization=sso_org).exclude(protocol="").exists()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1\\@idp.example/", "http://idp.example\\@127.0.0.1/", "https://idp.example:99999/",
    "https://idp.example:0/", "https:///no-host", "https://idp\x00.example/", "https://\ud800.example/",
    "http://[::1%25lo]/",  # an IPv6 zone: never a provider's address
    "https://\u217cocalhost/",  # a look-alike of "localhost" (small roman numeral fifty)
])
def test_an_address_requests_would_read_otherwise_is_refused_when_saved(sso_org, url):
    with pytest.raises(services.FieldError) as refused:
        services.configure_oidc(actor=sso_org.primary.user, organization=sso_org, issuer=url, client_id="c",
                                client_secret="s", jit_role="")
    assert code_of(refused.value.args[0]) == "address_invalid"


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


# Every hop of a fetch


def test_a_public_address_that_redirects_into_the_private_network_is_refused(sso_org, serve):
    # Loopback is allowed here (the server listens on it): the redirect's target is what gets refused.
    server = serve(redirect_to("http://169.254.169.254/latest/meta-data/"))
    with pytest.raises(services.FieldError, match="private or local network address") as refused:
        configure_saml_from(sso_org, server.url)
    assert refused.value.field == "idp_metadata_url"
    assert server.hits == 1


def test_redirects_are_followed_a_few_times_only(serve):
    server = serve(None)
    server.answer = redirect_to(server.url)
    with pytest.raises(requests.TooManyRedirects), outbound.session() as http:
        http.get(server.url)
    assert server.hits == outbound.MAX_REDIRECTS + 1


def test_plain_http_is_refused_on_every_hop_unless_development_allows_it(serve, loopback_certificate, settings):
    settings.IDENTITY_ALLOW_HTTP = False
    target = serve(body(b"{}"))
    with pytest.raises(outbound.PlainHTTPRefused), outbound.session() as http:
        http.get(target.url)
    # A provider on https:// that sends the console on to http://: the second hop is never made.
    first = serve(redirect_to(target.url), tls=loopback_certificate)
    with pytest.raises(outbound.PlainHTTPRefused), outbound.session() as http:
        http.get(first.url, verify=loopback_certificate[0])
    assert (first.hits, target.hits) == (1, 0)


def test_proxies_from_the_environment_are_not_used(serve, monkeypatch):
    # A proxy would resolve the name again, undoing the check: the variable is ignored.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):  # nothing exempts the server from the proxy
        monkeypatch.delenv(name, raising=False)
    server = serve(body(b"{}"))
    with outbound.session() as http:
        assert http.get(server.url).json() == {}
    assert server.hits == 1


# The answer


@pytest.mark.parametrize("answer", [
    body(b" " * (outbound.MAX_RESPONSE_BYTES + 1)),
    # 50 MB of zeros in ~50 kB: counted after decompression.
    body(gzip.compress(b"\0" * 50_000_000, compresslevel=9), **{"Content-Encoding": "gzip"}),
], ids=["long", "gzip-bomb"])
def test_an_answer_longer_than_the_limit_is_refused_beside_the_url(sso_org, serve, answer):
    server = serve(answer)
    with pytest.raises(services.FieldError, match="longer than 1 MB") as refused:
        configure_saml_from(sso_org, server.url)
    assert refused.value.field == "idp_metadata_url"


def test_an_answer_dripped_byte_by_byte_is_cut_at_the_deadline(sso_org, serve, settings):
    settings.SSO_HTTP_TIMEOUT_SECONDS = 1  # each read gets 1 s; the whole answer 2 s
    server = serve(drip)
    with pytest.raises(services.FieldError, match="did not answer in time"):
        configure_saml_from(sso_org, server.url)
    assert server.hits == 1


def status_only(code):
    def answer(handler):
        handler.send_response(code)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


def stall_after_headers(handler):
    handler.send_response(200)
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    time.sleep(3)


def broken(header, value, data):
    """An answer whose body does not keep the promise its header makes, then the connection closed."""
    def answer(handler):
        handler.send_response(200)
        handler.send_header(header, value)
        handler.end_headers()
        handler.wfile.write(data)
        handler.close_connection = True
    return answer


cut_short = broken("Content-Length", "100", b"<md:Entity")
bad_chunks = broken("Transfer-Encoding", "chunked", b"zz\r\nnot a chunk\r\n")


@pytest.mark.parametrize(("answer", "words"), [
    (status_only(404), "the server answered HTTP 404"),
    (stall_after_headers, "did not answer in time"),
    (cut_short, "its answer was cut short or unreadable"),
    (bad_chunks, "its answer was cut short or unreadable"),
    (body(b"not gzip at all", **{"Content-Encoding": "gzip"}), "its answer was cut short or unreadable"),
], ids=["404", "stalled", "cut-short", "bad-chunks", "bad-gzip"])
def test_failures_are_refusals_in_plain_words(sso_org, serve, settings, answer, words):
    settings.SSO_HTTP_TIMEOUT_SECONDS = 1
    server = serve(answer)
    with pytest.raises(services.FieldError, match=words) as refused:
        configure_saml_from(sso_org, server.url)
    assert refused.value.field == "idp_metadata_url"


def test_a_server_that_is_gone_could_not_be_reached(sso_org, serve):
    server = serve(body(b""))
    server.stop()
    with pytest.raises(services.FieldError, match="the server could not be reached"):
        configure_saml_from(sso_org, server.url)


def test_one_deadline_covers_every_redirect_of_a_call(serve, settings):
    settings.SSO_HTTP_TIMEOUT_SECONDS = 1  # a call gets 2 s; each hop here takes 0.5 s

    def slow_redirect(handler):
        time.sleep(0.5)
        redirect_to(server.url)(handler)

    server = serve(slow_redirect)
    with pytest.raises(requests.Timeout), outbound.session() as http:
        http.get(server.url)
    assert server.hits <= 5  # never the 6 hops the redirect limit allows


def test_loopback_is_allowed_in_both_families_where_development_allows_it(settings):
    settings.IDENTITY_ALLOW_LOOPBACK = True
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert not outbound.is_refused_ip(ipaddress.ip_address(address), allow_loopback=True)
    assert not outbound.leads_to_refused_address("http://[::1]:8000/")
    assert outbound.leads_to_refused_address("http://[::a9fe:a9fe]/")


# Sign-in


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


def test_the_token_session_carries_the_rules(oidc_connection, no_loopback):
    with pytest.raises(outbound.InvalidIPAddress):
        oidc._session(oidc_connection).post("http://169.254.169.254/token", timeout=1, withhold_token=True)


def test_json_nested_thousands_deep_is_a_refusal_not_an_error(client, sso_org, serve):
    server = serve(body(b"[" * 100_000 + b"]" * 100_000, **{"Content-Type": "application/json"}))
    services.configure_oidc(actor=sso_org.primary.user, organization=sso_org, issuer=server.url, client_id="c",
                            client_secret="s", jit_role="")
    cache.clear()
    response = client.get("/accounts/sso/", {"email": f"member@{DOMAIN}"})
    assert response.status_code == 502
    assert server.hits == 1


def test_a_failed_discovery_is_not_asked_again_for_a_while(client, sso_org, serve):
    server = serve(body(b"not json"))
    services.configure_oidc(actor=sso_org.primary.user, organization=sso_org, issuer=server.url, client_id="c",
                            client_secret="s", jit_role="")
    statuses = [client.get("/accounts/sso/", {"email": f"member@{DOMAIN}"}).status_code for _ in range(3)]
    assert statuses == [502, 502, 502]
    assert server.hits == 1
    cache.delete(oidc._cache_key("discovery-failed", server.url))  # what FAILURE_SECONDS later brings
    assert client.get("/accounts/sso/", {"email": f"member@{DOMAIN}"}).status_code == 502
    assert server.hits == 2
