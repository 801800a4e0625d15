from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.templates.models import SessionTemplate


async def get(
    *, db: AsyncSession, organization_id: uuid.UUID, template_id: uuid.UUID
) -> SessionTemplate | None:
    return await db.scalar(
        select(SessionTemplate).where(
            SessionTemplate.organization_id == organization_id, SessionTemplate.id == template_id
        )
    )


async def upsert_by_name(
    *, db: AsyncSession, organization_id: uuid.UUID, name: str, fields: dict[str, Any]
) -> SessionTemplate:
    template = await db.scalar(
        select(SessionTemplate).where(
            SessionTemplate.organization_id == organization_id, SessionTemplate.name == name
        )
    )
    if template is None:
        template = SessionTemplate(organization_id=organization_id, name=name, **fields)
        db.add(template)
    else:
        for k, v in fields.items():
            setattr(template, k, v)
    await db.flush()
    return template
