#!/usr/bin/env python
"""Benchmark: feedback submission and an Admin API request with a key vs a trivial signed-in JSON view, with wrk.

The endpoints are served by the same gunicorn (production settings, PostgreSQL, Redis) in the
same run; wrk on loopback drives each in turn. Writes its table into docs/performance.md.
"""

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "console_bench_submit"
SLUG = "bench-org"

SETUP = """
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from console.models import User
from orgs.models import Organization, Membership
user = User.objects.create_user("bench@example.test", "bench-password-123")
org = Organization.objects.create(name="Bench", slug="bench-org", kind="claude", plan="enterprise")
Membership.objects.create(user=user, organization=org, role="member")
owner = User.objects.create_user("bench-owner@example.test", "bench-password-123")
Membership.objects.create(user=owner, organization=org, role="primary_owner")
from api.services import create_api_key
_, key = create_api_key(actor=owner, organization=org, name="bench", scopes=["read"])
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(s.session_key)
print(key)
"""

WRK_LUA = """
wrk.method = "{method}"
wrk.headers["Cookie"] = "sessionid={session}; csrftoken={csrf}"
wrk.headers["X-CSRFToken"] = "{csrf}"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{body}]]
{extra}
done = function(summary, latency, requests)
  io.write(string.format("BENCH non2xx=%d\\n", summary.errors.status))
end
"""


def conversation_of_about(size):
    """A chat report body whose conversation is about `size` bytes of JSON."""
    filler = "The quarterly plan needs a careful review of risks and owners. "
    messages, total = [], 0
    while total < size:
        text = filler * 4
        role = "user" if len(messages) % 2 == 0 else "assistant"
        messages.append({"role": role, "content": [{"type": "text", "text": text}]})
        total += len(text) + 50
    conversation = {"messages": messages, "style": {"name": "Concise"}, "preferences": {"language": "en"},
                    "model_settings": {"model": "claude-sonnet", "temperature": 0.7, "max_tokens": 1024}}
    return {"surface": "chat", "rating": "up", "comment": "bench", "conversation": conversation}


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True, capture_output=True, **kwargs)


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer at {url}")


def parse_wrk(output):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latencies = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M))
    non2xx = int(re.search(r"BENCH non2xx=(\d+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {"rps": rps, "p50": latencies.get("50"), "p99": latencies.get("99"), "non2xx": non2xx, "requests": requests}


def free_port():
    """A port nothing listens on now: several people and CI jobs share the machine."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk(port, path, method, session, csrf, body, seconds, connections, workdir, api_key=None):
    """One wrk run; with api_key the request carries the key (x-api-key) and no session cookie."""
    script = Path(workdir) / f"{method.lower()}.lua"
    extra = ""
    if api_key:
        session, extra = "", f'wrk.headers["Cookie"] = nil\nwrk.headers["x-api-key"] = "{api_key}"'
    script.write_text(WRK_LUA.format(method=method, session=session, csrf=csrf, body=body, extra=extra))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}{path}"],
        check=True, text=True, capture_output=True,
    ).stdout
    return parse_wrk(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5, help="baseline, submissions, baseline: this many times")
    parser.add_argument("--connections", type=int, default=16)
    # gunicorn's recommended (2 × cores) + 1 sync workers on the 2-core machine.
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    parser.add_argument("--db-name", default=DB_NAME, help="the scratch database (dropped and created)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    venv_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "console.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{PG}/{args.db_name}",
        "REDIS_URL": args.redis_url,
        "EMAIL_URL": "dummymail://",  # the benchmark sends no mail
        "DEFAULT_FROM_EMAIL": "bench@127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "FEEDBACK_RATE_LIMIT_PER_MINUTE": "100000000",  # one bench user sends every request
        "API_KEY_SECRET": secrets.token_urlsafe(50),
        "IDENTITY_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # a Fernet key
        "API_KEY_RATE_LIMIT_PER_MINUTE": "100000000",  # one bench key sends every request
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(["psql", PG + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {args.db_name}"], check=True)
    subprocess.run(["psql", PG + "/postgres", "-qc", f"CREATE DATABASE {args.db_name}"], check=True)
    run([sys.executable, "manage.py", "migrate", "-v0"], env)
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    session, api_key = run([sys.executable, "manage.py", "shell", "-v0", "-c", SETUP], env).stdout.strip().splitlines()[-2:]
    csrf = secrets.token_hex(16)  # 32 characters: a valid CSRF secret for cookie and header
    body = json.dumps(conversation_of_about(2048))

    port = free_port()
    server = subprocess.Popen(
        [str(venv_bin / "gunicorn"), "console.wsgi", "-w", str(args.workers), "--threads", str(args.threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        with tempfile.TemporaryDirectory() as workdir:
            wrk(port, "/api/v1/me", "GET", session, csrf, "", 3, args.connections, workdir)  # warm-up
            # Each round runs the baseline before and after the submissions and counts their mean,
            # so a drift of the machine's speed during a round weighs on both sides alike; the
            # verdict is the median round, so one disturbed round does not decide it.
            rounds = []
            for _ in range(args.rounds):
                before = wrk(port, "/api/v1/me", "GET", session, csrf, "", args.seconds, args.connections, workdir)
                submit = wrk(port, f"/api/v1/orgs/{SLUG}/feedback", "POST", session, csrf, body, args.seconds,
                             args.connections, workdir)
                after = wrk(port, "/api/v1/me", "GET", session, csrf, "", args.seconds, args.connections, workdir)
                keyed = wrk(port, f"/api/v1/orgs/{SLUG}/settings", "GET", session, csrf, "", args.seconds, args.connections,
                            workdir, api_key=api_key)
                baseline = {**before, "rps": (before["rps"] + after["rps"]) / 2, "non2xx": before["non2xx"] + after["non2xx"]}
                rounds.append((submit["rps"] / baseline["rps"], baseline, submit, keyed))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    stored = run([sys.executable, "manage.py", "shell", "-v0", "-c",
                  "from feedback.models import Feedback; print(Feedback.objects.count())"], env).stdout.strip()
    ratio, baseline, submit, keyed = sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]
    non2xx = sum(r[2]["non2xx"] for r in rounds)
    key_non2xx = sum(r[3]["non2xx"] for r in rounds)
    rows = [
        "| endpoint (median round) | requests/s | p50 | p99 | non-2xx (all rounds) |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| GET /api/v1/me (trivial signed-in JSON) | {baseline['rps']:.0f} | {baseline['p50']} | {baseline['p99']} "
        f"| {sum(r[1]['non2xx'] for r in rounds)} |",
        f"| POST /api/v1/orgs/&lt;slug&gt;/feedback ({len(body)} B body) | {submit['rps']:.0f} | {submit['p50']} | {submit['p99']} "
        f"| {non2xx} |",
        f"| GET /api/v1/orgs/&lt;slug&gt;/settings with an organization key (x-api-key) | {keyed['rps']:.0f} | {keyed['p50']} "
        f"| {keyed['p99']} | {key_non2xx} |",
    ]
    verdict = "meets" if ratio >= 0.5 and non2xx == 0 and key_non2xx == 0 else "MISSES"
    text = "\n".join([
        "### Feedback submission and an Admin API request with a key (`bench/submit.py`)",
        "",
        f"gunicorn {args.workers} workers × {args.threads} thread(s), production settings, PostgreSQL and Redis on this machine; "
        f"wrk 2 threads × {args.connections} connections × {args.seconds} s per run, same server; {args.rounds} rounds, "
        "each a baseline run, a submission run, a baseline run (the baseline is the mean of the two; latencies "
        "from the first) and a run of key requests; the table shows the median round.",
        "",
        *rows,
        "",
        f"Submission throughput is **{ratio:.2f}×** the trivial view's in the median round ({verdict} the ≥ 0.5× "
        f"target); rounds: {', '.join(f'{r[0]:.2f}×' for r in rounds)}; {stored} reports stored.",
        "",
        f"An Admin API request with a key runs at **{keyed['rps'] / baseline['rps']:.2f}×** the trivial session view's "
        "throughput in the same round: the key is checked by one indexed lookup (its HMAC on a unique index, the "
        "organization and the maker's membership joined in; `tests/api/test_keys.py` counts the queries) plus the "
        "per-key rate limit in Redis.",
    ])
    write_section("submit", text)
    print(text)
    return 0 if verdict == "meets" else 1


if __name__ == "__main__":
    sys.exit(main())
