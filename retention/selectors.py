"""Retention reads: what a purge would delete now, which days go on the coming dates, and where reports are stored."""

import datetime as dt
from collections import Counter

from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from feedback import partitions
from feedback.models import DailyFeedbackCount, Feedback

from . import policy

ONE_DAY = dt.timedelta(days=1)
ERR_STRAYS = "{count} feedback reports are stored outside daily partitions (submitted {oldest} to {newest})"
ERR_MISSING_PARTITIONS = "no daily partition yet for {days}"
ERR_DETACHED = "detached daily partitions not dropped: {names}"


def _reports_by_day(start, end):
    """How many reports were submitted on each UTC day in [start, end), as {date: count}."""
    query = Feedback.objects.filter(created_at__lt=end)
    if start is not None:
        query = query.filter(created_at__gte=start)
    rows = (query.annotate(day=TruncDate("created_at", tzinfo=dt.UTC)).values("day")
            .annotate(count=Count("id")).order_by("day"))
    return {row["day"]: row["count"] for row in rows}


def get_purge_preview(*, now=None):
    """What a purge at `now` would delete: reports by submission day (and whether the day goes whole), oldest, daily counts."""
    years = policy.get_retention_years()
    cutoff = policy.get_cutoff(now=now or timezone.now(), years=years)
    expired = Feedback.objects.filter(created_at__lt=cutoff).aggregate(count=Count("id"), oldest=Min("created_at"))
    whole = {day for day, _ in partitions.list_day_partitions()} if partitions.is_partitioned() else set()
    days = [(day, count, day in whole) for day, count in sorted(_reports_by_day(None, cutoff).items())]
    return {
        "retention_years": years,
        "cutoff": cutoff,
        "reports": expired["count"],
        "oldest": expired["oldest"],
        "days": days,
        "partitions": sorted(day for day in whole if day < cutoff.date()),
        "daily_counts": DailyFeedbackCount.objects.filter(day__lt=cutoff.date()).count(),
    }


def list_expiry_forecast(*, days, now=None):
    """For each of the next `days` UTC dates: (date, reports deleted at its 00:00, the submission days they are from)."""
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    years = policy.get_retention_years()
    dates = [today + ONE_DAY * offset for offset in range(1, days + 1)]
    first = policy.get_last_due_day(now=policy.midnight(dates[0]) - ONE_DAY, years=years) + ONE_DAY
    last = policy.get_last_due_day(now=policy.midnight(dates[-1]), years=years)
    submission_days = {}
    day = first
    while day <= last:
        submission_days.setdefault(policy.get_due_day(day, years=years), []).append(day)
        day += ONE_DAY
    counts = Counter(_reports_by_day(policy.midnight(first), policy.midnight(last + ONE_DAY)))
    return [(date, sum(counts[d] for d in submission_days.get(date, [])), submission_days.get(date, []))
            for date in dates]


def get_storage_state(*, now=None, stray_limit, required_ahead):
    """Where reports are stored and what is wrong with it: strays, missing coming partitions, detached leftovers."""
    if not partitions.is_partitioned():
        return {"partitioned": False, "problems": [], "strays": {"count": 0}}
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    attached = partitions.list_day_partitions()
    present = {day for day, _ in attached}
    missing = [today + ONE_DAY * n for n in range(required_ahead + 1) if today + ONE_DAY * n not in present]
    strays = partitions.count_strays(stray_limit)
    detached = partitions.list_detached_partitions()
    problems = []
    if strays["count"]:
        count = f"{strays['count']:,}" + ("+" if strays["count"] >= stray_limit else "")
        problems.append(ERR_STRAYS.format(count=count, oldest=f"{strays['oldest']:%Y-%m-%d %H:%M}",
                                          newest=f"{strays['newest']:%Y-%m-%d %H:%M}"))
    if missing:
        problems.append(ERR_MISSING_PARTITIONS.format(days=", ".join(day.isoformat() for day in missing)))
    if detached:
        problems.append(ERR_DETACHED.format(names=", ".join(detached)))
    return {
        "partitioned": True, "problems": problems, "strays": strays, "missing_days": missing, "detached": detached,
        "partitions": len(attached), "first_day": attached[0][0] if attached else None,
        "last_day": attached[-1][0] if attached else None,
    }
