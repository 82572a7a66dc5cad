"""Under /api/ every answer that is not 2xx is the API's JSON error, whichever layer refused; pages stay HTML."""

import json

import pytest
from django.test import Client, RequestFactory

from console import outage
from feedback.models import Feedback
from orgs.models import Organization


def assert_json_error(response, status, code):
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["error"] == code
    assert body["detail"]
    return body


@pytest.fixture
def member(client, claude_members):
    client.force_login(claude_members["member"].user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/orgs/a.b/feedback", "/api/v1/orgs/a.b/settings",
                                  "/api/v1/orgs/claude-ent/feedback/extra", "/api/v2/me", "/api/"])
def test_unknown_path_or_bad_slug_is_json_404(member, path):
    assert_json_error(member.get(path), 404, "not_found")
    assert_json_error(member.post(path, "{}", content_type="application/json"), 404, "not_found")


@pytest.mark.django_db
def test_unknown_path_is_json_404_with_debug_on_too(member, settings):
    settings.DEBUG = True
    assert_json_error(member.get("/api/v1/nothing-here"), 404, "not_found")


@pytest.mark.django_db
def test_pages_keep_the_html_404(member):
    response = member.get("/orgs/no-such-org/chat/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_wrong_method_on_me_is_json_405_with_allow(member, method):
    response = getattr(member, method)("/api/v1/me")
    assert_json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/orgs/claude-ent/settings"])
def test_csrf_failure_is_json_403_csrf_failed(claude_members, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(claude_members["owner"].user)
    response = client.post(path, json.dumps({"thumbs_feedback_enabled": False}), content_type="application/json")
    assert_json_error(response, 403, "csrf_failed")
    assert Organization.objects.get(slug="claude-ent").thumbs_feedback_enabled is True


@pytest.mark.django_db
def test_csrf_failure_on_a_page_stays_html(claude_members):
    client = Client(enforce_csrf_checks=True)
    client.force_login(claude_members["owner"].user)
    response = client.post("/orgs/claude-ent/settings/data-management/", {"thumbs_feedback_enabled": ""})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def csrf_client(user):
    """A client that enforces CSRF and holds a CSRF cookie (so the middleware goes on to read the body)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/orgs/claude-ent/chat/")
    assert client.cookies["csrftoken"].value
    return client


@pytest.mark.django_db
def test_unparseable_multipart_body_elsewhere_under_api_is_json_400(claude_members):
    client = csrf_client(claude_members["owner"].user)
    response = client.post("/api/v1/orgs/claude-ent/settings", "--x\r\n", content_type="multipart/form-data")
    assert_json_error(response, 400, "invalid")


@pytest.mark.django_db
def test_form_body_past_djangos_limit_elsewhere_under_api_is_json_413(claude_members, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = csrf_client(claude_members["owner"].user)
    response = client.post("/api/v1/me", "a=" + "x" * 4096, content_type="application/x-www-form-urlencoded")
    assert_json_error(response, 413, "too_large")


@pytest.mark.django_db
def test_feedback_endpoint_names_every_transport_error_in_json(member):
    url = "/api/v1/orgs/claude-ent/feedback"
    assert_json_error(member.post(url, "--x\r\n", content_type="multipart/form-data"), 415, "unsupported_media_type")
    assert_json_error(member.post(url, "a=" + "x" * 300_000, content_type="application/x-www-form-urlencoded"), 413, "too_large")
    assert not Feedback.objects.exists()


def test_server_error_under_api_is_json_and_pages_keep_the_html_page():
    factory = RequestFactory()
    assert_json_error(outage.server_error(factory.post("/api/v1/orgs/x/feedback")), 500, "server_error")
    page = outage.server_error(factory.get("/orgs/x/chat/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_an_exception_in_an_api_view_is_a_json_500(member, monkeypatch):
    # The view's collaborator raising is the unhandled bug being simulated; the handler under test is real.
    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("api.endpoints.session.record_feedback", broken)
    member.raise_request_exception = False
    response = member.post("/api/v1/orgs/claude-ent/feedback", json.dumps({
        "surface": "chat", "rating": "up", "conversation": {"messages": [{"role": "assistant", "content": "x"}]},
    }), content_type="application/json")
    assert_json_error(response, 500, "server_error")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs/"])
def test_wrong_method_on_the_documents_is_json_405(member, path):
    response = member.delete(path)
    assert_json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
