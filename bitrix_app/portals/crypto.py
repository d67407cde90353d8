"""Secrets at rest: Fernet (AES-128-CBC + HMAC) with a key derived from SECRET_KEY or set on its own."""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretCipher:
    def __init__(self, secret_key: str, dedicated_key: str | None = None):
        if dedicated_key:
            key = dedicated_key.encode()
        else:
            digest = hashlib.pbkdf2_hmac("sha256", secret_key.encode(), b"bitrix-app/tokens/v1", 100_000)
            key = base64.urlsafe_b64encode(digest)
        self._fernet = Fernet(key)

    def encrypt(self, plain: str | None) -> str | None:
        return None if plain is None else self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("stored secret cannot be decrypted with the configured key") from exc
