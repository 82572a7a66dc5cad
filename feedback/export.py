"""Export of de-linked reports as JSON Lines."""

import json

from .models import Feedback

EXPORT_FIELDS = ("id", "surface", "rating", "comment", "conversation", "message_index", "created_at")


def iter_export_lines(*, since, chunk_size=1000):
    """One JSON line per report created at or after `since`, oldest first; no identifiers but the report id."""
    reports = Feedback.objects.filter(created_at__gte=since).order_by("created_at", "id").only(*EXPORT_FIELDS)
    for report in reports.iterator(chunk_size=chunk_size):
        yield json.dumps({
            "id": str(report.id),
            "surface": report.surface,
            "rating": report.rating,
            "comment": report.comment,
            "conversation": report.conversation,
            "message_index": report.message_index,
            "created_at": report.created_at.isoformat(),
        }, ensure_ascii=False, sort_keys=True)
