"""Secrets at rest (webhook tools' secret headers, customer webhook signing secrets, ...):
Fernet with keys derived from ``TROUPE_ENCRYPTION_KEY``; former keys in
``TROUPE_ENCRYPTION_KEYS_PREVIOUS`` still decrypt (MultiFernet) until ``troupe-api
rotate-secrets`` re-encrypts everything with the current key.

Every encrypted column is declared with ``encrypted_column()``, which marks it in the model
metadata: that mark is the one registry ``rotate_all`` walks, so a new encrypted column is
rotated without anyone remembering to add it (a test fails for a secret-looking column that is
not marked)."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Column, MetaData, Table, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import MappedColumn, mapped_column

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


ENCRYPTED = "troupe_encrypted"
"""The ``Column.info`` key that marks a column as holding a ``SecretBox`` token."""


def encrypted_column(*, nullable: bool = True) -> MappedColumn[Any]:
    """A Text column holding a ``SecretBox`` token, registered for key rotation."""
    return mapped_column(Text, nullable=nullable, info={ENCRYPTED: True})


def encrypted_columns(metadata: MetaData) -> list[tuple[Table, Column[Any]]]:
    """Every column of ``metadata`` marked by ``encrypted_column``, in table order."""
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if column.info.get(ENCRYPTED)
    ]


async def rotate_all(*, db: AsyncSession, box: SecretBox, metadata: MetaData) -> dict[str, int]:
    """Re-encrypt every marked column's values with the current key; per ``table.column``, how
    many values were rewritten. A value no configured key can read raises ``InvalidToken``
    (nothing is committed: keep the old key listed and run again)."""
    counts: dict[str, int] = {}
    for table, column in encrypted_columns(metadata):
        key_columns = list(table.primary_key.columns)
        rows = (await db.execute(select(*key_columns, column).where(column.is_not(None)))).all()
        for row in rows:
            where = [c == row[i] for i, c in enumerate(key_columns)]
            await db.execute(update(table).where(*where).values({column.name: box.rotate(row[-1])}))
        counts[f"{table.name}.{column.name}"] = len(rows)
    return counts


__all__ = [
    "ENCRYPTED",
    "InvalidToken",
    "SecretBox",
    "encrypted_column",
    "encrypted_columns",
    "rotate_all",
]
