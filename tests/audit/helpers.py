"""Audit events for tests, recorded through the recording function so every chain stays whole."""

from contextlib import contextmanager
from unittest import mock

from django.db import connection, transaction
from django.utils import timezone

from audit import actions
from audit.models import AuditEvent
from audit.services import RequestMeta, record_audit_event
from console.models import User

# Values of the shape each kind of action records.
SAMPLE_VALUES = {
    actions.Flag: (True, False),
    actions.Choice: ("member", "admin"),
    actions.Transfer: ({"primary_owner": "a@example.test", "role": "owner"},
                       {"primary_owner": "b@example.test", "previous_primary_owner_role": "owner"}),
}


def sample_values(action):
    """Old and new values of the action's shape (a record's first field)."""
    if isinstance(action.shape, actions.Record):
        key = action.shape.fields[0][0]
        return {key: "Old"}, {key: "New"}
    return SAMPLE_VALUES[type(action.shape)]


@contextmanager
def clock(when):
    """Record the events of this block at this time (the chain keeps times in order: go forward only)."""
    with mock.patch.object(timezone, "now", return_value=when):
        yield


def record_events(organization, n, action=actions.THUMBS_FEEDBACK_CHANGED, actor_email="owner@example.test",
                  ip_address="192.0.2.1", user_agent="", **values):
    """n events of one action by one person (by e-mail; "" for the system), oldest first."""
    actor = User.objects.get_or_create(email=actor_email)[0] if actor_email else None
    old, new = sample_values(action)
    old, new = values.get("old", old), values.get("new", new)
    meta = RequestMeta(ip_address=ip_address, user_agent=user_agent)
    with transaction.atomic():
        return [
            record_audit_event(organization=organization, actor=actor, action=action, target=f"organization:{organization.slug}",
                               old=old, new=new, request_meta=meta)
            for _ in range(n)
        ]


@contextmanager
def tampering():
    """As a database superuser would: the append-only trigger disabled for the block (PostgreSQL)."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check of the test's rows
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_auditevent_append_only")
        try:
            yield cursor
        finally:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_auditevent_append_only")
