"""Benchmark of the retention purge against one raw DELETE on the same PostgreSQL (issue 5, §Speed).

Run: .venv/bin/python bench/purge.py [--rows N] [--batch-size B] [--no-sweep]
Exits 1 when a target of issue 5 is missed. It creates (and drops first) its own database,
`console_bench` on the server of BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/console_bench), and writes its table of figures into
docs/performance.md between <!-- purge:start --> and <!-- purge:end -->.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings.development")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.report import write_section  # noqa: E402 - needs the repository on sys.path

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SIX_YEARS = NOW - dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
LIMIT_S = 0.5

# ~2 KiB of JSON per report: two messages of 30 md5 strings each (incompressible, so stored out of
# line as real 2 KiB conversations are), plus style and settings; a pool of 4,096 keeps loading fast.
POOL_SQL = """
CREATE TABLE IF NOT EXISTS bench_conversation AS
SELECT n, jsonb_build_object(
         'messages', jsonb_build_array(
            jsonb_build_object('role', 'user', 'content',
              (SELECT string_agg(md5((n * 61 + k)::text), ' ') FROM generate_series(1, 30) k)),
            jsonb_build_object('role', 'assistant', 'content',
              (SELECT string_agg(md5((n * 61 + k)::text), ' ') FROM generate_series(31, 60) k))),
         'style', jsonb_build_object('name', 'concise'),
         'preferences', jsonb_build_object('language', 'en'),
         'model_settings', jsonb_build_object('model', 'claude', 'temperature', 0.7)) AS conversation
FROM generate_series(0, 4095) n
"""
INSERT_SQL = """
INSERT INTO feedback_feedback (id, surface, rating, comment, conversation, created_at)
SELECT md5(%(tag)s || i::text)::uuid,
       CASE WHEN i %% 3 = 0 THEN 'workbench' ELSE 'chat' END,
       CASE WHEN i %% 2 = 0 THEN 'down' ELSE 'up' END,
       '',
       c.conversation,
       %(start)s::timestamptz + %(span)s::interval * ((i - 1)::float8 / %(rows)s)
FROM generate_series(1, %(rows)s) i JOIN bench_conversation c ON c.n = i %% 4096
ORDER BY i
"""


def admin_url():
    return BENCH_URL.rsplit("/", 1)[0] + "/postgres"


def create_database():
    name = BENCH_URL.rsplit("/", 1)[1]
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def raw(sql, params=None, autocommit=True):
    with psycopg.connect(BENCH_URL, autocommit=autocommit) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else cur.rowcount


def load(*, rows, extra_recent=0):
    """Fresh, identical data: `rows` reports over six years ending at NOW (a sixth expired), plus extra recent ones."""
    started = time.monotonic()
    raw("TRUNCATE feedback_feedback")
    raw(POOL_SQL)
    raw("ALTER TABLE feedback_feedback SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)")
    raw(INSERT_SQL, {"tag": "r", "start": NOW - SIX_YEARS, "span": SIX_YEARS, "rows": rows})
    if extra_recent:
        recent = SIX_YEARS * 5 / 6
        raw(INSERT_SQL, {"tag": "d", "start": NOW - recent, "span": recent, "rows": extra_recent})
    raw("VACUUM ANALYZE feedback_feedback")
    raw("CHECKPOINT")
    # Let the kernel write the loaded gigabytes out now, not in the background while a scenario is timed.
    os.sync()
    time.sleep(2)
    total = raw("SELECT count(*) FROM feedback_feedback")[0][0]
    print(f"  loaded {total:,} reports in {time.monotonic() - started:.0f} s", flush=True)
    return total


class Writer(threading.Thread):
    """Inserts new reports one by one through its own connection and keeps each insert's latency."""

    def __init__(self):
        super().__init__(daemon=True)
        self.latencies = []
        self.stop = threading.Event()

    def run(self):
        body = '{"messages": [{"role": "user", "content": "%s"}]}' % ("x" * 1800)
        with psycopg.connect(BENCH_URL, autocommit=True) as conn:
            while not self.stop.is_set():
                started = time.monotonic()
                conn.execute(
                    "INSERT INTO feedback_feedback (id, surface, rating, comment, conversation, created_at) "
                    "VALUES (gen_random_uuid(), 'chat', 'up', '', %s::jsonb, now())", [body])
                self.latencies.append(time.monotonic() - started)
                time.sleep(0.005)


def run_service(*, batch_size, now=NOW, with_writer=True):
    """Run the purge service, timing every batch transaction; returns the figures."""
    from retention import services

    durations = []
    original = services._delete_batch

    def timed(**kwargs):
        started = time.monotonic()
        try:
            return original(**kwargs)
        finally:
            durations.append(time.monotonic() - started)

    services._delete_batch = timed
    writer = Writer() if with_writer else None
    try:
        if writer:
            writer.start()
            time.sleep(0.2)
        started = time.monotonic()
        run = services.purge_expired_feedback(now=now, batch_size=batch_size)
        elapsed = time.monotonic() - started
    finally:
        services._delete_batch = original
        if writer:
            writer.stop.set()
            writer.join()
    assert run.status == "succeeded", run.error
    return {
        "seconds": elapsed, "rows": run.rows_deleted, "batches": run.batches, "max_txn": max(durations),
        "median_txn": statistics.median(durations),
        "writer_max": max(writer.latencies) if writer else None, "writer_n": len(writer.latencies) if writer else 0,
    }


def run_raw_delete(*, cutoff):
    """One DELETE of every expired report in one transaction, with the same writer running."""
    writer = Writer()
    writer.start()
    time.sleep(0.2)
    try:
        started = time.monotonic()
        rows = raw("DELETE FROM feedback_feedback WHERE created_at < %s", [cutoff])
        elapsed = time.monotonic() - started
    finally:
        writer.stop.set()
        writer.join()
    return {"seconds": elapsed, "rows": rows, "writer_max": max(writer.latencies), "writer_n": len(writer.latencies)}


def sweep(*, rows, sizes):
    """Batch sizes compared on one dataset: each purges an equal third of the expired rows."""
    from retention import policy

    load(rows=rows)
    results = []
    for index, size in enumerate(sizes, start=1):
        # A `now` whose cutoff lies `index` thirds of the way through the expired sixth.
        now = NOW - SIX_YEARS / 6 * (len(sizes) - index) / len(sizes)
        figures = run_service(batch_size=size, now=now, with_writer=True)
        figures["size"] = size
        figures["cutoff"] = policy.get_cutoff(now=now, years=5)
        results.append(figures)
        print(f"  sweep batch {size}: {figures['rows']:,} rows in {figures['seconds']:.2f} s, "
              f"max txn {figures['max_txn'] * 1000:.0f} ms", flush=True)
    return results


def verdict(ok):
    return "yes" if ok else "**NO**"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="reports in the table (default 1,000,000)")
    parser.add_argument("--batch-size", type=int, default=None, help="batch size for (a) (default: the service's)")
    parser.add_argument("--no-sweep", action="store_true", help="skip the batch-size comparison")
    args = parser.parse_args()
    began = time.monotonic()

    create_database()
    setup_django()
    from retention import policy, services

    # Warm-up: the first purge opens Django's connection and loads the code paths, nothing to delete.
    services.purge_expired_feedback(now=NOW - SIX_YEARS * 2, batch_size=10)

    size = args.batch_size or services.DEFAULT_BATCH_SIZE
    cutoff = policy.get_cutoff(now=NOW, years=5)
    print(f"Purge benchmark: {args.rows:,} reports, batch size {size}, cutoff {cutoff:%Y-%m-%d}", flush=True)

    sweep_results = []
    if not args.no_sweep:
        print("batch-size sweep", flush=True)
        sweep_results = sweep(rows=args.rows, sizes=[1_000, 2_500, 5_000, 10_000])

    print("(a) the purge service, with a concurrent writer", flush=True)
    total_a = load(rows=args.rows)
    service = run_service(batch_size=size)
    print(f"  {service}", flush=True)

    print("(b) one raw DELETE", flush=True)
    load(rows=args.rows)
    delete = run_raw_delete(cutoff=cutoff)
    print(f"  {delete}", flush=True)

    print("(a) again with the non-expired reports doubled", flush=True)
    total_doubled = load(rows=args.rows, extra_recent=args.rows * 5 // 6)
    doubled = run_service(batch_size=size)
    print(f"  {doubled}", flush=True)

    ratio = service["seconds"] / delete["seconds"]
    growth = doubled["seconds"] / service["seconds"] - 1
    worst_txn = max(service["max_txn"], doubled["max_txn"])
    lines = [
        f"### Retention purge ({args.rows:,} reports, batch size {size})",
        "",
        f"Measured by `bench/purge.py` on {dt.date.today():%Y-%m-%d} against the local PostgreSQL "
        f"({raw('SHOW server_version')[0][0]}): reports with ~2 KiB conversations spread over six years, "
        "one sixth expired; every scenario starts from freshly loaded, identical data (vacuumed, "
        "checkpointed and synced to disk; autovacuum off so it cannot interfere). "
        "The writer inserts one report every ~5 ms through its own "
        "connection (its own commit each time) while (a) runs, and also during (b) so both run under the same load.",
        "",
        "| scenario | reports in table | deleted | time (s) | reports/s | batches | longest batch txn (ms) "
        "| writer worst insert (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| (a) purge service | {total_a:,} | {service['rows']:,} | {service['seconds']:.2f} | "
        f"{service['rows'] / service['seconds']:,.0f} | {service['batches']} | {service['max_txn'] * 1000:.0f} | "
        f"{service['writer_max'] * 1000:.1f} ({service['writer_n']:,} inserts) |",
        f"| (b) one raw DELETE | {total_a:,} | {delete['rows']:,} | {delete['seconds']:.2f} | "
        f"{delete['rows'] / delete['seconds']:,.0f} | 1 | {delete['seconds'] * 1000:.0f} | "
        f"{delete['writer_max'] * 1000:.1f} ({delete['writer_n']:,} inserts) |",
        f"| (a) non-expired doubled | {total_doubled:,} | {doubled['rows']:,} | {doubled['seconds']:.2f} | "
        f"{doubled['rows'] / doubled['seconds']:,.0f} | {doubled['batches']} | {doubled['max_txn'] * 1000:.0f} | "
        f"{doubled['writer_max'] * 1000:.1f} ({doubled['writer_n']:,} inserts) |",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
        f"| (a) at most 1.5 × (b) | {ratio:.2f} × | {verdict(ratio <= 1.5)} |",
        f"| no batch transaction longer than 0.5 s | {worst_txn * 1000:.0f} ms | {verdict(worst_txn <= LIMIT_S)} |",
        f"| writer never blocked longer than 0.5 s during (a) | "
        f"{max(service['writer_max'], doubled['writer_max']) * 1000:.1f} ms | "
        f"{verdict(max(service['writer_max'], doubled['writer_max']) <= LIMIT_S)} |",
        f"| doubling non-expired rows grows (a) by at most 20 % | {growth * 100:+.1f} % | {verdict(growth <= 0.20)} |",
    ]
    if sweep_results:
        lines += [
            "",
            "Batch sizes compared on one dataset (each purges an equal third of the expired reports, "
            "with the writer running):",
            "",
            "| batch size | deleted | time (s) | reports/s | median batch txn (ms) | longest batch txn (ms) "
            "| writer worst insert (ms) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {r['size']:,} | {r['rows']:,} | {r['seconds']:.2f} | {r['rows'] / r['seconds']:,.0f} | "
            f"{r['median_txn'] * 1000:.0f} | {r['max_txn'] * 1000:.0f} | {r['writer_max'] * 1000:.1f} |"
            for r in sweep_results
        ]
    lines += ["", f"Whole benchmark: {time.monotonic() - began:.0f} s."]
    write_section("purge", "\n".join(lines))
    print("\n".join(lines))
    met = ratio <= 1.5 and worst_txn <= LIMIT_S and growth <= 0.20 and max(service["writer_max"], doubled["writer_max"]) <= LIMIT_S
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
