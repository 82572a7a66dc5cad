"""A sliding-window rate limit per person: Redis when REDIS_URL is set, else the Django cache.

Reports are counted per minute; the count that is checked is this minute's plus the last minute's
weighted by the share of that minute still within the past 60 seconds (as if its reports were
spread evenly over it). So a person cannot send twice the limit by sending it just before and just
after a minute starts, and whether a burst is limited does not depend on where in the minute it
falls. A refused report is not counted.

The limit fails open: while the cache cannot be reached a report is let through (and counted in
/healthz's detail), because losing a person's report is worse than letting a few extra through.
"""

import contextlib
import functools
import logging
import math
import time

import redis
from django.conf import settings
from django.core.cache import cache

from console.health import cache_fail_open

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
# A minute's count is read during the next minute too.
KEY_TTL_SECONDS = 2 * WINDOW_SECONDS + 5
# A limiter that cannot reach Redis must not hold the report up for long (see also console.health).
REDIS_TIMEOUT_SECONDS = 0.5
# The weighted count is a float: a count that equals the limit up to rounding is within it.
ROUNDING = 1e-9


def reports_per_minute():
    """How many reports one person may submit per minute (FEEDBACK_RATE_LIMIT_PER_MINUTE)."""
    return settings.FEEDBACK_RATE_LIMIT_PER_MINUTE


@functools.cache
def _redis(url):
    return redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS)


def _count_in_redis(url, key, previous_key):
    # INCR, EXPIRE and the last minute's count in one round trip: the limit is checked on every report.
    pipe = _redis(url).pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, KEY_TTL_SECONDS, nx=True)
    pipe.get(previous_key)
    count, _, previous = pipe.execute()
    return count, int(previous or 0)


def _uncount_in_redis(url, key):
    _redis(url).decr(key)


def _count_in_cache(key, previous_key):
    previous = cache.get(previous_key, 0)
    if cache.add(key, 1, timeout=KEY_TTL_SECONDS):
        return 1, previous
    try:
        return cache.incr(key), previous
    except ValueError:  # expired between add() and incr(): this is the window's first report
        cache.set(key, 1, timeout=KEY_TTL_SECONDS)
        return 1, previous


def _uncount_in_cache(key):
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing left to take back
        cache.decr(key)


def _key(user_id, window):
    return f"{settings.CACHE_KEY_PREFIX}:feedback-rate:{user_id}:{window}"


def recent_count(count, previous, now):
    """This minute's count plus the share of the last minute's that lies within the past 60 seconds."""
    elapsed = (now % WINDOW_SECONDS) / WINDOW_SECONDS
    return count + previous * (1 - elapsed)


def take_report_slot(user_id, limit=None, now=None):
    """Count one report for the person; returns 0 when allowed, else seconds to wait (Retry-After)."""
    limit = reports_per_minute() if limit is None else limit
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key, previous_key = _key(user_id, window), _key(user_id, window - 1)
    if cache_fail_open.backing_off():
        cache_fail_open.let_through()
        return 0
    try:
        if settings.REDIS_URL:
            count, previous = _count_in_redis(settings.REDIS_URL, key, previous_key)
        else:
            count, previous = _count_in_cache(key, previous_key)
        if recent_count(count, previous, now) <= limit + ROUNDING:
            return 0
        # Refused: take the count back, so that trying again does not push the wait further out.
        if settings.REDIS_URL:
            _uncount_in_redis(settings.REDIS_URL, key)
        else:
            _uncount_in_cache(key)
    except (redis.RedisError, OSError) as error:
        cache_fail_open.let_through(error)
        logger.warning("Rate limit failing open: the cache is unreachable (%s); the report is let through.", type(error).__name__)
        return 0
    return _seconds_until_a_slot(count - 1, previous, limit, now, window)


def _seconds_until_a_slot(count, previous, limit, now, window):
    """When the weighted count, with one more report, first falls within the limit (at least 1 s)."""
    window_end = (window + 1) * WINDOW_SECONDS
    if previous and count + 1 <= limit:
        # Within this minute, as the last minute's share shrinks: count + 1 + previous * (1 - e) <= limit.
        elapsed_needed = 1 - (limit - count - 1) / previous
        wait = window * WINDOW_SECONDS + elapsed_needed * WINDOW_SECONDS - now
    else:
        # Not before the next minute, when this minute's count becomes the shrinking share:
        # 1 + count * (1 - e) <= limit (count >= limit >= 1 here).
        wait = window_end - now + max(0.0, 1 - (limit - 1) / count) * WINDOW_SECONDS
    return max(1, math.ceil(wait))
