from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.templates.models import SessionTemplate, TemplateShare


async def get(
    *, db: AsyncSession, organization_id: uuid.UUID, template_id: uuid.UUID
) -> SessionTemplate | None:
    return await db.scalar(
        select(SessionTemplate).where(
            SessionTemplate.organization_id == organization_id, SessionTemplate.id == template_id
        )
    )


async def get_by_name(
    *, db: AsyncSession, organization_id: uuid.UUID, name: str
) -> SessionTemplate | None:
    return await db.scalar(
        select(SessionTemplate).where(
            SessionTemplate.organization_id == organization_id, SessionTemplate.name == name
        )
    )


async def list_all(*, db: AsyncSession, organization_id: uuid.UUID) -> list[SessionTemplate]:
    rows = await db.scalars(
        select(SessionTemplate)
        .where(SessionTemplate.organization_id == organization_id)
        .order_by(SessionTemplate.name)
    )
    return list(rows)


async def upsert_by_name(
    *, db: AsyncSession, organization_id: uuid.UUID, name: str, fields: dict[str, Any]
) -> SessionTemplate:
    template = await get_by_name(db=db, organization_id=organization_id, name=name)
    if template is None:
        template = SessionTemplate(organization_id=organization_id, name=name, **fields)
        db.add(template)
    else:
        for k, v in fields.items():
            setattr(template, k, v)
    await db.flush()
    return template


async def active_share(
    *, db: AsyncSession, template_id: uuid.UUID, target_organization_id: uuid.UUID
) -> TemplateShare | None:
    return await db.scalar(
        select(TemplateShare).where(
            TemplateShare.template_id == template_id,
            TemplateShare.target_organization_id == target_organization_id,
            TemplateShare.revoked_at.is_(None),
        )
    )


async def shared_with(*, db: AsyncSession, organization_id: uuid.UUID) -> list[SessionTemplate]:
    rows = await db.scalars(
        select(SessionTemplate)
        .join(TemplateShare, TemplateShare.template_id == SessionTemplate.id)
        .where(
            TemplateShare.target_organization_id == organization_id,
            TemplateShare.revoked_at.is_(None),
        )
        .order_by(SessionTemplate.name)
    )
    return list(rows)


async def list_shares(*, db: AsyncSession, template_id: uuid.UUID) -> list[TemplateShare]:
    rows = await db.scalars(
        select(TemplateShare)
        .where(TemplateShare.template_id == template_id)
        .order_by(TemplateShare.created_at)
    )
    return list(rows)
