"""Bulk data for the scale guard test and bench/scale.py: one large organization, built with generate_series."""

import json
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import quote

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.chain import event_hash
from audit.models import AuditChain, AuditEvent
from console.models import User
from orgs.models import Membership
from orgs.roles import roles_for_kind

# A small conversation: the pages measured never read it, and 5,000,000 of them must fit on disk.
CONVERSATION = (
    '{"messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}, '
    '{"role": "assistant", "content": [{"type": "text", "text": "Hi, how can I help?"}]}], '
    '"style": {}, "preferences": {}, "model_settings": {"model": "claude"}}'
)

USERS_SQL = """
INSERT INTO {users} (password, is_superuser, email, full_name, is_staff, is_active, date_joined)
SELECT '!', false, 'scale' || i || '@' || %(slug)s || '.test', 'Scale Person ' || i, false, true, now()
FROM generate_series(%(first)s, %(last)s) i
"""
MEMBERS_SQL = """
INSERT INTO {members} (user_id, organization_id, role, created_at)
SELECT u.id, %(org)s, %(role)s, now() FROM {users} u
WHERE u.email LIKE 'scale%%@' || %(slug)s || '.test'
  AND NOT EXISTS (SELECT 1 FROM {members} m WHERE m.user_id = u.id AND m.organization_id = %(org)s)
"""
REPORTS_SQL = """
INSERT INTO feedback_feedback (id, surface, rating, comment, conversation, message_index, created_at)
SELECT gen_random_uuid(), CASE WHEN i %% 3 = 0 THEN 'workbench' ELSE 'chat' END,
       CASE WHEN i %% 2 = 0 THEN 'down' ELSE 'up' END, '', %(conversation)s::jsonb, 1,
       now() - make_interval(secs => i * 25)
FROM generate_series(%(first)s, %(last)s) i
"""
RUNS_SQL = """
INSERT INTO retention_retentionrun (kind, status, started_at, finished_at, retention_years, cutoff, batches,
                                    rows_deleted, daily_counts_deleted, identifying_columns, task_id, error)
SELECT 'purge', 'succeeded', now() - make_interval(hours => i), now() - make_interval(hours => i), 5,
       now() - make_interval(hours => i) - interval '5 years', 1, i, 0, '[]', '', ''
FROM generate_series(%(first)s, %(last)s) i
"""


def _tables():
    return {"users": User._meta.db_table, "members": Membership._meta.db_table}


ACTIONS = [("member.role.changed", "member", "admin"), ("settings.thumbs_feedback.changed", True, False),
           ("member.added", None, "member"), ("member.removed", "member", None)]
EVENT_COLUMNS = ("organization_id", "seq", "prev_hash", "hash", "created_at", "actor_kind", "actor_email", "actor_name",
                 "action", "target", "old_value", "new_value", "ip_address", "user_agent")
STEP = timedelta(seconds=15)


def append_chain_events(organization, count, span_end=None):
    """Append `count` well-chained audit events to the organization's chain (COPY; hashed as the console does).

    Ten actors, so the e-mail search shows a full page at any size; 15 s apart, the last near `span_end` (now).
    """
    chain = AuditChain.objects.filter(organization=organization).first() or AuditChain.objects.create(organization=organization)
    seq, prev_hash = chain.head_seq, chain.head_hash
    at = chain.head_at or (span_end or timezone.now()) - STEP * (count + 1)
    columns = ", ".join(EVENT_COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(
        f"COPY {AuditEvent._meta.db_table} ({columns}) FROM STDIN"  # noqa: S608 - the model's own table
    ) as copy:
        for i in range(seq + 1, seq + count + 1):
            action, old, new = ACTIONS[i % 4]
            at += STEP
            event = SimpleNamespace(
                organization_id=organization.pk, seq=i, prev_hash=prev_hash, created_at=at, actor_kind="person",
                actor_email=f"scale{i % 10}@{organization.slug}.test", actor_name="", action=action,
                target=f"member:scale{i % 1000}@{organization.slug}.test", old_value=old, new_value=new,
                ip_address="192.0.2.1", user_agent="",
            )
            event.hash = prev_hash = event_hash(event)
            copy.write_row([*(getattr(event, c) for c in EVENT_COLUMNS[:10]),
                            *(None if v is None else json.dumps(v) for v in (old, new)), event.ip_address, event.user_agent])
    AuditChain.objects.filter(pk=chain.pk).update(head_seq=seq + count, head_hash=prev_hash, head_at=at)


def grow(organization, *, members, events, reports, runs, have=None):
    """Bring the organization (and the global tables) up to these sizes; `have` is what is already loaded."""
    have = have or {"members": 0, "events": 0, "reports": 0, "runs": 0}
    role = roles_for_kind(organization.kind)[-1]  # the kind's lowest role
    params = {"org": organization.pk, "slug": organization.slug, "role": role, "conversation": CONVERSATION}
    batches = [(USERS_SQL, "members", members), (REPORTS_SQL, "reports", reports), (RUNS_SQL, "runs", runs)]
    if events > have["events"]:
        append_chain_events(organization, events - have["events"])
    with connection.cursor() as cursor:
        for sql, key, size in batches:
            if size > have[key]:
                cursor.execute(sql.format(**_tables()), {**params, "first": have[key] + 1, "last": size})
        cursor.execute(MEMBERS_SQL.format(**_tables()), params)
    return {"members": members, "events": events, "reports": reports, "runs": runs}


def pages(organization, member):
    """The staff and owner pages whose cost must not grow: (name, url, opened by staff?)."""
    org, slug = organization.pk, organization.slug
    week_ago = quote(str((timezone.now() - timedelta(days=7)).replace(microsecond=0)))
    return [
        ("admin: organization page", reverse("admin:orgs_organization_change", args=[org]), True),
        ("admin: members of the org", f"{reverse('admin:orgs_membership_changelist')}?organization__id__exact={org}", True),
        ("admin: member search", f"{reverse('admin:orgs_membership_changelist')}?organization__id__exact={org}&q=scale7@{slug}.test", True),
        ("admin: member page", reverse("admin:orgs_membership_change", args=[member.pk]), True),
        ("admin: feedback reports", reverse("admin:feedback_feedback_changelist"), True),
        ("admin: reports, down, past 7 days",
         f"{reverse('admin:feedback_feedback_changelist')}?rating__exact=down&created_at__gte={week_ago}", True),
        ("admin: audit events", reverse("admin:audit_auditevent_changelist"), True),
        ("admin: audit search by e-mail", f"{reverse('admin:audit_auditevent_changelist')}?q=scale7@{slug}.test", True),
        ("admin: audit search by action", f"{reverse('admin:audit_auditevent_changelist')}?q=member.role", True),
        ("admin: audit search by org", f"{reverse('admin:audit_auditevent_changelist')}?q={slug}", True),
        ("admin: retention runs", reverse("admin:retention_retentionrun_changelist"), True),
        ("owner: Members", reverse("orgs:members", args=[slug]), False),
        ("owner: Audit log", reverse("orgs:audit-log", args=[slug]), False),
    ]
