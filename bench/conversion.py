"""Benchmark of the migration that stores reports by day, on a plain table of 1,000,000 reports with a writer running.

Run: .venv/bin/python bench/conversion.py [--rows N] [--days N]
Exits 1 when a row is lost or an insert waited for a lock past 1 s. It creates (and drops first) its
own database, CONVERSION_DATABASE_URL (default: BENCH_DATABASE_URL's name + `_conversion`), migrates
it to just before feedback's 0007, fills the plain table with `--rows` reports spread over `--days`
days (five years and a month), then runs `migrate` while a writer inserts reports one by one, each
insert allowed to wait for a lock at most 1 s (its own lock_timeout). Figures go into
docs/performance.md between <!-- conversion:start --> and <!-- conversion:end -->.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console_bench")
URL = os.environ.get("CONVERSION_DATABASE_URL", BENCH_URL + "_conversion")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings.development")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.report import write_section  # noqa: E402 - needs the repository on sys.path
from bench.writer import Writer  # noqa: E402

BEFORE = ("feedback", "0006_add_code_surface")
FILL_SQL = """
INSERT INTO feedback_feedback (id, surface, rating, comment, conversation, message_index, created_at)
SELECT gen_random_uuid(), CASE WHEN i %% 3 = 0 THEN 'workbench' ELSE 'chat' END, 'up', 'comment ' || i,
       jsonb_build_object('messages', jsonb_build_array(repeat('x', 400), i)), i %% 4,
       now() - %(span)s::interval * (i::float8 / %(rows)s)
FROM generate_series(1, %(rows)s) i
"""
FINGERPRINT_SQL = ("SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM feedback_feedback t "
                   "WHERE NOT (id = ANY(%s))")


def create_database():
    admin = URL.rsplit("/", 1)[0] + "/postgres"
    name = URL.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def raw(sql, params=None):
    with psycopg.connect(URL, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else cur.rowcount


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=1_856, help="days the rows are spread over (default 1,856)")
    args = parser.parse_args()
    create_database()
    import django
    from django.core.management import call_command

    django.setup()
    from feedback import partitions

    call_command("migrate", verbosity=0)
    call_command("migrate", *BEFORE, verbosity=0)  # back to the plain table
    started = time.monotonic()
    raw(FILL_SQL, {"rows": args.rows, "span": f"{args.days} days"})
    raw("VACUUM ANALYZE feedback_feedback")
    original = raw(FINGERPRINT_SQL, [[]])[0]
    print(f"  loaded {original[0]:,} reports over {args.days:,} days in {time.monotonic() - started:.0f} s", flush=True)

    writer = Writer(URL, lock_timeout="1s", pause=0.005)
    writer.start()
    writer.started.wait(timeout=30)
    began = time.monotonic()
    call_command("migrate", verbosity=0)
    seconds = time.monotonic() - began
    writer.finish()

    from django.db import connection

    connection.close()
    kept = raw(FINGERPRINT_SQL, [writer.ids])[0]
    written = raw("SELECT count(*) FROM feedback_feedback WHERE id = ANY(%s)", [writer.ids])[0][0]
    count = raw("SELECT count(*) FROM pg_inherits WHERE inhparent = 'feedback_feedback'::regclass")[0][0]
    lost = original[0] - kept[0] + len(writer.ids) - written
    intact = kept == original and written == len(writer.ids) and partitions.is_partitioned()
    ok = intact and not writer.errors
    lines = [
        f"### Converting a plain table of {args.rows:,} reports to daily partitions",
        "",
        f"Measured by `bench/conversion.py` on {dt.date.today():%Y-%m-%d}: `manage.py migrate` (feedback 0007) on a "
        f"plain table of {args.rows:,} reports spread over {args.days:,} days, while a writer inserts a report every "
        "~5 ms, each insert allowed to wait for a lock at most 1 s. Shared 2-core machine, load average "
        f"{os.getloadavg()[1]:.1f} over the last 5 minutes of the run.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| migration time | {seconds:.1f} s |",
        f"| partitions afterwards | {count:,} |",
        f"| reports before, after (every column compared by hash) | {original[0]:,}, {kept[0]:,} "
        f"({'identical' if kept == original else '**differ**'}) |",
        f"| writer's inserts during the migration, all found afterwards | {len(writer.ids):,}, {written:,} |",
        f"| rows lost | {lost} |",
        f"| writer's worst insert | {max(writer.latencies) * 1000:.0f} ms |",
        f"| inserts that waited for a lock past 1 s | {len(writer.errors)} |",
        f"| met (no row lost, no writer held past 1 s) | {'yes' if ok else '**NO**'} |",
    ]
    write_section("conversion", "\n".join(lines))
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
