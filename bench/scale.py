"""Scale benchmark of the staff and owner pages, small against large (issue 12).

Run: .venv/bin/python bench/scale.py [--members N] [--events N] [--reports N]
Creates (dropping it first) its own database: SCALE_DATABASE_URL, by default the server of
BENCH_DATABASE_URL with the database `console_scale`. Loads one organization with a handful of
members, events and reports, times each page, then grows it to 20,000 members, 2,000,000 audit
events and 5,000,000 reports (generate_series) and times the pages again. Writes the table into
docs/performance.md between <!-- scale:start --> and <!-- scale:end -->; exits 1 when a page is
slower than 3× its small time or 0.5 s, or runs more queries than at the small size.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_BENCH = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console_bench")
SCALE_URL = os.environ.get("SCALE_DATABASE_URL", _BENCH.rsplit("/", 1)[0] + "/console_scale")
os.environ["DATABASE_URL"] = SCALE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings.development")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.report import write_section  # noqa: E402 - needs the repository on sys.path

# Small: every list still fills its first page, so both sizes render the same number of rows.
SMALL = {"members": 200, "events": 1_000, "reports": 1_000, "runs": 200}
LIMIT_S, LIMIT_RATIO, REPEATS = 0.5, 3.0, 15


def create_database():
    server, name = SCALE_URL.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def measure(client, people, page_list):
    """Best and median time of REPEATS warm requests, and the query count of one, per page.

    The best time is the page's own cost; the median also carries whatever else the shared machine runs.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = {}
    for name, url, as_staff in page_list:
        client.force_login(people["staff" if as_staff else "owner"])
        client.get(url)
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (name, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        figures[name] = (min(times), len(queries), statistics.median(times))
        print(f"  {name}: {min(times) * 1000:.0f} ms (median {figures[name][2] * 1000:.0f}), {len(queries)} queries",
              flush=True)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--reports", type=int, default=5_000_000)
    args, _ = parser.parse_known_args()
    large = {"members": args.members, "events": args.events, "reports": args.reports, "runs": 20_000}

    create_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client

    from bench.scale_data import grow, pages
    from console.models import User
    from orgs.models import Membership, Organization

    org = Organization.objects.create(name="Scale Corp", slug="scale-corp", kind="claude", plan="enterprise")
    owner = User.objects.create_user(email="owner@scale-corp.test", password=None)
    Membership.objects.create(organization=org, user=owner, role="primary_owner")
    staff = User.objects.create_superuser(email="staff@scale-corp.test", password=None)
    people = {"owner": owner, "staff": staff}
    client = Client()

    have = grow(org, **SMALL)
    page_list = pages(org, Membership.objects.filter(organization=org, role="member").first())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"small: {SMALL}", flush=True)
    small = measure(client, people, page_list)

    start = time.perf_counter()
    grow(org, **large, have=have)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    load_s = time.perf_counter() - start
    print(f"large: {large} loaded in {load_s:.0f} s", flush=True)
    big = measure(client, people, page_list)

    rows, missed = [], []
    for name, _, _ in page_list:
        (t_small, q_small, m_small), (t_big, q_big, m_big) = small[name], big[name]
        ratio = t_big / t_small
        ok = t_big < LIMIT_S and ratio <= LIMIT_RATIO and q_big <= q_small
        missed += [] if ok else [name]
        rows.append(f"| {name} | {t_small * 1000:.0f} ms ({m_small * 1000:.0f}) | {q_small} | "
                    f"{t_big * 1000:.0f} ms ({m_big * 1000:.0f}) | {q_big} | {ratio:.1f}× | {'yes' if ok else '**no**'} |")
    text = "\n".join([
        "## Staff and owner pages at scale (issue 12)",
        "",
        f"`bench/scale.py`: one Enterprise organization; small = {SMALL['members']} members, "
        f"{SMALL['events']:,} audit events, {SMALL['reports']:,} reports, {SMALL['runs']} retention runs; "
        f"large = {large['members']:,} members, {large['events']:,} audit events, {large['reports']:,} reports, "
        f"{large['runs']:,} retention runs (loaded with generate_series in {load_s:.0f} s). Best of {REPEATS} "
        "warm requests through Django's test client (no network), median in brackets, PostgreSQL on the same "
        "2-core machine, shared with other work while measured (the medians carry that noise). "
        f"Target: every page under {LIMIT_S} s, within {LIMIT_RATIO:.0f}× its small time, with no more queries.",
        "",
        "| page | small: time (median) | small: queries | large: time (median) | large: queries | ratio | within target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *rows,
    ])
    write_section("scale", text)
    print(text)
    if missed:
        print(f"missed the target: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
