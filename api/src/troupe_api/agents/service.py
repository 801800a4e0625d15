from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.providers import ProviderRole, provider_by_id

from troupe_api.agents.models import Agent, AgentVersion
from troupe_api.agents.schemas import AgentSpec

AGENT_COLUMNS = ("name", "instructions", "greeting", "stt", "llm", "tts", "voice", "config")
CONFIG_KEYS = (
    "tools",
    "handoffs",
    "modalities",
    "panels",
    "vision",
    "knowledge_bases",
    "knowledge_auto_tokens",
    "language",
)


def spec_of(agent: Agent) -> AgentSpec:
    """The agent's current definition as one document."""
    return AgentSpec.model_validate(
        {
            "slug": agent.slug,
            "name": agent.name,
            "instructions": agent.instructions,
            "greeting": agent.greeting,
            "stt": agent.stt,
            "llm": agent.llm,
            "tts": agent.tts,
            "voice": agent.voice,
            **{k: v for k, v in (agent.config or {}).items() if k in CONFIG_KEYS},
        }
    )


def _columns(spec: AgentSpec) -> dict[str, Any]:
    data = spec.model_dump(mode="json")
    return {
        "name": data["name"],
        "instructions": data["instructions"],
        "greeting": data["greeting"],
        "stt": data["stt"],
        "llm": data["llm"],
        "tts": data["tts"],
        "voice": data["voice"],
        "config": {k: data[k] for k in CONFIG_KEYS},
    }


def spec_from_fields(slug: str, fields: dict[str, Any]) -> AgentSpec:
    """An ``AgentSpec`` from the column-shaped dict the seed and test factories use."""
    data = {k: v for k, v in fields.items() if k != "config"}
    return AgentSpec.model_validate({"slug": slug, **data, **(fields.get("config") or {})})


async def list_all(*, db: AsyncSession, organization_id: uuid.UUID) -> list[Agent]:
    rows = await db.scalars(
        select(Agent).where(Agent.organization_id == organization_id).order_by(Agent.slug)
    )
    return list(rows)


async def get(*, db: AsyncSession, organization_id: uuid.UUID, agent_id: uuid.UUID) -> Agent | None:
    return await db.scalar(
        select(Agent).where(Agent.organization_id == organization_id, Agent.id == agent_id)
    )


async def get_by_avatar_token(*, db: AsyncSession, token: str) -> Agent | None:
    """The agent whose current avatar this is (any organization: the token is the key)."""
    return await db.scalar(select(Agent).where(Agent.avatar_token == token))


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


async def save(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    spec: AgentSpec,
    agent: Agent | None = None,
    created_by: str | None = None,
) -> tuple[Agent, bool]:
    """Create the agent or apply ``spec`` to it. Every change writes the next immutable
    ``AgentVersion``; an identical spec changes nothing. Returns (agent, changed)."""
    columns = _columns(spec)
    if agent is None:
        agent = Agent(organization_id=organization_id, slug=spec.slug, version=1, **columns)
        db.add(agent)
        await db.flush()
    elif spec_of(agent).model_dump(mode="json") == spec.model_dump(mode="json"):
        return agent, False
    else:
        for key, value in columns.items():
            setattr(agent, key, value)
        agent.version += 1
    db.add(
        AgentVersion(
            agent_id=agent.id,
            organization_id=organization_id,
            version=agent.version,
            snapshot=spec.model_dump(mode="json"),
            created_by=created_by,
        )
    )
    await db.flush()
    return agent, True


async def upsert(
    *, db: AsyncSession, organization_id: uuid.UUID, slug: str, fields: dict[str, Any]
) -> Agent:
    """Create the agent, or update it (a new version) when any field differs. Column-shaped
    ``fields`` (``config`` holds tools/handoffs/modalities/panels/vision); no validation."""
    agent = await get_by_slug(db=db, organization_id=organization_id, slug=slug)
    spec = spec_from_fields(slug, fields)
    agent, _ = await save(db=db, organization_id=organization_id, spec=spec, agent=agent)
    return agent


async def delete(*, db: AsyncSession, agent: Agent) -> None:
    await db.delete(agent)
    await db.flush()


async def list_versions(*, db: AsyncSession, agent: Agent) -> list[AgentVersion]:
    rows = await db.scalars(
        select(AgentVersion)
        .where(AgentVersion.agent_id == agent.id)
        .order_by(AgentVersion.version.desc())
    )
    return list(rows)


async def get_version(
    *, db: AsyncSession, agent_id: uuid.UUID, version: int
) -> AgentVersion | None:
    return await db.scalar(
        select(AgentVersion).where(
            AgentVersion.agent_id == agent_id, AgentVersion.version == version
        )
    )


def diff_specs(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Field-level differences, in the spec's field order."""
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


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
