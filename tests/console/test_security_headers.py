"""Nothing sensitive is kept by browsers or proxies; every page carries the CSP and Permissions-Policy."""

import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db


def _pages(org):
    return [
        "/",
        f"/orgs/{org.slug}/",
        f"/orgs/{org.slug}/settings/data-management/",
        f"/orgs/{org.slug}/settings/members/",
        f"/orgs/{org.slug}/settings/audit-log/",
        f"/orgs/{org.slug}/settings/audit-log/export.csv",
        f"/orgs/{org.slug}/chat/",
        f"/api/v1/orgs/{org.slug}/settings",
        "/api/v1/me",
        "/api/v1/docs/",
        "/api/v1/openapi.json",
    ]


def test_signed_in_pages_csv_and_api_answers_are_never_stored(client, claude_members):
    org = claude_members["primary_owner"].organization
    login(client, claude_members["primary_owner"].user)
    for url in _pages(org):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_api_errors_are_never_stored_either(client, claude_members, outsider):
    org = claude_members["owner"].organization
    login(client, outsider)
    response = client.get(f"/api/v1/orgs/{org.slug}/settings")
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    response = client.post(f"/api/v1/orgs/{org.slug}/feedback", "{}", content_type="application/json")
    assert "no-store" in response["Cache-Control"]


def test_every_page_carries_a_strict_csp_and_a_permissions_policy(client, claude_members):
    org = claude_members["primary_owner"].organization
    for url in ["/accounts/login/", "/healthz"]:
        response = client.get(url)
        _assert_strict_csp(response, url)
    login(client, claude_members["primary_owner"].user)
    for url in _pages(org):
        _assert_strict_csp(client.get(url), url)


def test_admin_pages_carry_the_csp(admin_client):
    for url in ["/admin/", "/admin/login/", "/admin/orgs/organization/"]:
        response = admin_client.get(url)
        _assert_strict_csp(response, url)


def _assert_strict_csp(response, url):
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'", url
    assert directives["script-src"] == "'self'", url
    assert "unsafe" not in csp, url
    assert directives["frame-ancestors"] == "'none'", url
    assert directives["form-action"] == "'self'", url
    assert "camera=()" in response["Permissions-Policy"], url
    assert "geolocation=()" in response["Permissions-Policy"], url
