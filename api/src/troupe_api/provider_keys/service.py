"""An organization's own provider keys: stored encrypted, read back only by the session-config
flow (decrypted, for the runtime) and shown to people as a hint."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.config import ProviderCredential

from troupe_api.core.crypto import SecretBox
from troupe_api.provider_keys.models import ProviderKey


def hint_of(api_key: str) -> str:
    """At most the last four characters, and none of a key too short to keep the rest secret."""
    return api_key[-4:] if len(api_key) >= 12 else ""


async def list_for_org(*, db: AsyncSession, organization_id: uuid.UUID) -> list[ProviderKey]:
    rows = await db.scalars(
        select(ProviderKey)
        .where(ProviderKey.organization_id == organization_id)
        .order_by(ProviderKey.provider)
    )
    return list(rows)


async def put(
    *,
    db: AsyncSession,
    box: SecretBox,
    organization_id: uuid.UUID,
    provider: str,
    api_key: str,
    base_url: str | None,
) -> ProviderKey:
    row = await db.scalar(
        select(ProviderKey).where(
            ProviderKey.organization_id == organization_id, ProviderKey.provider == provider
        )
    )
    secret = {"api_key": api_key, **({"base_url": base_url} if base_url else {})}
    if row is None:
        row = ProviderKey(organization_id=organization_id, provider=provider)
        db.add(row)
    row.secret = box.encrypt_json(secret)
    row.hint = hint_of(api_key)
    await db.flush()
    return row


async def remove(*, db: AsyncSession, organization_id: uuid.UUID, provider: str) -> bool:
    result = await db.execute(
        delete(ProviderKey).where(
            ProviderKey.organization_id == organization_id, ProviderKey.provider == provider
        )
    )
    return bool(getattr(result, "rowcount", 0))


def base_url_of(row: ProviderKey, box: SecretBox) -> str | None:
    return box.decrypt_json(row.secret).get("base_url")


async def credentials(
    *, db: AsyncSession, box: SecretBox, organization_id: uuid.UUID
) -> dict[str, ProviderCredential]:
    """Every key of the organization, decrypted (``InvalidToken`` when one cannot be)."""
    out: dict[str, ProviderCredential] = {}
    for row in await list_for_org(db=db, organization_id=organization_id):
        data = box.decrypt_json(row.secret)
        out[row.provider] = ProviderCredential(
            api_key=data.get("api_key", ""), base_url=data.get("base_url")
        )
    return out
