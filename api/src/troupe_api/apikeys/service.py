"""Organization API keys: ``tk_<prefix>_<secret>``, shown once, stored as sha256."""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.apikeys.errors import ApiKeyNotFound
from troupe_api.apikeys.models import API_KEY_PREFIX, ApiKey, Scope
from troupe_api.auth.tokens import sha256_hex
from troupe_api.core.errors import ApiKeyInvalid

# last_used_at is written at most this often per key, so busy keys don't write on every call.
LAST_USED_GRANULARITY = timedelta(seconds=60)


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


async def create(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    created_by: uuid.UUID | None,
    name: str,
    scopes: Sequence[Scope],
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    """The new key and its plaintext (returned this once, never stored)."""
    prefix, plaintext = _new_key()
    key = ApiKey(
        organization_id=organization_id,
        created_by=created_by,
        name=name,
        prefix=prefix,
        key_hash=sha256_hex(plaintext),
        scopes=sorted({s.value for s in scopes}),
        expires_at=expires_at,
    )
    db.add(key)
    await db.flush()
    return key, plaintext


async def list_for_org(*, db: AsyncSession, organization_id: uuid.UUID) -> list[ApiKey]:
    rows = await db.scalars(
        select(ApiKey)
        .where(ApiKey.organization_id == organization_id)
        .order_by(ApiKey.created_at.desc(), ApiKey.id)
    )
    return list(rows)


async def revoke(*, db: AsyncSession, organization_id: uuid.UUID, api_key_id: uuid.UUID) -> ApiKey:
    key = await db.scalar(
        select(ApiKey).where(ApiKey.organization_id == organization_id, ApiKey.id == api_key_id)
    )
    if key is None:
        raise ApiKeyNotFound()
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await db.flush()
    return key


async def authenticate(*, db: AsyncSession, presented: str) -> ApiKey:
    """The live key for a presented ``tk_...`` string (public lookup: the key names its org)."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or f"{parts[0]}_" != API_KEY_PREFIX or not parts[1] or not parts[2]:
        raise ApiKeyInvalid()
    key = await db.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.key_hash, sha256_hex(presented)):
        raise ApiKeyInvalid()
    now = datetime.now(UTC)
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        raise ApiKeyInvalid()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        await db.execute(
            update(ApiKey)
            .where(ApiKey.id == key.id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        key.last_used_at = now
    return key
