"""Secrets at rest (webhook secret headers): Fernet with keys derived from
``TROUPE_ENCRYPTION_KEY``; former keys in ``TROUPE_ENCRYPTION_KEYS_PREVIOUS`` still decrypt
(MultiFernet) until ``troupe-api rotate-secrets`` re-encrypts everything with the current key."""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from troupe_api.core.settings import Settings

_INFO = b"troupe.secrets-at-rest.v1"


def _fernet(secret: str) -> Fernet:
    # HKDF turns any operator-chosen string into the 32 random-looking bytes Fernet needs.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class SecretBox:
    def __init__(self, current: str, previous: list[str] | None = None) -> None:
        self._multi = MultiFernet([_fernet(current), *(_fernet(k) for k in previous or [])])

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        return cls(settings.encryption_key, settings.encryption_keys_previous)

    def encrypt_json(self, value: dict[str, str]) -> str:
        return self._multi.encrypt(json.dumps(value, sort_keys=True).encode()).decode()

    def decrypt_json(self, token: str) -> dict[str, str]:
        """The stored mapping; ``InvalidToken`` when no configured key can decrypt it."""
        data = json.loads(self._multi.decrypt(token.encode()))
        assert isinstance(data, dict)
        return {str(k): str(v) for k, v in data.items()}

    def rotate(self, token: str) -> str:
        """The same plaintext encrypted with the current key."""
        return self._multi.rotate(token.encode()).decode()


__all__ = ["InvalidToken", "SecretBox"]
