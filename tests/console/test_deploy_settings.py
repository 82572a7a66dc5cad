import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "console.settings.production",
    "SECRET_KEY": "x7#kq!2vLm9@Pz4&Rt8*Wn5^Yb3%Hc6(Jd1)Gf0-Se_Ua+Oi=Ek",
    "ALLOWED_HOSTS": "console.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/console",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://console:mail-password@smtp.example.com:587",
    "DEFAULT_FROM_EMAIL": "Data Management Console <console@example.com>",
    "SITE_URL": "https://console.example.com",
    "IDENTITY_ENCRYPTION_KEY": "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
    "API_KEY_SECRET": "q3!Zr8@Lm2#Vx7$Nc5%Tb9^Hw4&Jk6*Pd1(Fs0)Gy-Ua+Oe=Ri",
}


def _manage(*args, env):
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE, which production must never have.
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_their_secrets():
    for missing in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL", "SITE_URL",
                    "IDENTITY_ENCRYPTION_KEY", "API_KEY_SECRET"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        result = _manage("check", env=env)
        assert result.returncode != 0
        assert missing in result.stderr


def test_development_settings_are_the_default_with_no_environment():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    code = "from django.conf import settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "filesystem://"], result.stderr


def test_a_rate_limit_that_is_not_a_positive_whole_number_stops_start_up():
    for bad in ("0", "-5", "sixty"):
        result = _manage("check", env={"FEEDBACK_RATE_LIMIT_PER_MINUTE": bad})
        assert result.returncode != 0
        assert "FEEDBACK_RATE_LIMIT_PER_MINUTE must be a whole number of reports" in result.stderr


def test_production_mail_settings_come_from_email_url():
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.SITE_URL)"
    result = _manage("shell", "--verbosity", "0", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend", "smtp.example.com", "587", "True", "https://console.example.com",
    ], result.stderr


def test_development_mail_lands_in_files_under_var_mail():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH, s.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == [
        "django.core.mail.backends.filebased.EmailBackend", str(ROOT / "var" / "mail"), "http://127.0.0.1:8000",
    ], result.stderr


def test_a_site_url_that_is_not_an_address_stops_start_up():
    for bad in ("console.example.com", "https://console.example.com/app", "ftp://console.example.com"):
        result = _manage("check", env={"SITE_URL": bad})
        assert result.returncode != 0
        assert "SITE_URL must be the console's address" in result.stderr


def test_the_training_terms_version_comes_from_the_environment_and_a_bad_one_stops_start_up():
    code = "from django.conf import settings as s; print(s.TRAINING_TERMS_VERSION)"
    result = _manage("shell", "--verbosity", "0", "-c", code, env={"TRAINING_TERMS_VERSION": " 2026-03-01 "})
    assert result.stdout.split() == ["2026-03-01"], result.stderr
    for bad in ("", "2026 03 01"):
        result = _manage("check", env={"TRAINING_TERMS_VERSION": bad})
        assert result.returncode != 0
        assert "TRAINING_TERMS_VERSION must be a version label" in result.stderr
