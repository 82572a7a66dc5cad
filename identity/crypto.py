"""Secrets at rest: identity providers' client secrets (encrypted) and SCIM tokens (a keyed hash).

Client secrets are encrypted with Fernet under IDENTITY_ENCRYPTION_KEY (comma-separated keys, newest
first: MultiFernet decrypts with any and encrypts with the first, so keys rotate without downtime).
SCIM tokens are never stored: only an HMAC under SECRET_KEY, looked up by that hash.
"""

import hmac
import secrets
import zlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

SCIM_TOKEN_PREFIX = "dmc_scim_"  # noqa: S105 - the public prefix
# 32 random bytes, URL-safe base64 (43 characters), then an 8-character CRC32 checksum in hex.
_BODY_LENGTH = 43
_CHECKSUM_LENGTH = 8

ERR_SECRET_UNREADABLE = "The stored client secret cannot be decrypted with the configured keys: enter it again."  # noqa: S105


class SecretUnreadable(Exception):
    """The ciphertext was made with a key that is no longer configured (or was altered)."""


def _fernet():
    return MultiFernet([Fernet(key.encode()) for key in settings.IDENTITY_ENCRYPTION_KEYS])


def encrypt_secret(plaintext):
    """The ciphertext kept in the database for a client secret."""
    return _fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt_secret(ciphertext):
    """The client secret from its stored ciphertext."""
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(ERR_SECRET_UNREADABLE) from error


def _checksum(body):
    return f"{zlib.crc32(body.encode()):08x}"


def new_scim_token():
    """A fresh SCIM token: the prefix, 256 random bits and a checksum (so a typo is refused unread)."""
    body = secrets.token_urlsafe(32)
    return f"{SCIM_TOKEN_PREFIX}{body}{_checksum(body)}"


def is_well_formed_scim_token(token):
    """Whether the token has the prefix, the length and a matching checksum (checked before any look-up)."""
    if not isinstance(token, str) or not token.startswith(SCIM_TOKEN_PREFIX):
        return False
    rest = token[len(SCIM_TOKEN_PREFIX):]
    if len(rest) != _BODY_LENGTH + _CHECKSUM_LENGTH or not rest.isascii():
        return False
    body, checksum = rest[:_BODY_LENGTH], rest[_BODY_LENGTH:]
    return hmac.compare_digest(_checksum(body), checksum)


def hash_scim_token(token):
    """The stored, keyed form of a SCIM token (HMAC-SHA256 under SECRET_KEY)."""
    return salted_hmac("identity.scim-token", token, algorithm="sha256").hexdigest()


def hashes_match(stored, token):
    """Compare a stored hash with a presented token's, in constant time."""
    return hmac.compare_digest(stored, hash_scim_token(token))
