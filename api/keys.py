"""The organization key's form: ``dmc_admin_`` + 32 random base62 characters + a 6-character checksum.

The prefix lets secret scanners recognise a leaked key; the checksum (CRC32 of the rest, in
base62, as GitHub's tokens carry) catches a mistyped or truncated key before any database lookup.
Only a keyed hash of the key is stored (HMAC-SHA256 under ``API_KEY_SECRET``), so a copy of the
database opens nothing, and the lookup by that hash walks a unique index.
"""

import hashlib
import hmac
import re
import secrets
import string
import zlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "dmc_admin_"
ALPHABET = string.digits + string.ascii_letters
RANDOM_LENGTH = 32  # about 190 bits
CHECKSUM_LENGTH = 6  # 62**6 > 2**32: every CRC32 fits
HINT_LENGTH = 4
KEY_LENGTH = len(PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH
_SHAPE = re.compile(rf"{PREFIX}[0-9A-Za-z]{{{RANDOM_LENGTH + CHECKSUM_LENGTH}}}\Z")

ERR_NO_SECRET = "API_KEY_SECRET is not set: organization keys cannot be made or checked."  # noqa: S105 - a message, not a secret


def _base62(number, width):
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def _checksum(body):
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def new_key():
    """A fresh key, shown once to the person who made it."""
    body = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _checksum(body)


def is_well_formed(key):
    """Whether the text has the key's shape and a matching checksum (no database needed)."""
    if not isinstance(key, str) or not _SHAPE.match(key):
        return False
    body, checksum = key[:-CHECKSUM_LENGTH], key[-CHECKSUM_LENGTH:]
    return hmac.compare_digest(_checksum(body), checksum)


def key_digest(key):
    """The stored form of a key: HMAC-SHA256 under the server's API_KEY_SECRET, in hex."""
    secret = settings.API_KEY_SECRET
    if not secret:
        raise ImproperlyConfigured(ERR_NO_SECRET)
    return hmac.new(secret.encode(), key.encode("ascii"), hashlib.sha256).hexdigest()


def key_hint(key):
    """The last characters of a key, by which people tell their keys apart."""
    return key[-HINT_LENGTH:]


def masked(hint):
    """A key as lists show it: the prefix and its hint."""
    return f"{PREFIX}…{hint}"
