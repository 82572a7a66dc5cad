"""Retention reads: what a purge would delete now, and what falls due in the coming days."""

import datetime as dt
from collections import Counter

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from feedback.models import DailyFeedbackCount, Feedback

from . import policy


def _expired_q(ranges):
    query = Q()
    for start, end in ranges:
        query |= Q(created_at__lt=end) if start is None else Q(created_at__gte=start, created_at__lt=end)
    return query


def get_purge_preview(*, now=None):
    """What a purge at `now` would delete: report count, oldest report, cutoff and daily counts."""
    years = policy.get_retention_years()
    ranges = policy.get_expired_ranges(now=now or timezone.now(), years=years)
    cutoff = ranges[0][1]
    expired = Feedback.objects.filter(_expired_q(ranges)).aggregate(count=Count("id"), oldest=Min("created_at"))
    return {
        "retention_years": years,
        "cutoff": cutoff,
        "reports": expired["count"],
        "oldest": expired["oldest"],
        "daily_counts": DailyFeedbackCount.objects.filter(day__lt=cutoff.date()).count(),
    }


def list_expiry_forecast(*, days, now=None):
    """How many reports fall due on each of the next `days` UTC days, as (date, count) pairs."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    years = policy.get_retention_years()
    start = policy.get_cutoff(now=now, years=years)
    end = policy.get_cutoff(now=now + dt.timedelta(days=days + 1), years=years)
    by_day = (
        Feedback.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values("day")
        .annotate(count=Count("id"))
        .order_by("day")
    )
    due = Counter()
    for row in by_day:
        submitted = dt.datetime.combine(row["day"], dt.time(), tzinfo=dt.UTC)
        due[policy.get_due_at(submitted, years=years).date()] += row["count"]
    today = now.date()
    return [(today + dt.timedelta(days=offset), due[today + dt.timedelta(days=offset)]) for offset in range(days)]
