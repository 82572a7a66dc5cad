"""Test settings: the development settings with a fast password hasher and mail kept in memory.

Tests never share files with a `make run` serving from the same clone: everything the development
settings keep under var/ (SQLite database, broker folders, results, beat schedule, mail) goes under
a folder made for this test run and removed after it. A process a test starts inherits the folder
through VAR_DIR, so a worker it starts reads the same broker folders.
"""

import atexit
import os
import shutil
import tempfile

if not os.environ.get("CONSOLE_TEST_VAR_DIR"):
    os.environ["CONSOLE_TEST_VAR_DIR"] = tempfile.mkdtemp(prefix="console-tests-")
    atexit.register(shutil.rmtree, os.environ["CONSOLE_TEST_VAR_DIR"], True)
# Always, whatever VAR_DIR the shell has (it may be the one `make run` is using).
os.environ["VAR_DIR"] = os.environ["CONSOLE_TEST_VAR_DIR"]

from .development import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Whatever EMAIL_URL the shell has, tests never send anywhere real: unit tests read
# django.core.mail.outbox; the delivery tests point the SMTP backend at a server they start.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"

# With REDIS_URL as well: the tests' tasks go to a queue of their own, which no running worker reads.
CELERY_TASK_DEFAULT_QUEUE = f"tests-{os.path.basename(os.environ['CONSOLE_TEST_VAR_DIR'])}"
