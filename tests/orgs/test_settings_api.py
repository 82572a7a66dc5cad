"""GET /api/v1/orgs/<slug>/settings: the data settings for any member, JSON errors otherwise."""

import pytest

from orgs.models import Organization
from tests.conftest import CLAUDE_ROLES, CONSOLE_ROLES

pytestmark = pytest.mark.django_db

TRAINING_OFF = {"model_training_enabled": False, "model_training_since": None, "model_training_terms_version": None}


def _url(slug):
    return f"/api/v1/orgs/{slug}/settings"


@pytest.mark.parametrize("role", CLAUDE_ROLES)
def test_any_claude_member_reads_thumbs_feedback(client, claude_members, role):
    client.force_login(claude_members[role].user)
    response = client.get(_url("claude-ent"))
    assert response.status_code == 200
    assert response.json() == {"thumbs_feedback_enabled": True, **TRAINING_OFF}


@pytest.mark.parametrize("role", CONSOLE_ROLES)
def test_any_console_member_reads_workbench_feedback(client, console_members, role):
    client.force_login(console_members[role].user)
    response = client.get(_url("console-org"))
    assert response.status_code == 200
    assert response.json() == {"workbench_feedback_enabled": True, **TRAINING_OFF}


def test_the_api_reflects_a_setting_turned_off(client, claude_members):
    Organization.objects.filter(slug="claude-ent").update(thumbs_feedback_enabled=False)
    client.force_login(claude_members["member"].user)
    assert client.get(_url("claude-ent")).json() == {"thumbs_feedback_enabled": False, **TRAINING_OFF}


def test_team_plan_members_read_their_setting(client, team_members):
    client.force_login(team_members["member"].user)
    assert client.get(_url("claude-team")).json() == {"thumbs_feedback_enabled": True, **TRAINING_OFF}


def test_signed_out_is_401_json(client, claude_org):
    response = client.get(_url("claude-ent"))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_authenticated"
    assert response.json()["detail"]


def test_unknown_org_is_404_json(client, outsider):
    client.force_login(outsider)
    response = client.get(_url("no-such-org"))
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "No such organization."}


def test_non_member_gets_the_same_404_as_for_a_missing_org(client, claude_org, outsider):
    client.force_login(outsider)
    stranger = client.get(_url("claude-ent"))
    missing = client.get(_url("no-such-org"))
    assert (stranger.status_code, stranger.content) == (missing.status_code, missing.content)
    assert stranger.json() == {"error": "not_found", "detail": "No such organization."}


def test_posting_settings_is_405_and_changes_nothing(client, claude_members):
    client.force_login(claude_members["owner"].user)
    response = client.post(_url("claude-ent"), {"thumbs_feedback_enabled": False}, content_type="application/json")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH"}
    assert response.json()["error"] == "method_not_allowed"
    assert Organization.objects.get(slug="claude-ent").thumbs_feedback_enabled is True


def test_a_session_cannot_change_settings_through_the_api_only_a_key_can(client, claude_members):
    # People change settings on the page, where turning one off is confirmed.
    client.force_login(claude_members["owner"].user)
    response = client.patch(_url("claude-ent"), {"thumbs_feedback_enabled": False}, content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")
    assert "x-api-key" in response.json()["detail"]
    assert Organization.objects.get(slug="claude-ent").thumbs_feedback_enabled is True
