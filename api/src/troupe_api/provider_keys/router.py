"""An organization's own provider keys (admins, signed in). Write-only: a key is never returned
after it is saved; the list says which providers are set, with the key's last four characters."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter, Request, status

from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.core.crypto import InvalidToken, SecretBox
from troupe_api.core.errors import ValidationFailed
from troupe_api.deps import DbDep, SettingsDep, UserAdminOrg, client_ip
from troupe_api.provider_keys import service
from troupe_api.provider_keys.models import ProviderKey
from troupe_api.provider_keys.schemas import (
    OrgKeyProvider,
    ProviderKeyList,
    ProviderKeyRead,
    ProviderKeySet,
)

router = APIRouter(prefix="/provider-keys", tags=["provider-keys"])


def _read(provider: str, row: ProviderKey | None, box: SecretBox) -> ProviderKeyRead:
    if row is None:
        return ProviderKeyRead(provider=provider, configured=False)
    try:
        base_url = service.base_url_of(row, box)
    except InvalidToken:
        base_url = None
    return ProviderKeyRead(
        provider=provider,
        configured=True,
        hint=row.hint or None,
        base_url=base_url,
        updated_at=row.updated_at,
    )


@router.get("", name="list", response_model=ProviderKeyList)
async def list_keys(db: DbDep, settings: SettingsDep, ctx: UserAdminOrg) -> ProviderKeyList:
    """Every provider an organization can bring a key for, and whether it has."""
    box = SecretBox.from_settings(settings)
    rows = {
        r.provider: r
        for r in await service.list_for_org(db=db, organization_id=ctx.organization_id)
    }
    return ProviderKeyList(items=[_read(p, rows.get(p), box) for p in get_args(OrgKeyProvider)])


@router.put("/{key_provider}", name="put", response_model=ProviderKeyRead)
async def put_key(
    key_provider: OrgKeyProvider,
    body: ProviderKeySet,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    ctx: UserAdminOrg,
) -> ProviderKeyRead:
    """Save (or replace) the key; it is encrypted at rest and never shown again."""
    provider = key_provider
    api_key = body.api_key.strip()
    if provider == "openai-compatible":
        if body.base_url is None:
            raise ValidationFailed("An OpenAI-compatible provider needs its base_url.")
    elif not api_key:
        raise ValidationFailed("The api_key is empty.")
    elif body.base_url is not None:
        raise ValidationFailed("Only the openai-compatible provider takes a base_url.")
    box = SecretBox.from_settings(settings)
    row = await service.put(
        db=db,
        box=box,
        organization_id=ctx.organization_id,
        provider=provider,
        api_key=api_key,
        base_url=str(body.base_url) if body.base_url is not None else None,
    )
    await audit.record(
        db=db,
        action=AuditAction.PROVIDER_KEY_SET,
        organization_id=ctx.organization_id,
        user_id=ctx.user_id,
        ip=client_ip(request),
        details={"provider": provider},
    )
    await db.commit()
    await db.refresh(row)
    return _read(provider, row, box)


@router.delete("/{key_provider}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_key(
    key_provider: OrgKeyProvider, request: Request, db: DbDep, ctx: UserAdminOrg
) -> None:
    """Forget the key (idempotent): the organization's sessions use the platform's key again."""
    if await service.remove(db=db, organization_id=ctx.organization_id, provider=key_provider):
        await audit.record(
            db=db,
            action=AuditAction.PROVIDER_KEY_REMOVED,
            organization_id=ctx.organization_id,
            user_id=ctx.user_id,
            ip=client_ip(request),
            details={"provider": key_provider},
        )
        await db.commit()
