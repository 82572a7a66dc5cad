"""The outbox: a mail written in its change's transaction is delivered once, whatever the broker or the mail server did."""

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from console import outbox
from console.celery import app as console_app
from console.models import OutboxMessage
from console.tasks import deliver_due_outbox
from orgs import services
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
SENT = []


@outbox.sender("tests.note")
def _send_note(*, to, fail=""):
    if fail == "later":
        raise ConnectionRefusedError("the mail server is down")
    if fail == "bug":
        raise KeyError("a bug")
    SENT.append(to)
    return 1


@pytest.fixture(autouse=True)
def _forget_sent():
    SENT.clear()


def _enqueue(**payload):
    with transaction.atomic():
        [message] = outbox.enqueue("tests.note", [payload])
    return message


@pytest.mark.django_db(transaction=True)
def test_a_message_is_written_only_inside_the_changes_transaction_and_only_of_a_known_kind():
    with pytest.raises(RuntimeError):
        outbox.enqueue("tests.note", [{"to": "a"}])
    with pytest.raises(ValueError), transaction.atomic():
        outbox.enqueue("no.such.kind", [{}])
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        outbox.enqueue("tests.note", [{"to": "a"}])
        1 / 0  # noqa: B018 - the change fails: its mail goes with it
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_message_is_sent_once_however_often_it_is_delivered():
    message = _enqueue(to="ada")
    assert outbox.deliver(message.pk) == 1
    assert outbox.deliver(message.pk) == 0
    assert outbox.deliver_due() == 0
    message.refresh_from_db()
    assert SENT == ["ada"] and message.sent_at is not None and message.payload == {} and message.attempts == 1


@pytest.mark.django_db
def test_a_message_claimed_by_a_delivery_under_way_is_left_to_it_until_its_claim_runs_out():
    message = _enqueue(to="ada")
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=now + timedelta(minutes=1))
    assert outbox.deliver_due(now=now) == 0 and SENT == []
    assert outbox.deliver_due(now=now + timedelta(minutes=2)) == 1 and SENT == ["ada"]


@pytest.mark.django_db
def test_a_server_that_says_later_is_tried_again_with_back_off_then_given_up():
    message = _enqueue(to="ada", fail="later")
    now = timezone.now()
    assert outbox.deliver(message.pk, now) == 0
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at, message.failed_at) == (1, now + timedelta(minutes=1), None)
    assert "the mail server is down" in message.last_error
    assert outbox.deliver_due(now=now) == 0  # not due yet
    message.refresh_from_db()
    assert message.attempts == 1
    waited = timedelta()
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        message.refresh_from_db()
        waited += message.next_attempt_at - now
        now = message.next_attempt_at
        outbox.deliver_due(now=now)
    message.refresh_from_db()
    assert message.attempts == outbox.MAX_ATTEMPTS and message.failed_at is not None
    assert timedelta(hours=2) < waited < timedelta(hours=3)  # about two and a half hours in all
    assert outbox.deliver_due(now=now + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_a_sender_that_fails_for_another_reason_marks_its_message_failed():
    message = _enqueue(to="ada", fail="bug")
    with pytest.raises(KeyError):
        outbox.deliver(message.pk)
    message.refresh_from_db()
    assert message.failed_at is not None and message.sent_at is None and "a bug" in message.last_error


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on a fixed port, stopped and started again by the test."""

    def __init__(self, folder):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            skip_or_fail("redis-server is not installed")
        self.folder, self.port, self.process = folder, _free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    pytest.fail("the test's own redis-server did not start")
                time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def broker(tmp_path):
    """A Celery app whose broker and results are a Redis of the test's own, current in the test's thread.

    Yields (app, server).
    """
    server = RedisServer(tmp_path)
    server.start()
    app = Celery("outbox-outage-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = app.conf.result_backend = server.url
    app.set_current()
    try:
        yield app, server
    finally:
        console_app.set_current()
        server.stop()


@contextmanager
def worker_process(broker_url, smtp_port):
    """A real `celery worker` process on that broker, the test database and the test's SMTP server."""
    database = connection.settings_dict
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "console.settings.development", "REDIS_URL": broker_url,
        "DATABASE_URL": "postgres://{}@{}:{}/{}".format(
            quote(database["USER"]) + (f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else ""),
            database["HOST"] or "127.0.0.1", database["PORT"] or 5432, database["NAME"],
        ),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}", "SITE_URL": "http://testserver", "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "console", "worker", "--pool", "solo", "--without-heartbeat",
         "--without-mingle", "--without-gossip", "--loglevel", "WARNING",
         # The tests' own queue (console/settings/test.py), which the development settings do not name.
         "--queues", console_app.conf.task_default_queue],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_notice_whose_broker_is_down_at_commit_is_delivered_once_the_broker_is_back(broker, smtp_server, claude_members):
    app, server = broker
    server.stop()  # the broker goes away just before the change
    owner, primary = claude_members["owner"], claude_members["primary_owner"]
    assert services.set_feedback_setting(actor=owner.user, organization=owner.organization, enabled=False)

    # The change committed; its notice waits in the outbox, unsent: nothing was lost with the broker.
    [message] = OutboxMessage.objects.all()
    assert (message.kind, message.payload["user_id"], message.sent_at, message.attempts) == (
        "orgs.setting_notice", primary.user.pk, None, 0)
    assert smtp_server.messages == [] and mail.outbox == []

    server.start()  # the broker is back: beat's next sweep goes through it to a worker
    with worker_process(server.url, smtp_server.port):
        assert app.send_task(deliver_due_outbox.name).get(timeout=60) == 1
        [(recipients, notice)] = smtp_server.wait_for(1)
        assert recipients == [primary.user.email] and "turned off" in notice["Subject"]
        assert app.send_task(deliver_due_outbox.name).get(timeout=60) == 0
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1
    assert len(smtp_server.messages) == 1
