"""Settings → Audit log for people: labels, values in words, the viewer's time zone, filters, pages, CSV."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse

from audit import actions
from audit.actions import ACTIONS
from audit.models import AuditEvent
from audit.presentation import EXPORT_FIELDS
from audit.services import RequestMeta
from orgs import services
from tests.audit.helpers import clock
from tests.audit.helpers import record_events as _events
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, claude_members):
    client.force_login(claude_members["owner"].user)
    return client


def _page(client, **params):
    return client.get(reverse("orgs:audit-log", args=["claude-ent"]), params)


def test_audit_log_shows_the_action_label_the_person_the_change_in_words_and_the_ip(owner_client, claude_members):
    owner = claude_members["owner"]
    services.set_feedback_setting(
        actor=owner.user, organization=owner.organization, enabled=False,
        request_meta=RequestMeta(ip_address="203.0.113.9"),
    )
    html = _page(owner_client).content.decode()
    assert owner.user.email in html
    assert "Thumbs Feedback setting changed" in html
    shown = html.split("<tbody>")[1].replace('data-action="settings.thumbs_feedback.changed"', "")
    assert "settings.thumbs_feedback.changed" not in shown and "organization:" not in shown
    assert "<div>Thumbs Feedback: On → Off</div>" in html
    assert "203.0.113.9" in html


def test_role_changes_read_role_member_to_admin(owner_client, claude_members):
    services.change_member_role(actor=claude_members["owner"].user, membership=claude_members["member"], role="admin")
    html = _page(owner_client).content.decode()
    assert "<div>Role: Member → Admin</div>" in html
    assert "Role changed" in html
    assert claude_members["member"].user.email in html  # the target, without its "member:" code


def test_a_transfer_reads_as_who_became_primary_owner_and_both_roles(owner_client, claude_members):
    old, new = claude_members["primary_owner"], claude_members["owner"]
    services.transfer_primary_ownership(actor=old.user, membership=new)
    html = _page(owner_client).content.decode()
    assert "Primary Ownership transferred" in html
    assert f"<div>Primary Owner: {old.user.email} → {new.user.email}</div>" in html
    assert f"<div>Role of {new.user.email}: Owner → Primary Owner</div>" in html
    assert f"<div>Role of {old.user.email}: Primary Owner → Owner</div>" in html
    assert "primary_owner" not in html.split('data-testid="audit-change">')[1].split("</td>")[0]


def test_times_are_in_the_viewers_time_zone_named_with_a_machine_readable_datetime(owner_client, claude_org):
    with clock(datetime.datetime(2026, 7, 1, 22, 30, tzinfo=datetime.UTC)):
        _events(claude_org, 1)
    owner_client.cookies["tz"] = "Europe/Paris"
    html = _page(owner_client).content.decode()
    assert 'data-testid="time-zone">Europe/Paris<' in html
    assert '<time datetime="2026-07-02T00:30:00+02:00">2 Jul 2026<br><span class="muted">00:30:00 CEST</span></time>' in html
    owner_client.cookies["tz"] = "../../etc/passwd"  # not a zone: the site's zone, named
    html = _page(owner_client).content.decode()
    assert 'data-testid="time-zone">UTC<' in html
    assert "1 Jul 2026<br><span class=\"muted\">22:30:00 UTC</span>" in html


def test_audit_log_is_newest_first_with_numbered_pages_of_50(owner_client, claude_org):
    newest_first = _events(claude_org, 160)[::-1]
    first = _page(owner_client)
    second = _page(owner_client, page=2)
    assert [row["event"].pk for row in first.context["rows"]] == [e.pk for e in newest_first[:50]]
    assert [row["event"].pk for row in second.context["rows"]] == [e.pk for e in newest_first[50:100]]
    html = first.content.decode()
    assert "Page 1 of 4" in html
    for number in (1, 2, 3, 4):
        assert f'href="?page={number}"' in html
    assert 'aria-current="page" aria-label="Page 1, current"' in html


def test_the_action_filter_lists_every_label_and_keeps_the_filter_across_pages(owner_client, claude_org):
    _events(claude_org, 55, action=actions.MEMBER_REMOVED, new=None)
    _events(claude_org, 3)
    response = _page(owner_client, action="member.removed")
    assert {row["event"].action for row in response.context["rows"]} == {"member.removed"}
    assert response.context["page_obj"].paginator.count == 55
    html = response.content.decode()
    assert "action=member.removed&amp;page=2" in html
    for code, action in ACTIONS.items():
        assert f'<option value="{code}"' in html and action.label in html
    assert '<option value="member.removed" selected>Member removed</option>' in html


def test_filtering_by_person_matches_their_email_in_any_case(owner_client, claude_org):
    _events(claude_org, 2, actor_email="ada@example.test")
    _events(claude_org, 3, actor_email="omar@example.test")
    response = _page(owner_client, person=" ADA@example.test ")
    assert response.context["page_obj"].paginator.count == 2
    assert "2 events match the filter." in response.content.decode()


def test_filtering_by_dates_takes_whole_days_in_the_viewers_zone(owner_client, claude_org):
    # 30 June 23:30 UTC is 1 July in Paris; 1 July 22:30 UTC is 2 July in Paris.
    times = [datetime.datetime(2026, 6, 30, 21, 0, tzinfo=datetime.UTC),
             datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC),
             datetime.datetime(2026, 7, 1, 22, 30, tzinfo=datetime.UTC)]
    events = []
    for when in times:
        with clock(when):
            events += _events(claude_org, 1)
    owner_client.cookies["tz"] = "Europe/Paris"
    response = _page(owner_client, date_from="2026-07-01", date_to="2026-07-01")
    assert [row["event"].pk for row in response.context["rows"]] == [events[1].pk]
    response = _page(owner_client, date_from="2026-07-01")
    assert response.context["page_obj"].paginator.count == 2


def test_an_unknown_action_says_so_next_to_the_field_and_shows_no_events(owner_client, claude_org):
    _events(claude_org, 3)
    response = _page(owner_client, action="no.such")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is no action “no.such”" in html
    assert 'aria-describedby="id_action-errors"' in html and 'id="id_action-errors"' in html
    assert "no events are shown" in html
    assert response.context["rows"] == []
    assert "organization:claude-ent" not in html and "Download CSV" not in html


def test_a_to_date_before_the_from_date_is_an_error_next_to_it(owner_client, claude_org):
    _events(claude_org, 1)
    response = _page(owner_client, date_from="2026-07-02", date_to="2026-07-01")
    assert response.status_code == 400
    assert "The “to” date is before the “from” date." in response.content.decode()


def test_an_empty_log_says_what_will_appear_there(owner_client, claude_org):
    html = _page(owner_client).content.decode()
    assert "Nothing has been recorded yet" in html


def test_audit_log_shows_only_this_organizations_events(owner_client, claude_org):
    _events(OrganizationFactory(slug="other-org"), 2, actor_email="stranger@other.test")
    _events(claude_org, 1)
    html = _page(owner_client).content.decode()
    assert "stranger@other.test" not in html
    assert "owner@example.test" in html


def test_system_events_show_system_as_the_actor(owner_client, claude_org):
    _events(claude_org, 1, actor_email="")
    html = _page(owner_client).content.decode()
    assert "System" in html


def _csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_has_the_pages_words_and_the_raw_codes_in_their_own_columns(owner_client, claude_org):
    _events(claude_org, 3)
    owner_client.cookies["tz"] = "Asia/Tokyo"
    response = owner_client.get(reverse("orgs:audit-log-csv", args=["claude-ent"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="claude-ent-audit-log.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == [
        "time", "time_zone", "actor", "action", "change", "target", "ip_address", "user_agent",
        "time_utc", "action_code", "target_code", "old_value", "new_value",
    ]
    assert len(rows) == 4
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["time_zone"] == "JST"
    assert row["actor"] == "owner@example.test"
    assert row["action"] == "Thumbs Feedback setting changed"
    assert row["change"] == "Thumbs Feedback: On → Off"
    assert row["target"] == "The organization"
    assert (row["action_code"], row["target_code"], row["old_value"], row["new_value"]) == (
        "settings.thumbs_feedback.changed", "organization:claude-ent", "true", "false",
    )
    event = AuditEvent.objects.get(pk=AuditEvent.objects.order_by("-id").first().pk)
    assert row["time_utc"] == event.created_at.astimezone(datetime.UTC).isoformat()


def test_csv_follows_the_filter(owner_client, claude_org):
    _events(claude_org, 2, action=actions.MEMBER_REMOVED, new=None)
    _events(claude_org, 3)
    response = owner_client.get(reverse("orgs:audit-log-csv", args=["claude-ent"]), {"action": "member.removed"})
    assert [r[9] for r in _csv_rows(response)[1:]] == ["member.removed", "member.removed"]


def test_csv_with_an_unknown_action_is_refused_with_the_message_not_exported_unfiltered(owner_client, claude_org):
    _events(claude_org, 3)
    response = owner_client.get(reverse("orgs:audit-log-csv", args=["claude-ent"]), {"action": "no.such"})
    assert response.status_code == 400
    assert "There is no action “no.such”" in response.content.decode()


def test_csv_cells_that_spreadsheets_would_run_as_formulas_are_escaped(owner_client, claude_org):
    _events(claude_org, 1, user_agent="=HYPERLINK(\"http://evil\")")
    rows = _csv_rows(owner_client.get(reverse("orgs:audit-log-csv", args=["claude-ent"])))
    assert rows[1][7] == "'=HYPERLINK(\"http://evil\")"


def test_the_export_is_the_chain_oldest_first_narrowed_only_by_whole_days(owner_client, claude_org):
    times = [datetime.datetime(2026, 6, 30, 21, 0, tzinfo=datetime.UTC), datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC),
             datetime.datetime(2026, 7, 2, 9, 0, tzinfo=datetime.UTC)]
    for when in times:
        with clock(when):
            _events(claude_org, 2)
    url = reverse("orgs:audit-log-export", args=["claude-ent"])

    def lines(**params):
        response = owner_client.get(url, params)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]

    every = lines()
    assert [e["seq"] for e in every] == [1, 2, 3, 4, 5, 6]
    assert set(every[0]) == {*EXPORT_FIELDS} and every[0]["created_at"] == "2026-06-30T21:00:00.000000Z"
    # A day in Paris is a piece of the chain: the action and person filters do not apply to it.
    owner_client.cookies["tz"] = "Europe/Paris"
    piece = lines(date_from="2026-07-01", date_to="2026-07-01", action="member.removed", person="nobody@example.test")
    assert [e["seq"] for e in piece] == [3, 4]  # 30 June 21:00 UTC is still 30 June in Paris
    assert (piece[0]["prev_hash"], piece[1]["prev_hash"]) == (every[1]["hash"], piece[0]["hash"])
    assert owner_client.get(url, {"date_from": "2026-07-02", "date_to": "2026-07-01"}).status_code == 400
