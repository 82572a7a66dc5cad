"""Reachability checks of the services the console depends on."""

from django.conf import settings
from django.db import connections
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2


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
