"""Recording a feedback report: refused while the org's setting is off, stored de-linked."""

import json
import secrets

from django.db import connection, transaction
from django.utils import timezone

from orgs.access import ERR_NO_ORG
from orgs.kinds import PROFILES
from orgs.models import Membership, Organization
from orgs.selectors import get_membership

from .models import COUNT_SHARDS, DailyFeedbackCount, Feedback, StaffAccess
from .redaction import redact_conversation

ERR_FEEDBACK_DISABLED = "Feedback is turned off for this organization."
ERR_WRONG_SURFACE = "This organization gives feedback on the {surfaces} surfaces only."


class FeedbackRefused(Exception):
    """A report the server will not store; carries the API's status and error code."""

    def __init__(self, status, code, detail):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


# One statement on PostgreSQL does the whole report: it finds the person's membership in the
# org and share-locks the org row, checks the surface and the setting (one switch for reports of
# either kind), stores the report and counts it. FOR SHARE waits for a switch-off holding the row
# (FOR UPDATE) and then reads the committed value, so a switch-off that commits first wins;
# reports share the lock and do not wait for each other. One statement is its own transaction:
# one round trip, one commit.
RECORD_SQL = """
WITH org AS (
    SELECT o.*
    FROM {organization} o JOIN {membership} m ON m.organization_id = o.id
    WHERE o.slug = %(slug)s AND m.user_id = %(user)s
    FOR SHARE OF o
), allowed AS (
    SELECT id FROM org
    WHERE {surface_accepted} AND {feedback_enabled}
), stored AS (
    INSERT INTO {feedback} (id, surface, kind, rating, comment, conversation, message_index, created_at)
    SELECT %(id)s, %(surface)s, %(report_kind)s, %(rating)s, %(comment)s, %(conversation)s::jsonb, %(message_index)s,
           %(created_at)s FROM allowed
    RETURNING id
), counted AS (
    INSERT INTO {counts} (organization_id, day, surface, kind, rating, shard, count)
    SELECT allowed.id, %(day)s, %(surface)s, %(report_kind)s, %(count_rating)s, %(shard)s, 1 FROM allowed, stored
    ON CONFLICT (organization_id, day, surface, kind, rating, shard)
    DO UPDATE SET count = {counts}.count + 1
    RETURNING 1
)
SELECT (SELECT count(*) FROM stored)
""".format(  # noqa: S608 - only code constants are formatted in
    # Organization.feedback_enabled's rule and KindProfile.accepts_surface, in SQL, from the kind
    # profiles; identifiers and values come from the code, not from input.
    feedback_enabled="CASE kind " + " ".join(
        f"WHEN '{profile.kind}' THEN {profile.setting_field}" for profile in PROFILES.values()
    ) + " END",
    surface_accepted="CASE kind " + " ".join(
        f"WHEN '{profile.kind}' THEN %(surface)s IN ({', '.join(repr(s) for s in profile.surfaces)})"
        for profile in PROFILES.values()
    ) + " END",
    organization=Organization._meta.db_table,
    membership=Membership._meta.db_table,
    feedback=Feedback._meta.db_table,
    counts=DailyFeedbackCount._meta.db_table,
)


def _count_rating(feedback):
    """The rating a report is counted under: its own, or "" for a bug report (a unique key never matches NULL)."""
    return feedback.rating or ""


def _store_postgresql(user, slug, feedback):
    params = {
        "slug": slug, "user": user.pk,
        "id": feedback.id, "surface": feedback.surface, "report_kind": feedback.kind, "rating": feedback.rating,
        "comment": feedback.comment, "conversation": json.dumps(feedback.conversation),
        "message_index": feedback.message_index, "created_at": feedback.created_at,
        "day": feedback.created_at.date(), "count_rating": _count_rating(feedback), "shard": secrets.randbelow(COUNT_SHARDS),
    }
    with connection.cursor() as cursor:
        cursor.execute(RECORD_SQL, params)
        (stored,) = cursor.fetchone()
    return stored == 1


def _count_report(organization_id, feedback):
    table = DailyFeedbackCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organization_id, day, surface, kind, rating, shard, count) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, 1) "
            f"ON CONFLICT (organization_id, day, surface, kind, rating, shard) DO UPDATE SET count = {table}.count + 1",
            [organization_id, feedback.created_at.date(), feedback.surface, feedback.kind, _count_rating(feedback),
             secrets.randbelow(COUNT_SHARDS)],
        )


def _store_portable(user, slug, feedback):
    # Other databases (SQLite in development) serialize writers: the same checks, in a transaction.
    with transaction.atomic():
        membership = get_membership(user, slug)
        org = membership.organization if membership else None
        if org is None or not org.profile.accepts_surface(feedback.surface) or not org.feedback_enabled:
            return False
        feedback.save(force_insert=True)
        _count_report(org.pk, feedback)
    return True


def _refusal(user, slug, surface):
    """Why a report was not stored, read only after the fact (the stored path needs none of it)."""
    membership = get_membership(user, slug)
    if membership is None:
        # A stranger gets the same answer as for an org that does not exist: existence does not leak.
        return FeedbackRefused(404, "not_found", ERR_NO_ORG)
    profile = membership.organization.profile
    if not profile.accepts_surface(surface):
        message = ERR_WRONG_SURFACE.format(surfaces=profile.surfaces_label)
        return FeedbackRefused(400, "invalid", [{"field": "surface", "message": message}])
    return FeedbackRefused(403, "feedback_disabled", ERR_FEEDBACK_DISABLED)


def record_feedback(*, user, slug, report):
    """Store one validated report (a rating or a bug report) by a member of the org, de-linked from both; count it.

    Refused (FeedbackRefused) for an unknown org, a non-member, a surface the org's kind does not
    accept, or while the org's feedback setting is off (one switch for both kinds of report), which
    is read in the same transaction as the write. Nothing about the person or the organization is
    stored with the report.
    """
    feedback = Feedback(
        surface=report.surface, kind=report.kind, rating=report.rating, comment=report.comment,
        conversation=redact_conversation(report.conversation_json()), message_index=report.message_index,
        created_at=timezone.now(),
    )
    store = _store_postgresql if connection.vendor == "postgresql" else _store_portable
    if not store(user, slug, feedback):
        raise _refusal(user, slug, report.surface)
    return feedback


def record_report_viewed(*, staff, feedback_id, request_meta):
    """Put on the record that a staff member opened one report in the admin."""
    return StaffAccess.objects.create(
        kind=StaffAccess.Kind.VIEWED, staff=staff, staff_email=staff.email, feedback_id=feedback_id,
        ip_address=request_meta.ip_address, origin="admin",
    )


def record_reports_exported(*, staff, since, until, report_count, origin):
    """Put on the record that a staff member exported the reports created in [since, until]."""
    return StaffAccess.objects.create(
        kind=StaffAccess.Kind.EXPORTED, staff=staff, staff_email=staff.email, since=since, until=until,
        report_count=report_count, origin=origin[:255],
    )
