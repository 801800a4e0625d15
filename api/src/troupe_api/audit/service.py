"""Append-only security events. Tenant reads take ``organization_id``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
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
        # Wall-clock time, like memberships': reads compare the two (a member's logins show
        # from the time they joined), so both must order as they happened, not by transaction.
        created_at=datetime.now(UTC),
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
    """The organization's events and the org-less events (logins) of its current members
    from the time they joined it (what a member did before, and where from, is not this
    organization's business), newest first."""
    member_then = (
        select(Membership.id)
        .where(
            Membership.organization_id == organization_id,
            Membership.user_id == AuditEvent.user_id,
            Membership.created_at <= AuditEvent.created_at,
        )
        .exists()
    )
    query = select(AuditEvent).where(
        or_(
            AuditEvent.organization_id == organization_id,
            AuditEvent.organization_id.is_(None) & member_then,
        )
    )
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if action:
        query = query.where(AuditEvent.action == action)
    rows = await db.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))
    return list(rows)
