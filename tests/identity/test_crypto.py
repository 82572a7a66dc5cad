"""Secrets at rest: client secrets encrypted with rotating keys; SCIM tokens recognisable and checked unread."""

import pytest
from cryptography.fernet import Fernet

from identity import crypto


def test_a_client_secret_is_stored_encrypted_and_survives_a_key_rotation(settings):
    old = Fernet.generate_key().decode()
    settings.IDENTITY_ENCRYPTION_KEYS = [old]
    stored = crypto.encrypt_secret("the-secret")
    assert "the-secret" not in stored
    settings.IDENTITY_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert crypto.decrypt_secret(stored) == "the-secret"
    settings.IDENTITY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt_secret(stored)


def test_scim_tokens_carry_a_prefix_and_a_checksum():
    token = crypto.new_scim_token()
    assert token.startswith("dmc_scim_") and crypto.is_well_formed_scim_token(token)
    typo = token[:-9] + ("A" if token[-9] != "A" else "B") + token[-8:]
    assert not crypto.is_well_formed_scim_token(typo)
    assert not crypto.is_well_formed_scim_token("dmc_scim_short")
    assert crypto.hash_scim_token(token) != token and crypto.hashes_match(crypto.hash_scim_token(token), token)
