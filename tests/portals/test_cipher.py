"""Secrets at rest: the key derived from SECRET_KEY, or a dedicated one."""
from __future__ import annotations

import pytest

from bitrix_app.portals.crypto import SecretCipher

DEDICATED = "dGVzdHMtb25seS1mZXJuZXQta2V5LTAxMjM0NTY3ODk="


def test_a_key_derived_from_the_secret_key_reads_what_it_wrote_and_only_that():
    cipher = SecretCipher("secret-one")
    stored = cipher.encrypt("refresh-token")
    assert stored != "refresh-token" and cipher.decrypt(stored) == "refresh-token"
    assert SecretCipher("secret-one").decrypt(stored) == "refresh-token"  # another process, same setting
    with pytest.raises(ValueError):
        SecretCipher("secret-two").decrypt(stored)


def test_a_dedicated_key_wins_over_the_secret_key():
    stored = SecretCipher("secret-one", DEDICATED).encrypt("token")
    assert SecretCipher("secret-two", DEDICATED).decrypt(stored) == "token"
    with pytest.raises(ValueError):
        SecretCipher("secret-one").decrypt(stored)
    assert SecretCipher("x").encrypt(None) is None and SecretCipher("x").decrypt(None) is None
