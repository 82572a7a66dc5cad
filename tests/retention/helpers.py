"""Small helpers shared by the retention tests."""

import datetime as dt

from feedback.models import Feedback

UTC = dt.UTC


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def make_reports(*times):
    """Create one report per submission time; returns them in the given order."""
    return Feedback.objects.bulk_create(
        [Feedback(surface="chat", rating="up", conversation={"messages": []}, created_at=t) for t in times]
    )


def remaining_times():
    return sorted(Feedback.objects.values_list("created_at", flat=True))


def due_at(submitted, years):
    """The documented rule, written independently of the code under test."""
    try:
        return submitted.replace(year=submitted.year + years)
    except ValueError:
        return submitted.replace(year=submitted.year + years, day=28)
