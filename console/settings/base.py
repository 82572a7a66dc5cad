"""Settings shared by every environment; each value comes from the environment."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def ensure_dir(path: Path) -> Path:
    """Create a folder the settings point at, so a fresh clone runs without set-up."""
    path.mkdir(parents=True, exist_ok=True)
    return path


DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "console",
    "orgs",
    "feedback",
    "retention",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"
ASGI_APPLICATION = "console.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.context_processors.org_switcher",
            ],
        },
    },
]

AUTH_USER_MODEL = "console.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REDIS_URL = env("REDIS_URL", default="")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="dmc")

# Celery: JSON only, bounded tasks, beat schedule kept here with the other settings.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat starts the retention purge every RETENTION_PURGE_SCHEDULE seconds (hourly by default) and the
# invariant check daily; a start that waited longer than its interval expires, the next one does the work.
_purge_every = env.str("RETENTION_PURGE_SCHEDULE", default="3600").strip()
if not (_purge_every.isascii() and _purge_every.isdigit()) or not 60 <= int(_purge_every) <= 7 * 24 * 60 * 60:
    raise environ.ImproperlyConfigured(
        f"RETENTION_PURGE_SCHEDULE must be a whole number of seconds from 60 to 604800 (e.g. 3600), "
        f"not {_purge_every!r}."
    )
RETENTION_PURGE_SCHEDULE = int(_purge_every)
CELERY_BEAT_SCHEDULE = {
    "retention-purge-expired-feedback": {
        "task": "retention.tasks.purge_expired_feedback",
        "schedule": RETENTION_PURGE_SCHEDULE,
        "options": {"expires": RETENTION_PURGE_SCHEDULE},
    },
    "retention-check-invariants": {
        "task": "retention.tasks.check_retention_invariants",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 24 * 60 * 60},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# How long feedback reports are kept, in whole years (read at run time by retention.policy).
_retention_years = env.str("FEEDBACK_RETENTION_YEARS", default="5").strip()
if not (_retention_years.isascii() and _retention_years.isdigit()) or not 1 <= int(_retention_years) <= 100:
    raise environ.ImproperlyConfigured(
        f"FEEDBACK_RETENTION_YEARS must be a positive whole number of years from 1 to 100 (e.g. 5), "
        f"not {_retention_years!r}."
    )
FEEDBACK_RETENTION_YEARS = int(_retention_years)

# The password of every demo account created by `manage.py seed_demo` (DEBUG only).
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-password")

# Feedback reports one person may submit per minute (429 with Retry-After beyond it).
FEEDBACK_RATE_LIMIT_PER_MINUTE = env.int("FEEDBACK_RATE_LIMIT_PER_MINUTE", default=60)
