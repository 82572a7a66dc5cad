"""Benchmark of the audit chain (issue 19): recording with and without the chain, and verify_audit on 2,000,000 events.

Run: .venv/bin/python bench/audit.py [--changes N] [--events N]
Creates (dropping it first) its own database: AUDIT_BENCH_DATABASE_URL, by default the server of
BENCH_DATABASE_URL with the database `console_audit_bench`.

1. Recording: a settings change (orgs.services.set_feedback_setting: lock, permission, save, audit
   event, outbox rows for the other deciders, one transaction), taking turns change by change: with
   the chain (the head row locked, the hash computed, the head updated) and with the event inserted
   unchained as before the chain (one INSERT). Judged on the median round; target at most 1.3×.
2. verify_audit: one organization of --events chained events (2,000,000 by default) and one of
   10,000; `manage.py verify_audit <slug>` in its own process, timed, with its peak resident memory
   (which must not grow with the chain: the walk streams through a server-side cursor).

Writes its table into docs/performance.md between <!-- audit:start --> and <!-- audit:end -->.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_BENCH = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console_bench")
AUDIT_URL = os.environ.get("AUDIT_BENCH_DATABASE_URL", _BENCH.rsplit("/", 1)[0] + "/console_audit_bench")
os.environ["DATABASE_URL"] = AUDIT_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings.development")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.report import write_section  # noqa: E402 - needs the repository on sys.path

ROUNDS = 5
TARGET_RATIO = 1.3


def create_database():
    server, name = AUDIT_URL.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _unchained_recorder():
    """The recording as it was before the chain: registry checks, then one INSERT (numbered from a counter)."""
    import itertools

    from django.utils import timezone

    from audit.models import AuditEvent
    from audit.services import Actor, _clean_ip

    numbers = itertools.count(1)

    def record(*, organization, actor, action, target="", old=None, new=None, request_meta):
        action.check_values(old, new)
        actor = Actor.of(actor)
        event = AuditEvent(
            organization=organization, seq=next(numbers), prev_hash="", hash="", created_at=timezone.now(),
            actor=actor.user, actor_kind=actor.kind, actor_email=actor.email, actor_name=actor.name,
            action=action.code, target=target, old_value=old, new_value=new,
            ip_address=_clean_ip(request_meta.ip_address), user_agent=request_meta.user_agent,
        )
        event.save(force_insert=True)
        return event

    return record


def _organization(slug):
    from console.models import User
    from orgs.models import Membership, Organization

    org = Organization.objects.create(name=slug, slug=slug, kind="claude", plan="enterprise")
    people = [User.objects.create_user(email=f"{role}@{slug}.test") for role in ("primary", "owner", "owner2")]
    for person, role in zip(people, ("primary_owner", "owner", "owner"), strict=True):
        Membership.objects.create(organization=org, user=person, role=role)
    return org, people[1]


def bench_recording(changes):
    """Seconds per settings change with and without the chain, per round.

    The two alternate change by change (in turn first), so both meet the same load of a shared machine.
    """
    from audit.services import RequestMeta
    from orgs import services

    chained_recorder = services.record_audit_event
    setups = [("chain", chained_recorder, *_organization("chained")),
              ("no chain", _unchained_recorder(), *_organization("unchained"))]
    meta = RequestMeta(ip_address="203.0.113.9", user_agent="bench")
    rounds = {name: [] for name, *_ in setups}
    for _ in range(ROUNDS + 1):  # the first round warms up and is not counted
        spent = dict.fromkeys(rounds, 0.0)
        for i in range(changes):
            for name, recorder, org, owner in setups[::1 if i % 2 else -1]:
                services.record_audit_event = recorder
                start = time.perf_counter()
                services.set_feedback_setting(actor=owner, organization=org, enabled=bool(i % 2), request_meta=meta)
                spent[name] += time.perf_counter() - start
        for name in rounds:
            rounds[name].append(spent[name] / changes)
    services.record_audit_event = chained_recorder
    return {name: times[1:] for name, times in rounds.items()}


def _verify_process(slug):
    """(seconds, peak resident MiB) of `manage.py verify_audit <slug>` in its own process."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", "verify_audit", slug], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert result.returncode == 0, result.stderr + result.stdout
    print(f"  {result.stdout.strip().splitlines()[0]}", flush=True)
    # RUSAGE_CHILDREN keeps the largest child so far: the small walk runs first, so each figure is its own.
    return elapsed, peak / 1024


def bench_verification(events):
    from bench.scale_data import append_chain_events
    from orgs.models import Organization

    figures = {}
    for slug, count in (("chain-small", 10_000), ("chain-large", events)):
        org = Organization.objects.create(name=slug, slug=slug, kind="claude", plan="enterprise")
        start = time.perf_counter()
        append_chain_events(org, count)
        print(f"  {count:,} events loaded in {time.perf_counter() - start:.0f} s", flush=True)
        figures[slug] = (count, *_verify_process(slug))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200, help="settings changes per round")
    parser.add_argument("--events", type=int, default=2_000_000)
    args, _ = parser.parse_known_args()

    create_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from console.celery import app

    # The outbox's nudges go nowhere: no worker runs here, and nothing is left in a shared Redis.
    app.conf.broker_url = "memory://"

    print(f"recording: {ROUNDS} rounds of {args.changes} settings changes, with and without the chain", flush=True)
    rounds = bench_recording(args.changes)
    chain, plain = statistics.median(rounds["chain"]), statistics.median(rounds["no chain"])
    ratios = [c / p for c, p in zip(rounds["chain"], rounds["no chain"], strict=True)]
    ratio = statistics.median(ratios)
    print(f"  chain {chain * 1000:.2f} ms, no chain {plain * 1000:.2f} ms: {ratio:.2f}×", flush=True)

    print(f"verify_audit: 10,000 and {args.events:,} events", flush=True)
    walks = bench_verification(args.events)
    (small_n, small_s, small_mb), (large_n, large_s, large_mb) = walks["chain-small"], walks["chain-large"]
    ok = ratio <= TARGET_RATIO and large_mb <= small_mb * 1.5
    text = "\n".join([
        "## Audit chain: recording and verification (issue 19)",
        "",
        f"`bench/audit.py`, PostgreSQL on the same 2-core machine (shared while measured). A settings change through "
        f"`set_feedback_setting` (lock, save, audit event, outbox rows for the other deciders), {args.changes} per round, "
        f"{ROUNDS} rounds, changes with the chain and with the event inserted unchained as before taking turns; "
        f"judged on the median round. Target: at most {TARGET_RATIO}×.",
        "",
        "| recording a settings change | median per change | rounds (ms) |",
        "| --- | --- | --- |",
        f"| with the chain | {chain * 1000:.2f} ms | {', '.join(f'{t * 1000:.2f}' for t in rounds['chain'])} |",
        f"| without the chain | {plain * 1000:.2f} ms | {', '.join(f'{t * 1000:.2f}' for t in rounds['no chain'])} |",
        f"| ratio (median of the rounds' ratios) | **{ratio:.2f}×** | {', '.join(f'{r:.2f}' for r in ratios)} |",
        "",
        "`manage.py verify_audit <slug>` in its own process (Django start-up included), peak resident memory of "
        "that process:",
        "",
        "| events in the chain | time | events per second | peak memory |",
        "| --- | --- | --- | --- |",
        f"| {small_n:,} | {small_s:.1f} s | {small_n / small_s:,.0f} | {small_mb:.0f} MiB |",
        f"| {large_n:,} | {large_s:.1f} s | {large_n / large_s:,.0f} | {large_mb:.0f} MiB |",
        "",
        f"Within target: {'yes' if ok else '**no**'} (recording at most {TARGET_RATIO}×; memory of the large walk "
        "within 1.5× of the small one).",
    ])
    write_section("audit", text)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
