"""A real Celery worker in a thread of the test process, on the configured broker."""

import threading
import time

import pytest

WAIT = 15  # seconds: an upper bound for the worker to go idle, never a sleep we hope is long enough
_running = []  # the session's worker, once a test has started it
_threads = []  # the threads it runs in


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker):
    import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task the worker start-up checks
    from celery.contrib.testing.worker import start_worker

    from console.celery import app

    before = set(threading.enumerate())
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=30) as worker:
        _running.append(worker)
        _threads.extend(set(threading.enumerate()) - before)
        yield worker
        _running.clear()
        _threads.clear()


def _queued_messages(app):
    with app.connection_for_read() as connection, connection.channel() as channel:
        try:
            return channel.queue_declare(queue=app.conf.task_default_queue, passive=True).message_count
        except connection.channel_errors:  # Redis keeps no key for an empty queue: nothing is waiting
            return 0


def wait_until_worker_is_idle():
    """Wait (bounded) until the worker runs nothing and nothing is queued, so no task reads rows while a test's data is flushed.

    Tasks queued by one test (a notice after a settings change, say) would otherwise run while
    pytest-django truncates the tables, and PostgreSQL breaks that tie as a deadlock. A task held
    for a later retry (an ETA) touches nothing until then, so it is not waited for, and a worker
    still busy at the bound is left to the next test rather than failing every teardown after it.
    """
    if not _running or not any(t.is_alive() for t in _threads):
        return  # no worker, or it has stopped (its tests fail on their own): nothing will go idle
    from celery.worker import state

    app = _running[0].app
    deadline = time.monotonic() + WAIT
    idle_checks = 0
    while time.monotonic() < deadline:
        busy = state.active_requests or _queued_messages(app)
        idle_checks = 0 if busy else idle_checks + 1
        if idle_checks == 2:  # twice in a row: a message taken between two looks is seen by the second
            return
        time.sleep(0.02)
