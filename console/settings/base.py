"""Settings shared by every environment; each value comes from the environment."""

import base64
import hashlib
import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Development's files (SQLite database, broker folders, results, mail): var/ in the clone unless
# VAR_DIR says otherwise; the tests always set their own (console/settings/test.py).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


def env_whole_number(name, *, default, low, high, what):
    """A whole number from the environment within [low, high]; start-up stops with a plain message otherwise."""
    raw = env.str(name, default=str(default)).strip()
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise environ.ImproperlyConfigured(f"{name} must be a {what} from {low} to {high} (e.g. {default}), not {raw!r}.")
    return int(raw)


def env_site_url(name, **default):
    """The console's public address (scheme and host, no trailing slash), used in links sent by e-mail."""
    raw = env.str(name, **default).strip().rstrip("/")
    if not raw.startswith(("http://", "https://")) or "/" in raw.split("://", 1)[1]:
        raise environ.ImproperlyConfigured(f"{name} must be the console's address such as https://console.example.com, not {raw!r}.")
    return raw


def env_version_label(name, *, default):
    """A short version label from the environment (letters, digits, ".", "-", "_"; at most 64), such as a date."""
    raw = env.str(name, default=default).strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", raw):
        raise environ.ImproperlyConfigured(
            f"{name} must be a version label of letters, digits, '.', '-' or '_' (at most 64), such as {default}, not {raw!r}."
        )
    return raw


def env_fernet_keys(name, **default):
    """Fernet keys (comma separated, newest first); start-up stops with a plain message on a malformed one."""
    keys = [key.strip() for key in env.list(name, **default) if key.strip()]
    for key in keys:
        try:
            if len(base64.urlsafe_b64decode(key.encode())) != 32:
                raise ValueError
        except ValueError as error:
            raise environ.ImproperlyConfigured(
                f"{name} must hold Fernet keys (32 bytes, URL-safe base64), e.g. from "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'."
            ) from error
    if not keys:
        raise environ.ImproperlyConfigured(f"{name} must hold at least one Fernet key.")
    return keys


def derived_fernet_key(secret, purpose):
    """A Fernet key made from a secret for one purpose (development and tests only)."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"{purpose}:{secret}".encode()).digest()).decode()


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
    "axes",
    "csp",
    "console",
    "audit",
    "orgs",
    "identity",
    "feedback",
    "retention",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "console.middleware.SecurityHeadersMiddleware",
    "console.errors.ApiErrorMiddleware",
    "console.middleware.OutageMiddleware",
    # Before anything reads the path, query, cookies or form: NUL, lone surrogates, broken UTF-8 are a 400.
    "console.middleware.UnreadableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so a lock-out found while signing in becomes the 429 sign-in page.
    "axes.middleware.AxesMiddleware",
]

# Axes refuses a locked-out sign-in before Django checks the password (console and admin alike).
# Enforced single sign-on refuses a password for people on an enforcing organization's verified domains
# (identity.backends), before Django's password check.
AUTHENTICATION_BACKENDS = [
    "console.signin.SignInThrottleBackend",
    "identity.backends.EnforcedSingleSignOnBackend",
    "django.contrib.auth.backends.ModelBackend",
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
                "orgs.context_processors.org_switcher",
                "orgs.context_processors.org_frame",
                "orgs.context_processors.model_training_facts",
                "feedback.context_processors.feedback_facts",
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

# Under /api/ a CSRF failure is the API's JSON error (403 csrf_failed); pages keep Django's.
CSRF_FAILURE_VIEW = "console.errors.csrf_failure"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Every page's Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere,
# never framed. The rating dialog's fetch() goes to the same origin (connect-src 'self').
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Powerful browser features the console never uses, refused for it and anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "payment", "publickey-credentials-get", "usb",
    )
)

# Sign-in throttling (django-axes, attempts kept in the database): 10 failures for one account
# from one address within 15 minutes lock that account at that address for 15 minutes, the right
# password included; an address failing across accounts is locked after SIGN_IN_ADDRESS_FAILURE_LIMIT
# (console/signin.py keeps the two limits). A success clears the account's count at that address.
AXES_HANDLER = "console.signin.SignInAttemptHandler"
AXES_FAILURE_LIMIT = env_whole_number("SIGN_IN_FAILURE_LIMIT", default=10, low=1, high=1000, what="whole number of attempts")
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_whole_number(
    "SIGN_IN_ADDRESS_FAILURE_LIMIT", default=50, low=1, high=100000, what="whole number of attempts"
)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_whole_number("SIGN_IN_LOCKOUT_MINUTES", default=15, low=1, high=24 * 60, what="whole number of minutes")
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts made while locked out do not push the end of the lock-out further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "console.signin.locked_out"
# The sign-in forms (console and admin) post the e-mail as `username` (DESIGN §5).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "console.signin.normalized_username"
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]
AXES_CLIENT_IP_CALLABLE = "console.signin.client_address"
# How many proxies in front of the console append to X-Forwarded-For (0: use the socket's address).
TRUSTED_PROXY_COUNT = env_whole_number("TRUSTED_PROXY_COUNT", default=0, low=0, high=10, what="whole number of proxies")

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
# Beat starts the retention purge at 00:00 UTC, when a day of reports falls due, and every
# RETENTION_PURGE_SCHEDULE seconds (hourly by default) to catch up; the daily partitions ahead every
# six hours; the invariant check daily. A start that waited longer than its interval expires, the
# next one does the work.
RETENTION_PURGE_SCHEDULE = env_whole_number(
    "RETENTION_PURGE_SCHEDULE", default=3600, low=60, high=7 * 24 * 60 * 60, what="whole number of seconds"
)
CELERY_BEAT_SCHEDULE = {
    "retention-purge-at-midnight-utc": {
        "task": "retention.tasks.purge_expired_feedback",
        "schedule": crontab(minute=0, hour=0),
        "options": {"expires": RETENTION_PURGE_SCHEDULE},
    },
    "retention-purge-expired-feedback": {
        "task": "retention.tasks.purge_expired_feedback",
        "schedule": RETENTION_PURGE_SCHEDULE,
        "options": {"expires": RETENTION_PURGE_SCHEDULE},
    },
    # Every audit chain walked once a day; a broken one is mailed to ADMINS.
    "audit-verify-chains": {
        "task": "audit.tasks.verify_audit_chains",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 24 * 60 * 60},
    },
    # Mails a broker could not take at their change's commit, or that are due for another try.
    "outbox-deliver-due": {
        "task": "console.tasks.deliver_due_outbox",
        "schedule": 60,
        "options": {"expires": 60},
    },
    "retention-create-feedback-partitions": {
        "task": "retention.tasks.create_feedback_partitions",
        "schedule": 6 * 60 * 60,
        "options": {"expires": 6 * 60 * 60},
    },
    "identity-recheck-domains": {
        "task": "identity.tasks.recheck_verified_domains",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 24 * 60 * 60},
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

# How long feedback reports are kept, in whole years (read at run time by feedback.policy).
FEEDBACK_RETENTION_YEARS = env_whole_number(
    "FEEDBACK_RETENTION_YEARS", default=5, low=1, high=100, what="positive whole number of years"
)

# The version of the terms an organization accepts when it allows model training: a confirmation
# names it, its period keeps it, and a confirmation given for another version is refused.
TRAINING_TERMS_VERSION = env_version_label("TRAINING_TERMS_VERSION", default="2025-10-01")

# The password of every demo account created by `manage.py seed_demo` (DEBUG only).
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-password")

# Feedback reports one person may submit per minute (429 with Retry-After beyond it).
FEEDBACK_RATE_LIMIT_PER_MINUTE = env_whole_number(
    "FEEDBACK_RATE_LIMIT_PER_MINUTE", default=60, low=1, high=10**9, what="whole number of reports"
)

# Organization keys (Admin API): stored as HMAC-SHA256 under this secret (production requires it;
# changing it invalidates every key), and the requests one key may make per minute (429 beyond it).
API_KEY_SECRET = env("API_KEY_SECRET", default="")
API_KEY_RATE_LIMIT_PER_MINUTE = env_whole_number(
    "API_KEY_RATE_LIMIT_PER_MINUTE", default=300, low=1, high=10**9, what="whole number of requests"
)

# E-mail. The backend comes from EMAIL_URL (development.py, production.py); every message is
# sent by a Celery task after its transaction commits (console/mail.py). Links in mail are
# absolute, built on SITE_URL.
SITE_URL = env_site_url("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Data Management Console <console@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Staff told when the daily audit verification finds a broken chain: ADMINS=ops@example.com,sec@example.com
ADMINS = [("", address) for address in env.list("ADMINS", default=[])]
EMAIL_TIMEOUT = env_whole_number("EMAIL_TIMEOUT", default=10, low=1, high=300, what="whole number of seconds")

# Identity (verified domains, single sign-on, SCIM). DNS_NAMESERVERS: "host[:port]" entries, comma
# separated, that answer the domain verification look-ups (empty: the system's resolver).
DNS_NAMESERVERS = env.list("DNS_NAMESERVERS", default=[])
# Keys that encrypt identity providers' client secrets at rest (Fernet, comma separated, newest first:
# older ones still decrypt while secrets are re-saved). Development and tests derive one from SECRET_KEY.
IDENTITY_ENCRYPTION_KEYS = []  # development.py derives one; production.py requires IDENTITY_ENCRYPTION_KEY
# Requests an organization's SSO callbacks and its SCIM client may make per minute (429 beyond).
SSO_CALLBACKS_PER_MINUTE = env_whole_number("SSO_CALLBACKS_PER_MINUTE", default=120, low=1, high=10**6, what="whole number of requests")
SCIM_REQUESTS_PER_MINUTE = env_whole_number("SCIM_REQUESTS_PER_MINUTE", default=600, low=1, high=10**6, what="whole number of requests")
# Seconds of clock difference tolerated with an identity provider (ID token and assertion times).
SSO_CLOCK_SKEW_SECONDS = 60
# Seconds an identity provider gets to answer (discovery, keys, token, metadata).
SSO_HTTP_TIMEOUT_SECONDS = 5
# Identity providers are reached over HTTPS only; development (and its tests, whose providers listen on
# loopback) also allows plain HTTP.
IDENTITY_ALLOW_HTTP = False
# Identity providers are reached only at public addresses: never loopback, private, link-local (cloud
# metadata), shared or other special ranges, whatever a customer names (identity/outbound.py). Development
# and its tests allow loopback.
IDENTITY_ALLOW_LOOPBACK = False
# The xmlsec1 program (Debian package xmlsec1) that signs and checks SAML messages (pysaml2).
XMLSEC_BINARY = env.str("XMLSEC_BINARY", default="/usr/bin/xmlsec1")
