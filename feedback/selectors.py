"""Reads of feedback: the owners' overview counts."""

from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from .models import DailyFeedbackCount, Rating

OVERVIEW_DAYS = 30


def get_recent_counts(organization, days=OVERVIEW_DAYS):
    """Reports given by the organization in the last `days` days, as {"up": n, "down": n}."""
    since = timezone.now().date() - timedelta(days=days - 1)
    totals = dict(
        DailyFeedbackCount.objects.filter(organization=organization, day__gte=since)
        .values("rating")
        .annotate(total=Sum("count"))
        .values_list("rating", "total")
    )
    return {"up": totals.get(Rating.UP, 0), "down": totals.get(Rating.DOWN, 0), "days": days}


def list_daily_counts(organization, since, until):
    """The organization's reports per day, surface and rating in [since, until] (dates), oldest first: counts only."""
    return list(
        DailyFeedbackCount.objects.filter(organization=organization, day__gte=since, day__lte=until)
        .values("day", "surface", "rating")
        .annotate(count=Sum("count"))
        .order_by("day", "surface", "rating")
    )
