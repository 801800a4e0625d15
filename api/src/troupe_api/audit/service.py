"""Append-only security events. Tenant reads take ``organization_id``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.audit.models import AuditAction, AuditEvent
from troupe_api.organizations.models import Membership


async def record(
    *,
    db: AsyncSession,
    action: AuditAction,
    organization_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    api_key_id: uuid.UUID | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        organization_id=organization_id,
        user_id=user_id,
        api_key_id=api_key_id,
        action=action.value,
        ip=ip,
        details=details or {},
    )
    db.add(event)
    await db.flush()
    return event


async def list_for_org(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    before_id: int | None,
    limit: int,
    action: str | None = None,
) -> list[AuditEvent]:
    """The organization's events and the org-less events (logins) of its current members,
    newest first."""
    members = select(Membership.user_id).where(Membership.organization_id == organization_id)
    query = select(AuditEvent).where(
        or_(
            AuditEvent.organization_id == organization_id,
            AuditEvent.organization_id.is_(None) & AuditEvent.user_id.in_(members),
        )
    )
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if action:
        query = query.where(AuditEvent.action == action)
    rows = await db.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))
    return list(rows)
