"""A fixed-window rate limit per person, kept in the cache (Redis in production)."""

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


def reports_per_minute():
    """How many reports one person may submit per minute (FEEDBACK_RATE_LIMIT_PER_MINUTE)."""
    return settings.FEEDBACK_RATE_LIMIT_PER_MINUTE


def take_report_slot(user_id, limit=None, now=None):
    """Count one report for the person; returns 0 when allowed, else seconds until the window ends."""
    limit = reports_per_minute() if limit is None else limit
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"feedback-rate:{user_id}:{window}"
    # add() is a no-op if the key exists, so concurrent first requests do not reset the count.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr(): this is the window's first report
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * WINDOW_SECONDS - now))
