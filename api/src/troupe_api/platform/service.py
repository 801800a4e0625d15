"""Platform operators' view of every organization: list them, set their plan and trial."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.core.errors import NotFound
from troupe_api.organizations.models import Membership, Organization
from troupe_api.usage.plans import limits_for, set_plan


@dataclass(frozen=True)
class OrgPlan:
    id: uuid.UUID
    name: str
    slug: str
    plan: str
    trial_ends_at: datetime | None
    trial_expired: bool
    members: int
    created_at: datetime


def _row(org: Organization, members: int, now: datetime) -> OrgPlan:
    limits = limits_for(org, now=now)
    return OrgPlan(
        id=org.id,
        name=org.name,
        slug=org.slug,
        plan=limits.plan,
        trial_ends_at=org.trial_ends_at,
        trial_expired=limits.trial_expired,
        members=members,
        created_at=org.created_at,
    )


async def list_organizations(*, db: AsyncSession) -> list[OrgPlan]:
    members = (
        select(Membership.organization_id, func.count().label("n"))
        .group_by(Membership.organization_id)
        .subquery()
    )
    rows = await db.execute(
        select(Organization, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.organization_id == Organization.id)
        .order_by(Organization.created_at, Organization.slug)
    )
    now = datetime.now(UTC)
    return [_row(org, int(n), now) for org, n in rows.all()]


async def change_plan(
    *,
    db: AsyncSession,
    slug: str,
    plan: str,
    trial_days: int | None,
    default_trial_days: int,
    actor_user_id: uuid.UUID | None,
    ip: str | None = None,
) -> OrgPlan:
    """Set the plan (and trial end) of the organization ``slug``; audited in that org."""
    org = await db.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        raise NotFound(f"No organization {slug!r}.", details={"slug": slug})
    previous = org.plan
    now = datetime.now(UTC)
    set_plan(org, plan=plan, trial_days=trial_days, default_trial_days=default_trial_days, now=now)
    await audit.record(
        db=db,
        action=AuditAction.PLAN_CHANGED,
        organization_id=org.id,
        user_id=actor_user_id,
        ip=ip,
        details={
            "from": previous,
            "to": plan,
            "trial_ends_at": org.trial_ends_at.isoformat() if org.trial_ends_at else None,
            "by": "platform_admin" if actor_user_id else "cli",
        },
    )
    await db.flush()
    members = await db.scalar(
        select(func.count()).select_from(Membership).where(Membership.organization_id == org.id)
    )
    return _row(org, int(members or 0), now)
