"""Development settings: no server needed (SQLite, filesystem broker, local-memory cache).

DATABASE_URL switches to PostgreSQL and REDIS_URL to Redis (broker, results and cache).
"""

from .base import *  # noqa: F403
from .base import VAR_DIR, derived_fernet_key, ensure_dir, env, env_fernet_keys, env_site_url


def served_at(address):
    """The URL of `make run`'s RUN_ADDRESS (host:port), for links in mail; a wildcard host is this machine."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return "http://127.0.0.1:8000"  # bin/dev refuses such an address with its own message
    host = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]", "::": "[::1]"}.get(host, host)  # noqa: S104 - mapped away, not bound
    return f"http://{host}:{port}"


DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
API_KEY_SECRET = env("API_KEY_SECRET", default="dev-only-insecure-api-key-secret")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])

# Development and tests: identity providers may answer over plain HTTP and on loopback (the tests' own).
IDENTITY_ALLOW_HTTP = True
IDENTITY_ALLOW_LOOPBACK = True
# Development and tests: a Fernet key derived from SECRET_KEY unless IDENTITY_ENCRYPTION_KEY is set.
IDENTITY_ENCRYPTION_KEYS = env_fernet_keys("IDENTITY_ENCRYPTION_KEY", default=[derived_fernet_key(SECRET_KEY, "identity.secrets")])

ensure_dir(VAR_DIR)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}

if REDIS_URL:  # noqa: F405
    CELERY_BROKER_URL = REDIS_URL  # noqa: F405
    CELERY_RESULT_BACKEND = REDIS_URL  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": CACHE_KEY_PREFIX,  # noqa: F405
        }
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "console.dev_broker:Transport"  # writes each message whole
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(ensure_dir(VAR_DIR / "celery" / "queue")),
        "data_folder_out": str(ensure_dir(VAR_DIR / "celery" / "queue")),
        "control_folder": str(ensure_dir(VAR_DIR / "celery" / "control")),
    }
    CELERY_RESULT_BACKEND = f"file://{ensure_dir(VAR_DIR / 'celery' / 'results')}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Links in mail point where `make run` serves (RUN_ADDRESS) unless SITE_URL names another address.
SITE_URL = env_site_url("SITE_URL", default=served_at(env.str("RUN_ADDRESS", default="127.0.0.1:8000")))

# Mail: EMAIL_URL (smtp://host:port, smtp+tls://user:password@host:587) when set; otherwise each
# message is written as a file under var/mail/ (Django's file backend creates the folder on demand).
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

CELERY_BEAT_SCHEDULE_FILENAME = str(ensure_dir(VAR_DIR / "celery") / "beat-schedule")
