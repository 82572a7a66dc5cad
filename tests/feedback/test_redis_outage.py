"""No report is lost to a Redis outage: a real redis-server, started here on its own port, is stopped mid-test."""

import json
import shutil
import socket
import subprocess
import time

import pytest
import redis

from console.health import cache_fail_open
from feedback.models import Feedback
from tests.conftest import skip_or_fail

URL = "/api/v1/orgs/claude-ent/feedback"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free port; yields (url, stop)."""
    binary = shutil.which("redis-server")
    if binary is None:
        skip_or_fail("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("the test's own redis-server did not start")
            time.sleep(0.05)

    def stop():
        process.terminate()
        process.wait(timeout=10)

    cache_fail_open.reset()
    try:
        yield url, client, stop
    finally:
        if process.poll() is None:
            stop()
        cache_fail_open.reset()


@pytest.mark.django_db
def test_reports_are_stored_while_redis_is_down_and_healthz_says_so(client, claude_members, settings, own_redis, chat_report):
    url, redis_client, stop = own_redis
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = url
    client.force_login(claude_members["member"].user)

    def submit():
        return client.post(URL, json.dumps(chat_report), content_type="application/json")

    assert submit().status_code == 201
    assert any(b"feedback-rate" in key for key in redis_client.scan_iter("*feedback-rate*"))  # the limiter really counted in this Redis

    stop()
    responses = [submit() for _ in range(3)]

    assert [response.status_code for response in responses] == [201, 201, 201]
    assert Feedback.objects.count() == 4
    health = client.get("/healthz")
    assert health.status_code == 503  # the broker is this Redis: still reported down
    body = health.json()
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
    assert body["rate_limit"]["ok"] is False
    assert body["rate_limit"]["fail_open_count"] == 3


@pytest.mark.django_db
def test_a_report_refused_while_redis_is_down_gets_its_answer_and_gives_back_nothing(
    client, claude_members, settings, own_redis, chat_report, claude_org
):
    url, redis_client, stop = own_redis
    settings.REDIS_URL = url
    client.force_login(claude_members["member"].user)
    claude_org.thumbs_feedback_enabled = False
    claude_org.save(update_fields=["thumbs_feedback_enabled"])
    stop()
    responses = [client.post(URL, json.dumps(chat_report), content_type="application/json") for _ in range(2)]
    assert [(r.status_code, r.json()["error"]) for r in responses] == [(403, "feedback_disabled")] * 2
    assert Feedback.objects.count() == 0


@pytest.mark.django_db
def test_healthz_shows_the_rate_limit_healthy_when_redis_answers(client):
    body = client.get("/healthz").json()
    assert body["rate_limit"] == {"ok": True, "fail_open_count": 0}
