"""Reachability checks of the services the console depends on."""

import threading
import time

from django.conf import settings
from django.db import connections
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2
# After the cache fails once, callers skip it for a few seconds: an outage costs one timeout, not one per request.
CACHE_BACKOFF_SECONDS = 5


class CacheFailOpen:
    """Requests let through because the cache was unreachable (per process), for /healthz's detail."""

    def __init__(self):
        self._lock = threading.Lock()
        self.count = 0
        self.last_error = ""
        self._retry_at = 0.0

    def let_through(self, error=None):
        """Count one request let through; an error (a fresh failure) starts a back-off."""
        with self._lock:
            self.count += 1
            if error is not None:
                self.last_error = type(error).__name__
                self._retry_at = time.monotonic() + CACHE_BACKOFF_SECONDS

    def backing_off(self):
        """Whether the cache failed a moment ago, so callers should not wait on it again yet."""
        return time.monotonic() < self._retry_at

    def reset(self):
        with self._lock:
            self.count, self.last_error, self._retry_at = 0, "", 0.0

    def detail(self):
        """The state /healthz shows: failing open now or not, and how many requests it let through."""
        return {"ok": not self.backing_off(), "fail_open_count": self.count,
                **({"error": self.last_error} if self.last_error else {})}


cache_fail_open = CacheFailOpen()


def check_database(alias="default"):
    """Run a trivial query; returns (ok, the error's kind, never its text, which may hold addresses)."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down": report it, do not raise
        return False, type(error).__name__
    return True, ""


def check_broker():
    """Open and close a connection to the Celery broker; returns (ok, error text)."""
    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            conn.default_channel  # noqa: B018 - opening a channel proves the broker answers
    except Exception as error:  # any failure means "down": report it, do not raise
        return False, type(error).__name__
    return True, ""
