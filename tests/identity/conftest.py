"""Identity's real counterparts, started once per test session: a DNS server, an OIDC provider, a SAML IdP."""

import pytest

from identity import services
from identity.models import Domain, SSOConnection
from identity.oidc import redirect_uri
from tests.factories import MembershipFactory, OrganizationFactory
from tests.identity.dns_server import start_dns_server
from tests.identity.oidc_provider import Provider
from tests.identity.saml_idp import SamlIdP

DOMAIN = "acme-sso.test"
CLIENT_ID = "console-client"
CLIENT_SECRET = "client-secret-value"  # noqa: S105


@pytest.fixture(scope="session")
def dns_server():
    server, resolver, address = start_dns_server()
    yield resolver, address
    server.stop()


@pytest.fixture
def dns(dns_server, settings):
    """The test DNS server as the console's nameserver, with no records."""
    resolver, address = dns_server
    resolver.clear()
    settings.DNS_NAMESERVERS = [address]
    yield resolver
    resolver.clear()


@pytest.fixture(scope="session")
def oidc_server():
    provider = Provider()
    yield provider
    provider.stop()


@pytest.fixture
def provider(oidc_server):
    oidc_server.reset()
    yield oidc_server
    oidc_server.reset()


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory):
    idp = SamlIdP(tmp_path_factory.mktemp("saml-idp"))
    yield idp
    idp.stop()


@pytest.fixture
def sso_org(db):
    """An Enterprise org whose Primary Owner and Owner are on its verified domain acme-sso.test."""
    org = OrganizationFactory(slug="acme-sso", name="Acme SSO", plan="enterprise")
    primary = MembershipFactory(organization=org, role="primary_owner", user__email=f"primary@{DOMAIN}")
    owner = MembershipFactory(organization=org, role="owner", user__email=f"owner@{DOMAIN}")
    Domain.objects.create(organization=org, name=DOMAIN, verified_at="2026-01-01T00:00:00Z")
    org.primary, org.owner = primary, owner
    return org


@pytest.fixture
def oidc_connection(sso_org, provider):
    connection = services.configure_oidc(
        actor=sso_org.primary.user, organization=sso_org, issuer=provider.issuer, client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET, jit_role="",
    )
    provider.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uri(connection))
    return connection


@pytest.fixture
def saml_connection(sso_org, saml_idp):
    return services.configure_saml(
        actor=sso_org.primary.user, organization=sso_org, metadata_xml=saml_idp.metadata_xml, metadata_url="", jit_role="",
    )


def reload_connection(connection):
    return SSOConnection.objects.select_related("organization").get(pk=connection.pk)
