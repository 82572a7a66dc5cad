"""Test settings: the development settings with a fast password hasher and mail kept in memory."""

from .development import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Whatever EMAIL_URL the shell has, tests never send anywhere real: unit tests read
# django.core.mail.outbox; the delivery tests point the SMTP backend at a server they start.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
