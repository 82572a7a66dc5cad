"""Recording a feedback report: refused while the org's setting is off, stored de-linked."""

import json
import secrets

from django.db import connection, transaction
from django.utils import timezone

from orgs.models import Organization

from .models import COUNT_SHARDS, DailyFeedbackCount, Feedback, Surface
from .redaction import redact_conversation

ERR_FEEDBACK_DISABLED = "Feedback is turned off for this organization."
ERR_WRONG_SURFACE = "This organization gives feedback on the {surface} surface only."


class FeedbackRefused(Exception):
    """A report the server will not store; carries the API's status and error code."""

    def __init__(self, status, code, detail):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def surface_for(organization):
    """The surface an organization's people rate from: chat (claude) or workbench (console)."""
    return Surface.CHAT if organization.is_claude else Surface.WORKBENCH


def is_feedback_enabled(organization):
    """Whether the organization currently lets its people give feedback."""
    if organization.is_claude:
        return organization.thumbs_feedback_enabled
    return organization.workbench_feedback_enabled


def _enabled_column(organization):
    return "thumbs_feedback_enabled" if organization.is_claude else "workbench_feedback_enabled"


# One statement on PostgreSQL: it share-locks the org row only if feedback is on, stores the
# report and counts it. FOR SHARE waits for a switch-off holding the row (FOR UPDATE) and then
# re-checks the committed value; reports share the lock and do not wait for each other. A
# single statement is its own transaction: one round trip and one commit per report.
STORE_IF_ENABLED_SQL = """
WITH allowed AS (
    SELECT id FROM orgs_organization WHERE id = %(org)s AND {enabled} FOR SHARE
), stored AS (
    INSERT INTO feedback_feedback (id, surface, rating, comment, conversation, created_at)
    SELECT %(id)s, %(surface)s, %(rating)s, %(comment)s, %(conversation)s::jsonb, %(created_at)s FROM allowed
    RETURNING id
), counted AS (
    INSERT INTO feedback_dailyfeedbackcount (organization_id, day, surface, rating, shard, count)
    SELECT %(org)s, %(day)s, %(surface)s, %(rating)s, %(shard)s, 1 FROM stored
    ON CONFLICT (organization_id, day, surface, rating, shard)
    DO UPDATE SET count = feedback_dailyfeedbackcount.count + 1
    RETURNING 1
)
SELECT (SELECT count(*) FROM stored), (SELECT count(*) FROM counted)
"""


def _store_if_enabled_postgresql(organization, feedback):
    params = {
        "org": organization.pk, "id": feedback.id, "surface": feedback.surface, "rating": feedback.rating,
        "comment": feedback.comment, "conversation": json.dumps(feedback.conversation),
        "created_at": feedback.created_at, "day": feedback.created_at.date(),
        "shard": secrets.randbelow(COUNT_SHARDS),
    }
    with connection.cursor() as cursor:
        cursor.execute(STORE_IF_ENABLED_SQL.format(enabled=_enabled_column(organization)), params)
        stored, _counted = cursor.fetchone()
    return stored == 1


def _count_report(organization, day, surface, rating):
    table = DailyFeedbackCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organization_id, day, surface, rating, shard, count) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, 1) "
            f"ON CONFLICT (organization_id, day, surface, rating, shard) DO UPDATE SET count = {table}.count + 1",
            [organization.pk, day, surface, rating, secrets.randbelow(COUNT_SHARDS)],
        )


def _store_if_enabled_portable(organization, feedback):
    with transaction.atomic():
        current = Organization.objects.only("kind", "thumbs_feedback_enabled", "workbench_feedback_enabled").get(
            pk=organization.pk
        )
        if not is_feedback_enabled(current):
            return False
        feedback.save(force_insert=True)
        _count_report(organization, feedback.created_at.date(), feedback.surface, feedback.rating)
    return True


def check_feedback_allowed(organization):
    """Refuse early (before reading the body) when the organization has feedback turned off."""
    if not is_feedback_enabled(organization):
        raise FeedbackRefused(403, "feedback_disabled", ERR_FEEDBACK_DISABLED)


def record_feedback(*, organization, user, report):
    """Store one validated report de-linked from the person and the org; count it for the org.

    `user` is accepted for the permission boundary only: nothing about them is stored.
    The setting is re-read inside the transaction, so a switch-off that commits first wins.
    """
    expected = surface_for(organization)
    if report.surface != expected:
        raise FeedbackRefused(400, "invalid", {"surface": ERR_WRONG_SURFACE.format(surface=expected)})
    feedback = Feedback(
        surface=report.surface, rating=report.rating, comment=report.comment,
        conversation=redact_conversation(report.conversation_json()), created_at=timezone.now(),
    )
    store = _store_if_enabled_postgresql if connection.vendor == "postgresql" else _store_if_enabled_portable
    if not store(organization, feedback):
        raise FeedbackRefused(403, "feedback_disabled", ERR_FEEDBACK_DISABLED)
    return feedback
