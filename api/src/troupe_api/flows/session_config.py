"""Resolve a session's template and agents into the ``SessionConfig`` the runtime runs."""

from __future__ import annotations

import uuid

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.config import AgentConfig, SessionConfig
from troupe_contracts.session import ModalityProfile, PanelType

from troupe_api.agents import service as agents
from troupe_api.agents.models import Agent
from troupe_api.core.errors import SessionConfigInvalid
from troupe_api.core.settings import Settings
from troupe_api.sessions.models import Session
from troupe_api.templates import service as templates


def agent_config(agent: Agent) -> AgentConfig:
    return AgentConfig(
        id=agent.id,
        version=agent.version,
        slug=agent.slug,
        name=agent.name,
        instructions=agent.instructions,
        greeting=agent.greeting,
        stt=agent.stt,
        llm=agent.llm,
        tts=agent.tts,
        voice=agent.voice,
        **agent.config,
    )


async def build_session_config(
    *, db: AsyncSession, settings: Settings, session: Session
) -> SessionConfig:
    if session.template_id is None:
        raise SessionConfigInvalid("The session has no template.")
    return await resolve_config(
        db=db,
        settings=settings,
        organization_id=session.organization_id,
        template_id=session.template_id,
        session_id=session.id,
    )


async def resolve_config(
    *,
    db: AsyncSession,
    settings: Settings,
    organization_id: uuid.UUID,
    template_id: uuid.UUID,
    session_id: uuid.UUID,
) -> SessionConfig:
    """The config a session of this template runs; ``SessionConfigInvalid`` lists every
    problem (missing agents, unknown or test-only providers, dangling handoffs)."""
    org_id = organization_id
    template = await templates.get(db=db, organization_id=org_id, template_id=template_id)
    if template is None:
        raise SessionConfigInvalid("The session's template no longer exists.")

    slugs = list(dict.fromkeys([template.initial_agent, *template.agent_slugs]))
    by_slug = {
        a.slug: a for a in await agents.list_by_slugs(db=db, organization_id=org_id, slugs=slugs)
    }
    problems: list[str] = [f"agent {s!r} does not exist" for s in slugs if s not in by_slug]
    configs: list[AgentConfig] = []
    for slug in slugs:
        agent = by_slug.get(slug)
        if agent is None:
            continue
        problems += [
            f"agent {slug!r} {p}"
            for p in agents.provider_problems(
                stt=agent.stt,
                llm=agent.llm,
                tts=agent.tts,
                allow_test_providers=settings.enable_test_providers,
            )
        ]
        try:
            config = agent_config(agent)
        except ValidationError as exc:
            problems.append(f"agent {slug!r} is invalid: {exc.errors(include_url=False)}")
            continue
        problems += [
            f"agent {slug!r} hands off to {h.agent!r}, which is not in the template"
            for h in config.handoffs
            if h.agent not in slugs
        ]
        configs.append(config)
    if problems:
        raise SessionConfigInvalid(details={"problems": problems})

    try:
        return SessionConfig(
            session_id=session_id,
            organization_id=org_id,
            template_id=template.id,
            initial_agent=template.initial_agent,
            agents=configs,
            modality_profile=ModalityProfile(template.modality_profile),
            enabled_panels=[PanelType(p) for p in template.enabled_panels],
            idle_timeout_s=template.idle_timeout_s,
            max_duration_s=template.max_duration_s,
            record_audio=template.record_audio,
        )
    except ValidationError as exc:
        raise SessionConfigInvalid(
            details={"problems": [str(e["msg"]) for e in exc.errors()]}
        ) from exc
