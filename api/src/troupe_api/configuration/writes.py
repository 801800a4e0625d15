"""Validated writes of agents, agent sets and session templates (each needs the rest of the
organization to validate), and the ids whose cached runtime configs they invalidate."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.agent_sets import service as agent_sets
from troupe_api.agent_sets.errors import AgentSetNameTaken
from troupe_api.agent_sets.models import AgentSet
from troupe_api.agent_sets.schemas import AgentSetSpec
from troupe_api.agents import service as agents
from troupe_api.agents.errors import AgentInUse, AgentSlugTaken
from troupe_api.agents.models import Agent
from troupe_api.agents.schemas import AgentSpec
from troupe_api.configuration.rules import (
    OVERRIDABLE,
    EffectiveTemplate,
    SetView,
    agent_problems,
    apply_override,
    load_view,
    member_specs,
    set_problems,
    template_problems,
)
from troupe_api.core.config_errors import ConfigInvalid, Problem
from troupe_api.core.settings import Settings
from troupe_api.templates import service as templates
from troupe_api.templates.errors import SessionTemplateNameTaken
from troupe_api.templates.models import SessionTemplate
from troupe_api.templates.schemas import TemplateBody


async def save_agent(
    *,
    db: AsyncSession,
    settings: Settings,
    organization_id: uuid.UUID,
    spec: AgentSpec,
    agent: Agent | None = None,
    created_by: str | None = None,
) -> tuple[Agent, bool]:
    if agent is None and await agents.get_by_slug(
        db=db, organization_id=organization_id, slug=spec.slug
    ):
        raise AgentSlugTaken(details={"slug": spec.slug})
    view = await load_view(db=db, organization_id=organization_id)
    view.agents[spec.slug] = spec
    problems = agent_problems(spec, view, allow_test_providers=settings.enable_test_providers)
    if problems:
        raise ConfigInvalid(problems)
    return await agents.save(
        db=db, organization_id=organization_id, spec=spec, agent=agent, created_by=created_by
    )


async def agent_references(*, db: AsyncSession, agent: Agent) -> dict[str, list[str]]:
    """What still points at the agent: sets, other agents' handoffs, legacy templates."""
    org = agent.organization_id
    sets = await db.scalars(
        select(AgentSet.name).where(
            AgentSet.organization_id == org, AgentSet.agent_slugs.contains([agent.slug])
        )
    )
    templates = await db.scalars(
        select(SessionTemplate.name).where(
            SessionTemplate.organization_id == org,
            or_(
                SessionTemplate.agent_slugs.contains([agent.slug]),
                SessionTemplate.initial_agent == agent.slug,
            ),
            SessionTemplate.agent_set_id.is_(None),
        )
    )
    view = await load_view(db=db, organization_id=org)
    handoffs = [
        slug
        for slug, spec in view.agents.items()
        if slug != agent.slug and any(h.agent == agent.slug for h in spec.handoffs)
    ]
    refs = {"agent_sets": list(sets), "templates": list(templates), "handoffs_from": handoffs}
    return {k: v for k, v in refs.items() if v}


async def delete_agent(*, db: AsyncSession, agent: Agent) -> None:
    refs = await agent_references(db=db, agent=agent)
    if refs:
        raise AgentInUse(details=refs)
    await agents.delete(db=db, agent=agent)


async def save_agent_set(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    spec: AgentSetSpec,
    agent_set: AgentSet | None = None,
) -> tuple[AgentSet, bool]:
    existing = await agent_sets.get_by_name(db=db, organization_id=organization_id, name=spec.name)
    if existing is not None and existing is not agent_set:
        raise AgentSetNameTaken(details={"name": spec.name})
    view = await load_view(db=db, organization_id=organization_id)
    problems = set_problems(SetView(spec.name, spec.initial_agent, list(spec.agents)), view)
    if problems:
        raise ConfigInvalid(problems)
    return await agent_sets.save(
        db=db, organization_id=organization_id, spec=spec, agent_set=agent_set
    )


async def templates_using_set(*, db: AsyncSession, set_id: uuid.UUID) -> list[SessionTemplate]:
    rows = await db.scalars(select(SessionTemplate).where(SessionTemplate.agent_set_id == set_id))
    return list(rows)


async def agents_using_tool(
    *, db: AsyncSession, organization_id: uuid.UUID, name: str
) -> list[Agent]:
    return [
        a
        for a in await agents.list_all(db=db, organization_id=organization_id)
        if name in (a.config or {}).get("tools", [])
    ]


# --- session templates -------------------------------------------------------------------------


async def template_members(*, db: AsyncSession, template: SessionTemplate) -> list[str]:
    """The agents a template runs: its set's members, else the legacy slug list."""
    if template.agent_set_id is not None:
        agent_set = await db.get(AgentSet, template.agent_set_id)
        if agent_set is not None:
            return list(agent_set.agent_slugs)
        return []
    return list(dict.fromkeys([template.initial_agent, *template.agent_slugs]))


def base_effective(template: SessionTemplate) -> EffectiveTemplate:
    return EffectiveTemplate(
        initial_agent=template.initial_agent,
        modality_profile=template.modality_profile,
        enabled_panels=list(template.enabled_panels),
        idle_timeout_s=template.idle_timeout_s,
        max_duration_s=template.max_duration_s,
        record_audio=template.record_audio,
        pinned_versions=dict(template.pinned_versions or {}),
    )


def effective(template: SessionTemplate, environment: str | None) -> EffectiveTemplate:
    base = base_effective(template)
    if environment is None:
        return base
    return apply_override(base, (template.environment_overrides or {}).get(environment))


def _pins(pins: dict[str, int | str]) -> dict[str, int]:
    return {slug: int(v) for slug, v in pins.items() if v != "latest"}


async def save_template(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    body: TemplateBody,
    template: SessionTemplate | None = None,
) -> tuple[SessionTemplate, bool]:
    """Validate the template (base and every environment override) and store it."""
    existing = await templates.get_by_name(db=db, organization_id=organization_id, name=body.name)
    if existing is not None and existing is not template:
        raise SessionTemplateNameTaken(details={"name": body.name})
    agent_set = await agent_sets.get(
        db=db, organization_id=organization_id, set_id=body.agent_set_id
    )
    if agent_set is None:
        raise ConfigInvalid(
            [
                Problem(
                    "agent_set_unknown",
                    "The agent set does not exist in this organization.",
                    "agent_set_id",
                )
            ]
        )
    overrides = {
        env: o.model_dump(exclude_none=True) for env, o in body.environment_overrides.items()
    }
    values: dict[str, Any] = {
        "name": body.name,
        "description": body.description,
        "agent_set_id": agent_set.id,
        "initial_agent": body.initial_agent or agent_set.initial_agent,
        "agent_slugs": [],
        "modality_profile": body.modality_profile,
        "enabled_panels": list(body.enabled_panels),
        "idle_timeout_s": body.idle_timeout_s,
        "max_duration_s": body.max_duration_s,
        "record_audio": body.record_audio,
        "recording_consent_text": body.recording_consent_text,
        "pinned_versions": _pins(dict(body.pinned_versions)),
        "environment_overrides": overrides,
        "variables": [v.model_dump(mode="json") for v in body.variables],
        "endpointing": body.endpointing,
        "endpointing_min_delay_ms": body.endpointing_min_delay_ms,
        "endpointing_max_delay_ms": body.endpointing_max_delay_ms,
        "noise_suppression": body.noise_suppression,
    }
    members = list(agent_set.agent_slugs)
    base = EffectiveTemplate(**{k: values[k] for k in OVERRIDABLE})
    view = await load_view(db=db, organization_id=organization_id)
    variants = [(base, "")] + [
        (apply_override(base, o), f"environment_overrides.{env}.") for env, o in overrides.items()
    ]
    problems: list[Problem] = []
    names = [v.name for v in body.variables]
    for i, name in enumerate(names):
        if name in names[:i]:
            problems.append(
                Problem(
                    "variable_duplicate",
                    f"The variable {name!r} is declared twice.",
                    f"variables.{i}.name",
                )
            )
    low, high = body.endpointing_min_delay_ms, body.endpointing_max_delay_ms
    if low is not None and high is not None and low > high:
        problems.append(
            Problem(
                "endpointing_delays_out_of_order",
                "endpointing_min_delay_ms must not exceed endpointing_max_delay_ms.",
                "endpointing_min_delay_ms",
            )
        )
    for variant, prefix in variants:
        specs, versions = await member_specs(
            db=db,
            organization_id=organization_id,
            members=members,
            pinned=variant.pinned_versions,
            view=view,
        )
        problems += template_problems(variant, members, specs, versions, prefix=prefix)
    if problems:
        raise ConfigInvalid(problems)
    if template is None:
        template = SessionTemplate(organization_id=organization_id, **values)
        db.add(template)
        await db.flush()
        return template, True
    changed = any(getattr(template, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(template, key, value)
    await db.flush()
    return template, changed


def template_body(template: SessionTemplate) -> dict[str, Any]:
    """A template's stored fields as a ``TemplateBody`` dict (PATCH merges into it)."""
    return {
        "name": template.name,
        "description": template.description,
        "agent_set_id": template.agent_set_id,
        "initial_agent": template.initial_agent,
        "modality_profile": template.modality_profile,
        "enabled_panels": list(template.enabled_panels),
        "idle_timeout_s": template.idle_timeout_s,
        "max_duration_s": template.max_duration_s,
        "record_audio": template.record_audio,
        "recording_consent_text": template.recording_consent_text,
        "pinned_versions": dict(template.pinned_versions or {}),
        "environment_overrides": dict(template.environment_overrides or {}),
        "variables": list(template.variables or []),
        "endpointing": template.endpointing,
        "endpointing_min_delay_ms": template.endpointing_min_delay_ms,
        "endpointing_max_delay_ms": template.endpointing_max_delay_ms,
        "noise_suppression": template.noise_suppression,
    }
