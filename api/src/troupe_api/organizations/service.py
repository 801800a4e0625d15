from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.core.errors import NotFound
from troupe_api.organizations.errors import LastAdmin, MemberNotFound
from troupe_api.organizations.models import Membership, Organization, Role
from troupe_api.usage.plans import initial_plan
from troupe_api.users.models import User


async def get_by_slug(*, db: AsyncSession, slug: str) -> Organization | None:
    return await db.scalar(select(Organization).where(Organization.slug == slug))


async def create(*, db: AsyncSession, name: str, slug: str) -> Organization:
    org = Organization(name=name, slug=slug)
    db.add(org)
    await db.flush()
    return org


async def ensure_membership(
    *, db: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID, role: Role
) -> Membership:
    membership = await db.scalar(
        select(Membership).where(
            Membership.organization_id == organization_id, Membership.user_id == user_id
        )
    )
    if membership is None:
        # Wall-clock time, not the transaction's now(): the first membership is the default org,
        # so memberships made in one transaction must still order as they were made.
        membership = Membership(
            organization_id=organization_id,
            user_id=user_id,
            role=role.value,
            created_at=datetime.now(UTC),
        )
        db.add(membership)
        await db.flush()
    return membership


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2}


def role_at_least(role: str, minimum: Role) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[minimum]


def slug_for(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "org"
    return f"{base}-{secrets.token_hex(3)}"


async def create_with_admin(
    *, db: AsyncSession, name: str, user_id: uuid.UUID, trial_days: int
) -> Organization:
    """A user-created organization: the user is its admin, and it starts on the trial plan
    for ``trial_days`` (the free plan when 0)."""
    org = await create(db=db, name=name, slug=slug_for(name))
    org.plan, org.trial_ends_at = initial_plan(trial_days=trial_days, now=datetime.now(UTC))
    await ensure_membership(db=db, organization_id=org.id, user_id=user_id, role=Role.ADMIN)
    return org


async def get(*, db: AsyncSession, organization_id: uuid.UUID) -> Organization | None:
    return await db.get(Organization, organization_id)


async def memberships_of_user(
    *, db: AsyncSession, user_id: uuid.UUID
) -> list[tuple[Membership, Organization]]:
    """The user's memberships, oldest first (the first is the default organization)."""
    rows = await db.execute(
        select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.created_at, Membership.id)
    )
    return [(m, o) for m, o in rows.all()]


async def get_membership(
    *, db: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID
) -> Membership | None:
    return await db.scalar(
        select(Membership).where(
            Membership.organization_id == organization_id, Membership.user_id == user_id
        )
    )


async def list_members(
    *, db: AsyncSession, organization_id: uuid.UUID
) -> list[tuple[Membership, User]]:
    rows = await db.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == organization_id)
        .order_by(Membership.created_at, Membership.id)
    )
    return [(m, u) for m, u in rows.all()]


async def _lock_admins(*, db: AsyncSession, organization_id: uuid.UUID) -> int:
    """Count admins with their rows locked, so two concurrent demotions cannot both pass."""
    admins = await db.scalars(
        select(Membership.id)
        .where(Membership.organization_id == organization_id, Membership.role == Role.ADMIN.value)
        .with_for_update()
    )
    return len(list(admins))


async def change_role(
    *, db: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID, role: Role
) -> tuple[Membership, str]:
    """Returns the membership and its previous role. Never demotes the last admin."""
    membership = await get_membership(db=db, organization_id=organization_id, user_id=user_id)
    if membership is None:
        raise MemberNotFound()
    previous = membership.role
    if previous == Role.ADMIN.value and role != Role.ADMIN:
        if await _lock_admins(db=db, organization_id=organization_id) <= 1:
            raise LastAdmin()
    membership.role = role.value
    await db.flush()
    return membership, previous


async def remove_member(
    *, db: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    membership = await get_membership(db=db, organization_id=organization_id, user_id=user_id)
    if membership is None:
        raise MemberNotFound()
    if membership.role == Role.ADMIN.value:
        if await _lock_admins(db=db, organization_id=organization_id) <= 1:
            raise LastAdmin()
    await db.delete(membership)
    await db.flush()


async def rename(*, db: AsyncSession, organization_id: uuid.UUID, name: str) -> Organization:
    org = await get(db=db, organization_id=organization_id)
    if org is None:
        raise NotFound()
    org.name = name
    await db.flush()
    return org
