from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.providers import ProviderRole, provider_by_id

from troupe_api.agents.models import Agent

AGENT_COLUMNS = ("name", "instructions", "greeting", "stt", "llm", "tts", "voice", "config")


async def list_by_slugs(
    *, db: AsyncSession, organization_id: uuid.UUID, slugs: Sequence[str]
) -> list[Agent]:
    rows = await db.scalars(
        select(Agent).where(Agent.organization_id == organization_id, Agent.slug.in_(list(slugs)))
    )
    return list(rows)


async def get_by_slug(*, db: AsyncSession, organization_id: uuid.UUID, slug: str) -> Agent | None:
    return await db.scalar(
        select(Agent).where(Agent.organization_id == organization_id, Agent.slug == slug)
    )


async def upsert(
    *, db: AsyncSession, organization_id: uuid.UUID, slug: str, fields: dict[str, Any]
) -> Agent:
    """Create the agent, or update it (bumping ``version``) when any field differs."""
    agent = await get_by_slug(db=db, organization_id=organization_id, slug=slug)
    if agent is None:
        agent = Agent(organization_id=organization_id, slug=slug, version=1, **fields)
        db.add(agent)
    elif any(getattr(agent, k) != v for k, v in fields.items()):
        for k, v in fields.items():
            setattr(agent, k, v)
        agent.version += 1
    await db.flush()
    return agent


def provider_problems(*, stt: str, llm: str, tts: str, allow_test_providers: bool) -> list[str]:
    """Why these ``provider/model`` strings are not usable (empty when they are): each must be
    in the contracts' provider catalog, in its role, and test-only fakes only in test mode."""
    problems: list[str] = []
    for role, value in ((ProviderRole.STT, stt), (ProviderRole.LLM, llm), (ProviderRole.TTS, tts)):
        spec = provider_by_id(value)
        if spec is None:
            problems.append(f"{role.value}: unknown provider {value!r}")
        elif spec.role != role:
            problems.append(f"{role.value}: {value!r} is a {spec.role.value} provider")
        elif spec.test_only and not allow_test_providers:
            problems.append(
                f"{role.value}: {value!r} is only available with test providers enabled"
            )
    return problems
