"""A newcomer's first hour: tests beside a running `make run`, mail links, sign-in hints, sign-out."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}


def _settings_of(code, **env):
    """Run `code` under the settings a fresh shell with only `env` gets; its printed words."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT, env={**CLEAN_ENV, **env}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


# Tests beside `make run`


def test_the_tests_keep_every_development_file_in_a_folder_of_their_own():
    """The broker folders, results, database, beat schedule and mail of `make run` live under var/; the tests' do not."""
    ours = Path(os.environ["VAR_DIR"])
    assert ours != ROOT / "var" and not ours.is_relative_to(ROOT)
    assert Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).is_relative_to(ours)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # in memory once the test database is made
        assert not Path(settings.DATABASES["default"]["NAME"]).is_relative_to(ROOT)
    if settings.CELERY_BROKER_URL == "filesystem://":
        for folder in settings.CELERY_BROKER_TRANSPORT_OPTIONS.values():
            assert Path(folder).is_relative_to(ours)
        assert settings.CELERY_RESULT_BACKEND.removeprefix("file://").startswith(str(ours))
    # Under Redis, a queue no `make run` worker reads.
    assert settings.CELERY_TASK_DEFAULT_QUEUE != "celery"


SEND_A_TASK = (
    "import os; from pathlib import Path; from console.celery import app; "
    "app.send_task('console.no_such_task'); "
    "print(os.environ['VAR_DIR'], app.conf.task_default_queue, "
    "*sorted(p.name for p in Path(os.environ['VAR_DIR'], 'celery', 'queue').iterdir()))"
)


def test_a_task_queued_by_the_tests_never_reaches_the_folder_a_running_make_run_reads():
    """As a newcomer runs them: no DATABASE_URL, no REDIS_URL, so the filesystem broker is in use."""
    var_dir, queue, *messages = _settings_of(SEND_A_TASK, DJANGO_SETTINGS_MODULE="console.settings.test")
    assert len(messages) == 1 and messages[0].endswith(f".{queue}.msg")  # queued, in the tests' own folder
    assert not Path(var_dir).is_relative_to(ROOT)
    assert not Path(var_dir).exists()  # removed when that test process ended
    clone_queue = ROOT / "var" / "celery" / "queue"
    assert not any(queue in p.name for p in (clone_queue.iterdir() if clone_queue.exists() else ()))


# Links in mail follow RUN_ADDRESS


@pytest.mark.parametrize(("env", "site_url"), [
    ({}, "http://127.0.0.1:8000"),
    ({"RUN_ADDRESS": "127.0.0.1:8123"}, "http://127.0.0.1:8123"),
    ({"RUN_ADDRESS": "0.0.0.0:9000"}, "http://127.0.0.1:9000"),
    ({"RUN_ADDRESS": "localhost:8001", "SITE_URL": "https://console.example.com"}, "https://console.example.com"),
])
def test_development_links_in_mail_point_where_make_run_serves(env, site_url):
    assert _settings_of("from django.conf import settings; print(settings.SITE_URL)", **env) == [site_url]


# Sign-in and sign-out pages


@pytest.mark.django_db
def test_the_development_sign_in_page_names_the_demo_accounts_and_their_password(client, settings):
    settings.DEBUG = True
    html = client.get("/accounts/login/").content.decode()
    assert 'data-testid="demo-accounts"' in html
    for email in ("primary@acme.test", "owner@acme.test", "admin@acme.test", "member@acme.test", "dev@acme.test", "staff@acme.test"):
        assert email in html
    assert "Org Admin of Acme API" in html
    assert f"<code>{settings.DEMO_PASSWORD}</code>" in html


@pytest.mark.django_db
def test_a_sign_in_page_outside_development_names_no_account(client, settings):
    settings.DEBUG = False
    html = client.get("/accounts/login/").content.decode()
    assert "demo-accounts" not in html
    assert "acme.test" not in html
    assert settings.DEMO_PASSWORD not in html


@pytest.mark.django_db
def test_opening_the_sign_out_address_shows_a_button_that_signs_out(client):
    user = UserFactory(email="leaving@example.test")
    client.force_login(user)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are signed in as <strong>leaving@example.test</strong>" in html
    assert html.count('action="/accounts/logout/"') == 2  # the page's button, and the top bar's
    assert client.session[SESSION_KEY] == str(user.pk)  # a GET changes nothing
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and SESSION_KEY not in client.session


@pytest.mark.django_db
def test_opening_the_sign_out_address_when_signed_out_offers_to_sign_in(client):
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert "You are signed out" in response.content.decode()
    assert 'href="/accounts/login/"' in response.content.decode()
