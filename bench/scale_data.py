"""Bulk data for the scale guard test and bench/scale.py: one large organization, built with generate_series."""

from datetime import timedelta
from urllib.parse import quote

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
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
# Ten actors: the e-mail search shows a full page at the small size too, so small and large compare like pages.
EVENTS_SQL = """
INSERT INTO {events} (organization_id, actor_id, actor_email, action, target, old_value, new_value,
                      ip_address, user_agent, created_at)
SELECT %(org)s, NULL, 'scale' || (i %% 10) || '@' || %(slug)s || '.test',
       (ARRAY['member.role.changed', 'settings.thumbs_feedback.changed', 'member.added', 'member.removed'])[1 + i %% 4],
       'member:scale' || (i %% 1000) || '@' || %(slug)s || '.test', '"member"', '"admin"', '192.0.2.1', '',
       now() - make_interval(secs => i * 15)
FROM generate_series(%(first)s, %(last)s) i
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
    return {"users": User._meta.db_table, "members": Membership._meta.db_table, "events": AuditEvent._meta.db_table}


def grow(organization, *, members, events, reports, runs, have=None):
    """Bring the organization (and the global tables) up to these sizes; `have` is what is already loaded."""
    have = have or {"members": 0, "events": 0, "reports": 0, "runs": 0}
    role = roles_for_kind(organization.kind)[-1]  # the kind's lowest role
    params = {"org": organization.pk, "slug": organization.slug, "role": role, "conversation": CONVERSATION}
    batches = [(USERS_SQL, "members", members), (EVENTS_SQL, "events", events), (REPORTS_SQL, "reports", reports),
               (RUNS_SQL, "runs", runs)]
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
