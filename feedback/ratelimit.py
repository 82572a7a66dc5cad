"""A sliding-window rate limit per person: at most FEEDBACK_RATE_LIMIT_PER_MINUTE reports in any 60 s.

The time of each report let through is kept until it is 60 seconds old: in a Redis sorted set per
person when REDIS_URL is set (pruned, counted and added to in one Lua script, so concurrent reports
cannot slip past the limit together), else in a list in the Django cache (development). A report
is let through while fewer than the limit are kept; otherwise the answer is how long until the
oldest one is 60 seconds old. Wherever a burst falls on the clock, no 60 seconds hold more than the
limit. A report refused afterwards (not a member, feedback off) gives its place back. The same window
counts other buckets too (``take_slot``: the Admin API counts each organization key's requests).

The limit fails open: while the cache cannot be reached a report is let through (and counted in
/healthz's detail), because losing a person's report is worse than letting a few extra through.
"""

import functools
import logging
import math
import secrets
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

# KEYS[1] the person's set; ARGV: now, window, limit, a unique member for this report.
# Returns {1} when the report is let through, else {0, the oldest kept time as a string}.
TAKE_SLOT_LUA = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return {1}
end
return {0, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]}
"""

# KEYS[1] the person's set; ARGV[1] the time of the report to give back (one entry at that time).
GIVE_BACK_LUA = """
local found = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
if found[1] then redis.call('ZREM', KEYS[1], found[1]) end
return #found
"""


def reports_per_minute():
    """How many reports one person may submit per minute (FEEDBACK_RATE_LIMIT_PER_MINUTE)."""
    return settings.FEEDBACK_RATE_LIMIT_PER_MINUTE


@functools.cache
def _redis(url):
    return redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS)


@functools.cache
def _script(url, source):
    return _redis(url).register_script(source)


def _key(bucket):
    return f"{settings.CACHE_KEY_PREFIX}:{bucket}"


def _report_bucket(user_id):
    return f"feedback-rate:{user_id}"


def _take_in_redis(url, key, limit, now):
    member = f"{now!r}:{secrets.token_hex(4)}"
    result = _script(url, TAKE_SLOT_LUA)(keys=[key], args=[repr(now), WINDOW_SECONDS, limit, member, KEY_TTL_SECONDS])
    return None if result[0] == 1 else float(result[1])


def _take_in_cache(key, limit, now):
    kept = [t for t in cache.get(key, []) if t > now - WINDOW_SECONDS]
    if len(kept) >= limit:
        return min(kept)
    cache.set(key, [*kept, now], timeout=KEY_TTL_SECONDS)
    return None


def _guarded(action, fallback):
    """Run a call on the store; while it cannot be reached, count it in /healthz and give the fallback."""
    if cache_fail_open.backing_off():
        cache_fail_open.let_through()
        return fallback
    try:
        return action()
    except (redis.RedisError, OSError) as error:
        cache_fail_open.let_through(error)
        logger.warning("Rate limit failing open: the cache is unreachable (%s); the request is let through.", type(error).__name__)
        return fallback


def take_report_slot(user_id, limit=None, now=None):
    """Count one report for the person at `now`; returns 0 when let through, else seconds to wait (Retry-After)."""
    return take_slot(_report_bucket(user_id), reports_per_minute() if limit is None else limit, now)


def take_slot(bucket, limit, now=None):
    """Count one request in the bucket at `now`; returns 0 when let through, else seconds to wait (Retry-After)."""
    now = time.time() if now is None else now
    key = _key(bucket)
    if settings.REDIS_URL:
        oldest = _guarded(lambda: _take_in_redis(settings.REDIS_URL, key, limit, now), None)
    else:
        oldest = _guarded(lambda: _take_in_cache(key, limit, now), None)
    if oldest is None:
        return 0
    # The first whole second at which the oldest kept report is 60 seconds old.
    return max(1, math.ceil(oldest + WINDOW_SECONDS - now))


def _give_back_in_cache(key, now):
    kept = cache.get(key, [])
    if now in kept:
        kept.remove(now)
        cache.set(key, kept, timeout=KEY_TTL_SECONDS)


def give_back_report_slot(user_id, now):
    """Give back the place a report took at `now` (take_report_slot's), when the report was refused after all.

    Best effort: while the store is unreachable nothing was counted, so there is nothing to give back.
    """
    if cache_fail_open.backing_off():
        return
    key = _key(_report_bucket(user_id))
    try:
        if settings.REDIS_URL:
            _script(settings.REDIS_URL, GIVE_BACK_LUA)(keys=[key], args=[repr(now)])
        else:
            _give_back_in_cache(key, now)
    except (redis.RedisError, OSError) as error:
        logger.warning("Rate limit: could not give back a refused report's place (%s).", type(error).__name__)
