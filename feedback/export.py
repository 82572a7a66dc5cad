"""Export of de-linked reports as JSON Lines."""

import json

from .models import Feedback

EXPORT_FIELDS = ("id", "surface", "kind", "rating", "comment", "conversation", "message_index", "created_at")


def export_queryset(*, since, until=None):
    """The reports an export of [since, until] writes."""
    reports = Feedback.objects.filter(created_at__gte=since)
    return reports.filter(created_at__lte=until) if until is not None else reports


def iter_export_lines(*, since, until=None, chunk_size=1000):
    """One JSON line per report created in [since, until], oldest first; no identifiers but the report id."""
    reports = export_queryset(since=since, until=until).order_by("created_at", "id").only(*EXPORT_FIELDS)
    for report in reports.iterator(chunk_size=chunk_size):
        yield json.dumps({
            "id": str(report.id),
            "surface": report.surface,
            "kind": report.kind,
            "rating": report.rating,
            "comment": report.comment,
            "conversation": report.conversation,
            "message_index": report.message_index,
            "created_at": report.created_at.isoformat(),
        }, ensure_ascii=False, sort_keys=True)
