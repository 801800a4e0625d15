"""Organization API keys (admins, signed in)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from troupe_api.apikeys import service
from troupe_api.apikeys.models import ApiKey, Scope
from troupe_api.apikeys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyRead
from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.core.errors import ValidationFailed
from troupe_api.deps import DbDep, UserAdminOrg, client_ip

router = APIRouter(prefix="/api-keys", tags=["api-keys"])


def _read(key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        scopes=[Scope(s) for s in key.scopes],
        created_at=key.created_at,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


@router.get("", name="list", response_model=ApiKeyList)
async def list_keys(db: DbDep, ctx: UserAdminOrg) -> ApiKeyList:
    return ApiKeyList(
        items=[
            _read(k) for k in await service.list_for_org(db=db, organization_id=ctx.organization_id)
        ]
    )


@router.post("", name="create", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
async def create(
    body: ApiKeyCreate, request: Request, db: DbDep, ctx: UserAdminOrg
) -> ApiKeyCreated:
    """Create a key; its plaintext is in this response only."""
    if body.expires_at is not None and body.expires_at.tzinfo is None:
        raise ValidationFailed("expires_at needs a time zone.")
    key, plaintext = await service.create(
        db=db,
        organization_id=ctx.organization_id,
        created_by=ctx.user_id,
        name=body.name,
        scopes=body.scopes,
        expires_at=body.expires_at,
    )
    await audit.record(
        db=db,
        action=AuditAction.API_KEY_CREATED,
        organization_id=ctx.organization_id,
        user_id=ctx.user_id,
        api_key_id=key.id,
        ip=client_ip(request),
        details={"prefix": key.prefix, "scopes": key.scopes},
    )
    await db.commit()
    await db.refresh(key)
    return ApiKeyCreated(**_read(key).model_dump(), key=plaintext)


@router.delete("/{api_key_id}", name="revoke", status_code=status.HTTP_204_NO_CONTENT)
async def revoke(api_key_id: uuid.UUID, request: Request, db: DbDep, ctx: UserAdminOrg) -> None:
    key = await service.revoke(db=db, organization_id=ctx.organization_id, api_key_id=api_key_id)
    await audit.record(
        db=db,
        action=AuditAction.API_KEY_REVOKED,
        organization_id=ctx.organization_id,
        user_id=ctx.user_id,
        api_key_id=key.id,
        ip=client_ip(request),
        details={"prefix": key.prefix},
    )
    await db.commit()
