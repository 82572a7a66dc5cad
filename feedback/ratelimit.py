"""A fixed-window rate limit per person: Redis when REDIS_URL is set, else the Django cache.

The limit fails open: while the cache cannot be reached a report is let through (and counted in
/healthz's detail), because losing a person's report is worse than letting a few extra through.
"""

import functools
import logging
import time

import redis
from django.conf import settings
from django.core.cache import cache

from console.health import cache_fail_open

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
KEY_TTL_SECONDS = WINDOW_SECONDS + 5
# A limiter that cannot reach Redis must not hold the report up for long (see also console.health).
REDIS_TIMEOUT_SECONDS = 0.5


def reports_per_minute():
    """How many reports one person may submit per minute (FEEDBACK_RATE_LIMIT_PER_MINUTE)."""
    return settings.FEEDBACK_RATE_LIMIT_PER_MINUTE


@functools.cache
def _redis(url):
    return redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS)


def _count_in_redis(url, key):
    # INCR and EXPIRE in one round trip: the limit is checked on every report.
    pipe = _redis(url).pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, KEY_TTL_SECONDS, nx=True)
    count, _ = pipe.execute()
    return count


def _count_in_cache(key):
    if cache.add(key, 1, timeout=KEY_TTL_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr(): this is the window's first report
        cache.set(key, 1, timeout=KEY_TTL_SECONDS)
        return 1


def take_report_slot(user_id, limit=None, now=None):
    """Count one report for the person; returns 0 when allowed, else seconds until the window ends."""
    limit = reports_per_minute() if limit is None else limit
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"{settings.CACHE_KEY_PREFIX}:feedback-rate:{user_id}:{window}"
    if cache_fail_open.backing_off():
        cache_fail_open.let_through()
        return 0
    try:
        count = _count_in_redis(settings.REDIS_URL, key) if settings.REDIS_URL else _count_in_cache(key)
    except (redis.RedisError, OSError) as error:
        cache_fail_open.let_through(error)
        logger.warning("Rate limit failing open: the cache is unreachable (%s); the report is let through.", type(error).__name__)
        return 0
    if count <= limit:
        return 0
    return max(1, int((window + 1) * WINDOW_SECONDS - now))
