"""A person signs in through the OpenID Connect provider in a real browser and lands in their organization."""

from playwright.sync_api import expect

from identity import services
from identity.models import Domain
from identity.oidc import redirect_uri
from orgs.models import Membership, Organization
from tests.identity.conftest import CLIENT_ID, CLIENT_SECRET, oidc_server, provider  # noqa: F401 - fixtures


def test_a_new_person_signs_in_through_the_oidc_provider(page, demo, live_server, settings, provider):  # noqa: F811
    settings.SITE_URL = live_server.url
    acme = Organization.objects.get(slug="acme")
    primary = Membership.objects.get(organization=acme, role="primary_owner").user
    Domain.objects.create(organization=acme, name="acme.test", verified_at="2026-01-01T00:00:00Z")
    connection = services.configure_oidc(actor=primary, organization=acme, issuer=provider.issuer, client_id=CLIENT_ID,
                                         client_secret=CLIENT_SECRET, jit_role="")
    provider.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uri(connection))
    provider.interactive = True
    provider.identity = {"email": "newcomer@acme.test", "name": "New Comer"}

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_label("Work e-mail address").fill("newcomer@acme.test")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("E-mail").fill("newcomer@acme.test")
    page.get_by_label("Password").fill(provider.password)
    page.get_by_role("button", name="Sign in to the identity provider").click()
    expect(page.get_by_role("heading", level=1, name="Acme Corp")).to_be_visible()
    expect(page.locator(".who")).to_have_text("newcomer@acme.test")
    assert Membership.objects.get(organization=acme, user__email="newcomer@acme.test").role == "member"
