"""A real Celery worker in a thread of the test process, on the configured broker."""

import pytest


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker):
    import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task the worker start-up checks
    from celery.contrib.testing.worker import start_worker

    from console.celery import app

    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=30) as worker:
        yield worker
