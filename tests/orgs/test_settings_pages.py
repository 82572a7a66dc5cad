"""Settings → Data Management and Settings → Privacy: toggling, confirmation, audit, Team plan."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from orgs.kinds import CLAUDE, CONSOLE
from orgs.models import Organization

ACTION_THUMBS_FEEDBACK, ACTION_WORKBENCH_FEEDBACK = CLAUDE.setting_action.code, CONSOLE.setting_action.code
ERR_TEAM_PLAN = "Thumbs Feedback can be changed on the Enterprise plan only."
DENIED_DATA_MANAGEMENT = "Only the Primary Owner and Owners of this organization can open Data Management."
DENIED_PRIVACY = "Only the Org Admins of this organization can open Privacy."

pytestmark = pytest.mark.django_db

CLIENT_IP = "203.0.113.7"
UA = "pytest-browser/1.0"

# (org fixture, members fixture, manager role, url name, field, audit action)
PAGES = {
    "data-management": ("claude_members", "owner", "orgs:data-management", "thumbs_feedback_enabled",
                        ACTION_THUMBS_FEEDBACK),
    "privacy": ("console_members", "admin", "orgs:privacy", "workbench_feedback_enabled", ACTION_WORKBENCH_FEEDBACK),
}


@pytest.fixture(params=list(PAGES))
def setting(request, client):
    """A signed-in manager on one of the two data settings pages."""
    members_fixture, role, url_name, field, action = PAGES[request.param]
    members = request.getfixturevalue(members_fixture)
    manager = members[role]
    client.force_login(manager.user)
    org = manager.organization
    return {
        "client": client,
        "org": org,
        "user": manager.user,
        "url": reverse(url_name, args=[org.slug]),
        "confirm_url": reverse(url_name + "-confirm", args=[org.slug]),
        "field": field,
        "action": action,
    }


def _post(setting, url, data):
    return setting["client"].post(url, data, REMOTE_ADDR=CLIENT_IP, HTTP_USER_AGENT=UA)


def _value(setting):
    return getattr(Organization.objects.get(pk=setting["org"].pk), setting["field"])


def _set(setting, value):
    Organization.objects.filter(pk=setting["org"].pk).update(**{setting["field"]: value})


def test_page_shows_the_setting_on_by_default_with_a_checked_checkbox(setting):
    response = setting["client"].get(setting["url"])
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="{setting["field"]}"' in html
    assert "checked" in html
    assert 'data-testid="setting-state">On<' in html
    assert "csrfmiddlewaretoken" in html


def test_page_explains_what_the_setting_does_and_the_retention_in_force(setting, settings):
    settings.FEEDBACK_RETENTION_YEARS = 3
    html = setting["client"].get(setting["url"]).content.decode()
    assert "de-linked" in html
    assert "connectors" in html
    assert "nobody in the organization can submit feedback" in html
    assert "not used to train models unless someone gives feedback" in html
    assert "deleted at 00:00 UTC on the day they turn 3 years old: up to a day early, never later" in html


def test_turning_off_without_confirming_answers_a_confirmation_form_and_changes_nothing(setting):
    response = _post(setting, setting["url"], {})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="{setting["confirm_url"]}"' in html
    assert setting["confirm_url"].startswith(setting["url"])
    assert "server refuses new reports" in html
    assert _value(setting) is True
    assert not AuditEvent.objects.exists()


def test_confirming_turns_the_setting_off_with_one_audit_event(setting):
    response = _post(setting, setting["confirm_url"], {"confirmed": "yes"})
    assert response.status_code == 302
    assert response["Location"] == setting["url"]
    assert _value(setting) is False
    event = AuditEvent.objects.get()
    assert (event.action, event.old_value, event.new_value) == (setting["action"], True, False)
    assert event.actor == setting["user"]
    assert event.actor_email == setting["user"].email
    assert event.ip_address == CLIENT_IP
    assert event.user_agent == UA
    assert event.organization_id == setting["org"].pk


def test_success_shows_a_message_after_the_redirect(setting):
    response = setting["client"].post(setting["confirm_url"], {"confirmed": "yes"}, follow=True)
    assert "is now off" in response.content.decode()
    assert 'data-testid="setting-state">Off<' in response.content.decode()


def test_confirm_url_without_the_confirmed_field_asks_again_and_changes_nothing(setting):
    response = _post(setting, setting["confirm_url"], {})
    assert response.status_code == 200
    assert f'action="{setting["confirm_url"]}"' in response.content.decode()
    assert _value(setting) is True
    assert not AuditEvent.objects.exists()


def test_turning_on_needs_no_confirmation_and_writes_one_audit_event(setting):
    _set(setting, False)
    response = _post(setting, setting["url"], {setting["field"]: "on"})
    assert response.status_code == 302
    assert _value(setting) is True
    event = AuditEvent.objects.get()
    assert (event.action, event.old_value, event.new_value, event.ip_address) == (
        setting["action"], False, True, CLIENT_IP,
    )


def test_posting_the_value_it_already_has_changes_nothing_and_writes_no_audit_event(setting):
    response = setting["client"].post(setting["url"], {setting["field"]: "on"}, follow=True)
    assert "already on; nothing changed" in response.content.decode()
    assert _value(setting) is True
    assert not AuditEvent.objects.exists()


def test_confirming_off_when_already_off_writes_no_audit_event(setting):
    _set(setting, False)
    response = _post(setting, setting["confirm_url"], {"confirmed": "yes"})
    assert response.status_code == 302
    assert _value(setting) is False
    assert not AuditEvent.objects.exists()


def test_a_failing_audit_write_rolls_the_change_back(setting, monkeypatch):
    def broken_insert(*args, **kwargs):
        raise RuntimeError("audit storage is down")

    monkeypatch.setattr(AuditEvent, "save", broken_insert)
    setting["client"].raise_request_exception = True
    with pytest.raises(RuntimeError, match="audit storage is down"):
        _post(setting, setting["confirm_url"], {"confirmed": "yes"})
    assert _value(setting) is True
    assert not AuditEvent.objects.exists()


def test_member_without_the_role_sees_the_403_page_saying_who_can_change_it(client, claude_members, console_members):
    client.force_login(claude_members["member"].user)
    response = client.get(reverse("orgs:data-management", args=["claude-ent"]))
    assert response.status_code == 403
    html = response.content.decode()
    assert DENIED_DATA_MANAGEMENT in html
    assert "Data Management Console" in html  # in the layout
    client.force_login(console_members["developer"].user)
    response = client.get(reverse("orgs:privacy", args=["console-org"]))
    assert response.status_code == 403
    assert DENIED_PRIVACY in response.content.decode()


def test_refused_post_by_an_admin_changes_nothing(client, claude_members):
    client.force_login(claude_members["admin"].user)
    response = client.post(reverse("orgs:data-management-confirm", args=["claude-ent"]), {"confirmed": "yes"})
    assert response.status_code == 403
    assert Organization.objects.get(slug="claude-ent").thumbs_feedback_enabled is True
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["primary_owner", "owner"])
def test_team_plan_page_is_read_only_with_the_reason(client, team_members, role):
    client.force_login(team_members[role].user)
    response = client.get(reverse("orgs:data-management", args=["claude-team"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="read-only-reason"' in html
    assert "Enterprise plan only" in html
    assert "Team plan" in html
    assert 'name="thumbs_feedback_enabled"' not in html


@pytest.mark.parametrize(
    ("url_name", "data"),
    [("orgs:data-management", {}), ("orgs:data-management", {"thumbs_feedback_enabled": "on"}),
     ("orgs:data-management-confirm", {"confirmed": "yes"})],
)
def test_team_plan_post_is_refused_with_the_reason_and_changes_nothing(client, team_members, url_name, data):
    client.force_login(team_members["owner"].user)
    response = client.post(reverse(url_name, args=["claude-team"]), data)
    assert response.status_code == 403
    assert ERR_TEAM_PLAN in response.content.decode()
    assert Organization.objects.get(slug="claude-team").thumbs_feedback_enabled is True
    assert not AuditEvent.objects.exists()


def test_data_management_of_a_console_org_is_404_even_for_its_admin(client, console_members):
    client.force_login(console_members["admin"].user)
    assert client.get(reverse("orgs:data-management", args=["console-org"])).status_code == 404


def test_privacy_of_a_claude_org_is_404_even_for_its_primary_owner(client, claude_members):
    client.force_login(claude_members["primary_owner"].user)
    assert client.get(reverse("orgs:privacy", args=["claude-ent"])).status_code == 404


def test_settings_page_shows_the_report_counts_of_the_organization(client, claude_members):
    client.force_login(claude_members["owner"].user)
    html = client.get(reverse("orgs:data-management", args=["claude-ent"])).content.decode()
    assert 'data-testid="report-counts"' in html
    assert "0 thumbs up" in html and "0 thumbs down" in html


def test_overview_shows_the_setting_state_after_it_is_turned_off(client, claude_members):
    client.force_login(claude_members["owner"].user)
    client.post(reverse("orgs:data-management-confirm", args=["claude-ent"]), {"confirmed": "yes"})
    html = client.get(reverse("orgs:overview", args=["claude-ent"])).content.decode()
    assert '<span class="badge off">Off</span>' in html
