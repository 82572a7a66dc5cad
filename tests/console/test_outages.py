"""A database or broker that goes away answers 503 (JSON under /api/, a plain page elsewhere) and recovers."""

import socket

import pytest
from django.db import connections

from console.celery import app as celery_app
from tests.factories import MembershipFactory, UserFactory


def _closed_port():
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_gone():
    """Point the default connection at a closed port for real; restore it afterwards."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()

    def take_away():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))

    def bring_back():
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    yield take_away, bring_back
    bring_back()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pages_and_api_answer_503_while_the_database_is_gone_and_recover_by_themselves(client, database_gone):
    take_away, bring_back = database_gone
    membership = MembershipFactory(role="owner")
    client.force_login(membership.user)
    members = f"/orgs/{membership.organization.slug}/settings/members/"
    api = f"/api/v1/orgs/{membership.organization.slug}/settings"
    assert client.get(members).status_code == 200

    take_away()
    page = client.get(members)
    assert page.status_code == 503
    assert page["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in page.content.decode()
    assert page["Retry-After"]
    assert "no-store" in page["Cache-Control"]
    answer = client.get(api)
    assert answer.status_code == 503
    assert answer.json()["error"] == "unavailable"
    sign_in = client.post("/accounts/login/", {"username": membership.user.email, "password": "whatever"})
    assert sign_in.status_code == 503

    bring_back()
    assert client.get(members).status_code == 200
    assert client.get(api).status_code == 200


def _drop_celery_connections():
    """Forget Celery's pooled broker connections so the next send connects to the configured broker."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_gone():
    """Point Celery at a closed port for real (no broker there); restore the broker afterwards."""
    saved = celery_app.conf.broker_url
    _drop_celery_connections()
    celery_app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    yield
    _drop_celery_connections()
    celery_app.conf.broker_url = saved


@pytest.mark.django_db
def test_a_staff_action_that_queues_a_task_answers_503_while_the_broker_is_gone(client, broker_gone):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post("/admin/retention/retentionrun/run-purge/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
