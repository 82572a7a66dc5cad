"""Retention tests on PostgreSQL leave the daily partitions as a fresh database has them."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from feedback import partitions
from retention import services


def reset_partitions():
    """Drop every daily partition but the standard window, and make that window (committed tests only)."""
    if not partitions.is_partitioned():
        return
    today = timezone.now().astimezone(dt.UTC).date()
    window = set(partitions.days_between(today - dt.timedelta(days=1), today + dt.timedelta(days=partitions.DAYS_AHEAD)))
    with connection.cursor() as cursor:
        for name in partitions.list_detached_partitions():
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(name)}")
        for day, name in partitions.list_day_partitions():
            if day not in window:
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(name)}")
    services.create_feedback_partitions()


@pytest.fixture(autouse=True)
def _fresh_partitions(request, django_db_blocker):
    """Partitions made by a test that commits (transaction=True) would outlive it: put them back as they were."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        with django_db_blocker.unblock():
            reset_partitions()
