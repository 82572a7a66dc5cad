"""The Audit log for people and their tools: the filter's query, the rows in words, the CSV and the JSON Lines export."""

import csv
import datetime
import json

from django.utils import timezone

from . import selectors
from .actions import action_label, describe_changes, value_words
from .chain import utc_text

CSV_HEADER = [
    "time", "time_zone", "actor", "action", "change", "target", "ip_address", "user_agent",
    "time_utc", "action_code", "target_code", "old_value", "new_value",
]

# Every field of an event, as the export writes it (docs/audit.md): the hashed ones and the rest.
EXPORT_FIELDS = (
    "id", "organization_id", "organization", "seq", "prev_hash", "hash", "created_at", "actor_kind", "actor_email",
    "actor_name", "action", "target", "old_value", "new_value", "ip_address", "user_agent",
)


def _start_of_day(day, tz):
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def date_range(form, tz):
    """The valid filter form's days as [since, until): whole days in the viewer's zone."""
    data = form.cleaned_data
    until = _start_of_day(data["date_to"] + datetime.timedelta(days=1), tz) if data["date_to"] else None
    return _start_of_day(data["date_from"], tz), until


def list_filtered_events(organization, form, tz):
    """The events the valid filter form asks for, newest first."""
    since, until = date_range(form, tz)
    data = form.cleaned_data
    return selectors.list_audit_events(
        organization, action=data["action"], actor_email=data["person"], since=since, until=until
    )


# Targets that read as their name alone under the action's label ("domain:example.com" → "example.com"),
# with the vocabulary that puts the name in words ("sso:oidc" → "OpenID Connect").
NAMED_TARGETS = {"member": "", "domain": "", "group": "", "scim_token": "", "api_key": "", "sso": "protocol"}


def target_words(target, organization=None):
    """The stored target ("member:a@b", "organization:acme") as people read it."""
    prefix, _, rest = target.partition(":")
    if prefix == "organization" and rest:
        return "The organization"
    if prefix in NAMED_TARGETS and rest:
        return value_words(organization, rest, NAMED_TARGETS[prefix])
    return target


def event_row(event, organization):
    """One event as the page shows it: labels and values in words, codes kept for machines."""
    return {
        "event": event,
        "action_label": action_label(event.action),
        "target": target_words(event.target, organization),
        "changes": describe_changes(organization, event.action, event.old_value, event.new_value),
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


def csv_lines(events, organization, tz):
    """The CSV, line by line: the page's words first, then the raw codes and values in their own columns."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for e in events:
        local = timezone.localtime(e.created_at, tz)
        yield writer.writerow([_cell(c) for c in (
            local.strftime("%Y-%m-%d %H:%M:%S"), local.tzname(), e.actor_label, action_label(e.action),
            "; ".join(str(c) for c in describe_changes(organization, e.action, e.old_value, e.new_value)),
            target_words(e.target, organization), e.ip_address, e.user_agent,
            e.created_at.astimezone(datetime.UTC).isoformat(), e.action, e.target,
            _json(e.old_value), _json(e.new_value),
        )])


def export_line(event, organization):
    """One event as a line of the JSON Lines export: every field, times as the chain writes them."""
    record = {field: getattr(event, field, None) for field in EXPORT_FIELDS}
    record["organization"] = organization.slug
    record["created_at"] = utc_text(event.created_at)
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    # Valid JSON either way; escaped, no tool takes these two for line breaks (the values are unchanged).
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def export_lines(events, organization):
    """The JSON Lines export, line by line, in chain order."""
    for event in events:
        yield export_line(event, organization)
