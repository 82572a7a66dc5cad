"""Requests per organization per minute for SSO callbacks and SCIM: a fixed one-minute window in the cache.

An identity provider misbehaving (or someone replaying callbacks) slows one organization only. Like
the feedback rate limit, it fails open while the cache cannot be reached: refusing every sign-in
of every organization because Redis is down would be worse.
"""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


def allow(kind, organization_id, limit):
    """Count one request of this kind for the organization; False once the minute's limit is reached."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"identity:throttle:{kind}:{organization_id}:{window}"
    try:
        cache.add(key, 0, WINDOW_SECONDS + 5)
        count = cache.incr(key)
    except Exception as error:  # a cache outage lets the request through (see the module's docstring)
        logger.warning("identity throttle skipped: %s", type(error).__name__)
        return True
    return count <= limit


def retry_after():
    """Seconds until the current window ends."""
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
