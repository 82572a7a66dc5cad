"""Reads of feedback: the owners' overview counts."""

from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from .models import DailyFeedbackCount, Kind, Rating

OVERVIEW_DAYS = 30


def get_recent_counts(organization, days=OVERVIEW_DAYS):
    """Reports given by the organization in the last `days` days, as {"up": n, "down": n, "bugs": n, "days": days}."""
    since = timezone.now().date() - timedelta(days=days - 1)
    totals = {
        (kind, rating): total
        for kind, rating, total in DailyFeedbackCount.objects.filter(organization=organization, day__gte=since)
        .values("kind", "rating")
        .annotate(total=Sum("count"))
        .values_list("kind", "rating", "total")
    }
    return {
        "up": totals.get((Kind.RATING, Rating.UP), 0),
        "down": totals.get((Kind.RATING, Rating.DOWN), 0),
        "bugs": totals.get((Kind.BUG, ""), 0),
        "days": days,
    }


def list_daily_counts(organization, since, until):
    """The organization's reports per day, surface, kind and rating in [since, until] (dates), oldest first: counts only."""
    return list(
        DailyFeedbackCount.objects.filter(organization=organization, day__gte=since, day__lte=until)
        .values("day", "surface", "kind", "rating")
        .annotate(count=Sum("count"))
        .order_by("day", "surface", "kind", "rating")
    )
