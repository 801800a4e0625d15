from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.organizations.models import Membership, Organization, Role


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
        membership = Membership(organization_id=organization_id, user_id=user_id, role=role.value)
        db.add(membership)
        await db.flush()
    return membership
