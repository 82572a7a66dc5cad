"""Small helpers shared by the retention tests."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from feedback import partitions
from feedback.models import Feedback

UTC = dt.UTC
ROOT = Path(__file__).resolve().parents[2]


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def make_reports(*times, by_day=True):
    """Create one report per submission time; returns them in the given order.

    On PostgreSQL each report lands in its day's partition (made here, as the beat task makes them
    ahead of time); by_day=False leaves days without one, so the reports are strays in the default
    partition, which the batched row purge deletes (as on SQLite).
    """
    if by_day and partitions.is_partitioned():
        partitions.create_day_partitions({t.astimezone(UTC).date() for t in times})
    return Feedback.objects.bulk_create(
        [Feedback(surface="chat", rating="up", conversation={"messages": []}, created_at=t) for t in times]
    )


def remaining_times():
    return sorted(Feedback.objects.values_list("created_at", flat=True))


def due_at(submitted, years):
    """The documented rule, written independently of the code under test: 00:00 UTC of the day the
    report's UTC day turns `years` old (a 29 February on 28 February when the due year has none)."""
    day = submitted.astimezone(UTC).date()
    try:
        due = day.replace(year=day.year + years)
    except ValueError:
        due = day.replace(year=day.year + years, day=28)
    return dt.datetime(due.year, due.month, due.day, tzinfo=UTC)


def period_end(submitted, years):
    """The instant a report has been kept exactly `years` (29 February: 28 February at its time)."""
    try:
        return submitted.replace(year=submitted.year + years)
    except ValueError:
        return submitted.replace(year=submitted.year + years, day=28)


def purge_killed_after(lines, prefix, *args):
    """Run `manage.py purge_expired_feedback *args` in its own process and SIGKILL it once it has printed
    `lines` lines starting with `prefix` (or it ended); returns its exit code."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "console.settings.test"}
    proc = subprocess.Popen([sys.executable, "manage.py", "purge_expired_feedback", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = 0
        for line in proc.stdout:
            seen += line.startswith(prefix)
            if seen == lines:
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
    _wait_for_the_killed_session_to_end()
    return proc.returncode


def _wait_for_the_killed_session_to_end(timeout=30):
    """The server ends a killed client's session (and frees its purge lock) only once it notices: wait for that."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() "
                           "AND ((classid::bigint << 32) | objid::bigint) = %s", [partitions.REPORT_DELETION_LOCK_ID])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
