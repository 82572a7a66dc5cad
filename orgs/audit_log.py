"""Settings → Audit log for people: the filter's query, the rows in words, and the CSV."""

import csv
import datetime
import json

from django.utils import timezone

from . import selectors
from .audit_labels import action_label, describe_changes, target_words

CSV_HEADER = [
    "time", "time_zone", "actor", "action", "change", "target", "ip_address", "user_agent",
    "time_utc", "action_code", "target_code", "old_value", "new_value",
]


def list_filtered_events(organization, form, tz):
    """The events the valid filter form asks for; its dates are whole days in the viewer's zone."""
    data = form.cleaned_data
    return selectors.list_audit_events(
        organization,
        action=data["action"],
        actor_email=data["person"],
        since=_start_of_day(data["date_from"], tz),
        until=_start_of_day(data["date_to"] + datetime.timedelta(days=1), tz) if data["date_to"] else None,
    )


def _start_of_day(day, tz):
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def event_row(event, kind):
    """One event as the page shows it: labels and values in words, codes kept for machines."""
    return {
        "event": event,
        "action_label": action_label(event.action),
        "target": target_words(event.target),
        "changes": describe_changes(kind, event.action, event.old_value, event.new_value),
    }


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    # Cells starting with these are formulas to spreadsheet programs.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _json(value):
    return "" if value is None else json.dumps(value, sort_keys=True)


def csv_lines(events, kind, tz):
    """The CSV, line by line: the page's words first, then the raw codes and values in their own columns."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for e in events:
        local = timezone.localtime(e.created_at, tz)
        yield writer.writerow([_cell(c) for c in (
            local.strftime("%Y-%m-%d %H:%M:%S"), local.tzname(), e.actor_label, action_label(e.action),
            "; ".join(str(c) for c in describe_changes(kind, e.action, e.old_value, e.new_value)),
            target_words(e.target), e.ip_address, e.user_agent,
            e.created_at.astimezone(datetime.UTC).isoformat(), e.action, e.target,
            _json(e.old_value), _json(e.new_value),
        )])
