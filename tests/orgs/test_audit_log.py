"""Settings → Audit log: newest first, paginated, filtered by action, actor e-mail, IP, CSV."""

import csv
import io

import pytest
from django.urls import reverse

from orgs import services
from orgs.audit import RequestMeta
from orgs.models import AuditEvent
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _events(org, n, action="settings.thumbs_feedback.changed", actor_email="owner@example.test", **extra):
    """n events, oldest first (created_at is set on insert, the id breaks ties)."""
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            organization=org, actor_email=actor_email, action=action, target=f"organization:{org.slug}",
            old_value=True, new_value=False, ip_address="192.0.2.1", **extra
        )
        for _ in range(n)
    )


@pytest.fixture
def owner_client(client, claude_members):
    client.force_login(claude_members["owner"].user)
    return client


def test_audit_log_shows_actor_email_action_old_new_time_and_ip(owner_client, claude_members):
    owner = claude_members["owner"]
    services.set_feedback_setting(
        actor=owner.user, organization=owner.organization, enabled=False,
        request_meta=RequestMeta(ip_address="203.0.113.9"),
    )
    html = owner_client.get(reverse("orgs:audit-log", args=["claude-ent"])).content.decode()
    assert owner.user.email in html
    assert "settings.thumbs_feedback.changed" in html
    assert '<span class="old">on</span> → <span class="new">off</span>' in html
    assert "203.0.113.9" in html
    assert "<time datetime=" in html


def test_role_changes_show_role_names(owner_client, claude_members):
    services.change_member_role(actor=claude_members["owner"].user, membership=claude_members["member"], role="admin")
    html = owner_client.get(reverse("orgs:audit-log", args=["claude-ent"])).content.decode()
    assert '<span class="old">Member</span> → <span class="new">Admin</span>' in html


def test_audit_log_is_newest_first_and_paginated_at_50(owner_client, claude_org):
    newest_first = _events(claude_org, 60)[::-1]
    first = owner_client.get(reverse("orgs:audit-log", args=["claude-ent"]))
    second = owner_client.get(reverse("orgs:audit-log", args=["claude-ent"]), {"page": 2})
    first_ids = [row["event"].pk for row in first.context["rows"]]
    assert first_ids == [e.pk for e in newest_first[:50]]
    assert [row["event"].pk for row in second.context["rows"]] == [e.pk for e in newest_first[50:]]
    assert "Page 1 of 2" in first.content.decode()


def test_audit_log_filters_by_action_and_keeps_the_filter_across_pages(owner_client, claude_org):
    _events(claude_org, 55, action="member.removed")
    _events(claude_org, 3)
    response = owner_client.get(reverse("orgs:audit-log", args=["claude-ent"]), {"action": "member.removed"})
    assert {row["event"].action for row in response.context["rows"]} == {"member.removed"}
    assert response.context["page_obj"].paginator.count == 55
    assert "action=member.removed&amp;page=2" in response.content.decode()


def test_an_unknown_action_filter_shows_everything(owner_client, claude_org):
    _events(claude_org, 3)
    response = owner_client.get(reverse("orgs:audit-log", args=["claude-ent"]), {"action": "no.such"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 3


def test_audit_log_shows_only_this_organizations_events(owner_client, claude_org):
    _events(OrganizationFactory(slug="other-org"), 2, actor_email="stranger@other.test")
    _events(claude_org, 1)
    html = owner_client.get(reverse("orgs:audit-log", args=["claude-ent"])).content.decode()
    assert "stranger@other.test" not in html
    assert "owner@example.test" in html


def test_system_events_show_system_as_the_actor(owner_client, claude_org):
    _events(claude_org, 1, actor_email="")
    html = owner_client.get(reverse("orgs:audit-log", args=["claude-ent"])).content.decode()
    assert "System" in html


def _csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_download_has_a_header_and_one_row_per_event(owner_client, claude_org):
    _events(claude_org, 3)
    response = owner_client.get(reverse("orgs:audit-log-csv", args=["claude-ent"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="claude-ent-audit-log.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == ["time", "actor", "action", "target", "old_value", "new_value", "ip_address", "user_agent"]
    assert len(rows) == 4
    assert rows[1][1:7] == [
        "owner@example.test", "settings.thumbs_feedback.changed", "organization:claude-ent", "true", "false",
        "192.0.2.1",
    ]


def test_csv_download_follows_the_action_filter(owner_client, claude_org):
    _events(claude_org, 2, action="member.removed")
    _events(claude_org, 3)
    response = owner_client.get(reverse("orgs:audit-log-csv", args=["claude-ent"]), {"action": "member.removed"})
    assert [r[2] for r in _csv_rows(response)[1:]] == ["member.removed", "member.removed"]


def test_csv_cells_that_spreadsheets_would_run_as_formulas_are_escaped(owner_client, claude_org):
    _events(claude_org, 1, user_agent="=HYPERLINK(\"http://evil\")")
    rows = _csv_rows(owner_client.get(reverse("orgs:audit-log-csv", args=["claude-ent"])))
    assert rows[1][7] == "'=HYPERLINK(\"http://evil\")"
