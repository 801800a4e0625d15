from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from troupe_api.audit import service
from troupe_api.deps import DbDep, UserAdminOrg

router = APIRouter(prefix="/audit-events", tags=["audit"])


class AuditEventRead(BaseModel):
    id: int
    action: str
    organization_id: uuid.UUID | None
    user_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    ip: str | None
    details: dict[str, Any]
    created_at: datetime


class AuditEventList(BaseModel):
    items: list[AuditEventRead]
    next_cursor: str | None


@router.get("", name="list", response_model=AuditEventList)
async def list_events(
    db: DbDep,
    ctx: UserAdminOrg,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    action: Annotated[str | None, Query(max_length=64)] = None,
) -> AuditEventList:
    """Security events of the organization and the sign-ins of its members, newest first."""
    rows = await service.list_for_org(
        db=db,
        organization_id=ctx.organization_id,
        before_id=int(cursor) if cursor else None,
        limit=limit + 1,
        action=action,
    )
    page = rows[:limit]
    return AuditEventList(
        items=[
            AuditEventRead(
                id=e.id,
                action=e.action,
                organization_id=e.organization_id,
                user_id=e.user_id,
                api_key_id=e.api_key_id,
                ip=e.ip,
                details=e.details,
                created_at=e.created_at,
            )
            for e in page
        ],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )
