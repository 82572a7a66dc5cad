"""A database or broker that goes away answers 503 (JSON under /api/, a plain page elsewhere) and recovers."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections

from tests.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]


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


# The request runs in its own process: the tests' Celery worker shares this process's app, and
# pointing that app at a dead broker would cut the worker off for the rest of the session.
BROKER_GONE_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from console.models import User
setup_test_environment()
call_command("migrate", verbosity=0)
client = Client()
client.force_login(User.objects.create_superuser(email="staff@acme.test", password="a-long-pass-phrase"))
response = client.post("/admin/retention/retentionrun/run-purge/")
print(response.status_code, "Temporarily unavailable" in response.content.decode())
"""


def test_a_staff_action_that_queues_a_task_answers_503_while_the_broker_is_gone(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="console.settings.test", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0", LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run([sys.executable, "-c", BROKER_GONE_SCRIPT], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["503", "True"]
