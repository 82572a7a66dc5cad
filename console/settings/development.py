"""Development settings: no server needed (SQLite, filesystem broker, local-memory cache).

DATABASE_URL switches to PostgreSQL and REDIS_URL to Redis (broker, results and cache).
"""

from .base import *  # noqa: F403
from .base import VAR_DIR, ensure_dir, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
API_KEY_SECRET = env("API_KEY_SECRET", default="dev-only-insecure-api-key-secret")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])

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

# Mail: EMAIL_URL (smtp://host:port, smtp+tls://user:password@host:587) when set; otherwise each
# message is written as a file under var/mail/ (Django's file backend creates the folder on demand).
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

CELERY_BEAT_SCHEDULE_FILENAME = str(ensure_dir(VAR_DIR / "celery") / "beat-schedule")
