"""Resolve a session's template, agent set, agents (pinned versions or latest), tools and
handoffs into the ``SessionConfig`` the runtime runs. Webhook tools carry their secret headers
decrypted: this document goes only to the runtime (service token)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.config import AgentConfig, Scalar, SessionConfig, ToolConfig
from troupe_contracts.session import ModalityProfile, PanelType

from troupe_api.agent_sets import service as agent_sets
from troupe_api.agents import avatar
from troupe_api.agents import service as agents
from troupe_api.agents.models import Agent, AgentVersion
from troupe_api.agents.schemas import AgentSpec
from troupe_api.configuration import writes as config_ops
from troupe_api.configuration.rules import PANELS, catalog_problems
from troupe_api.core.crypto import InvalidToken, SecretBox
from troupe_api.core.settings import Settings
from troupe_api.experiments import service as experiments
from troupe_api.experiments.schemas import Arm
from troupe_api.knowledge import service as knowledge
from troupe_api.organizations.models import Organization
from troupe_api.provider_keys import service as provider_keys
from troupe_api.sessions.errors import SessionConfigInvalid
from troupe_api.sessions.models import Session
from troupe_api.templates import service as templates
from troupe_api.templates.models import SessionTemplate
from troupe_api.tools import service as tools
from troupe_api.tools.builtin import BUILTIN_BY_NAME, panel_tools
from troupe_api.usage.plans import limits_for


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
        arm=session.experiment_arm,
        variables=dict(session.variables or {}),
    )


async def _capped_max_duration(
    db: AsyncSession, organization_id: uuid.UUID, template_max_s: int
) -> int:
    """The template's limit, capped by the organization's plan/quota."""
    org = await db.get(Organization, organization_id)
    if org is None:
        return template_max_s
    cap = limits_for(org, now=datetime.now(UTC)).max_duration_s
    return template_max_s if cap is None else min(template_max_s, cap)


async def _member_specs(
    db: AsyncSession, rows: Mapping[str, Agent], pinned: Mapping[str, int]
) -> tuple[dict[str, AgentSpec], dict[str, set[int]]]:
    """The spec each member runs (its pinned version's snapshot, else its current definition)
    and, per member, which of its pinned versions exist. Only the members' rows and their
    pinned versions are read (a session start resolves a config: not every agent and version
    of the organization)."""
    specs = {slug: agents.spec_of(row) for slug, row in rows.items()}
    versions: dict[str, set[int]] = {slug: set() for slug in rows}
    wanted = [(rows[slug].id, version) for slug, version in pinned.items() if slug in rows]
    if wanted:
        slug_of = {row.id: slug for slug, row in rows.items()}
        for version in await db.scalars(
            select(AgentVersion).where(
                tuple_(AgentVersion.agent_id, AgentVersion.version).in_(wanted)
            )
        ):
            slug = slug_of[version.agent_id]
            versions[slug].add(version.version)
            if version.snapshot:
                specs[slug] = AgentSpec.model_validate(version.snapshot)
    return specs, versions


async def resolve_config(
    *,
    db: AsyncSession,
    settings: Settings,
    organization_id: uuid.UUID,
    template_id: uuid.UUID,
    session_id: uuid.UUID,
    environment: str | None = None,
    arm: str | None = None,
    arm_spec: Arm | None = None,
    variables: Mapping[str, Scalar] | None = None,
    template: SessionTemplate | None = None,
) -> SessionConfig:
    """The config a session of this template runs, with the template's override for
    ``environment`` (default: the API's configured environment) applied.
    ``SessionConfigInvalid`` lists every problem (missing agents or versions, unknown or
    test-only providers, dangling handoffs, unknown tools). ``arm`` names the session's
    experiment arm (``arm_spec`` gives one directly): its agent set and version pins replace
    the template's; an arm the template no longer defines is ignored."""
    org_id = organization_id
    if template is None or template.id != template_id or template.organization_id != org_id:
        # (a caller that already holds the template row passes it: one query less)
        template = await templates.get(db=db, organization_id=org_id, template_id=template_id)
    if template is None:
        raise SessionConfigInvalid("The session's template no longer exists.")
    fields = config_ops.effective(template, environment or settings.effective_config_environment)
    slugs = await config_ops.template_members(db=db, template=template)
    arm_spec = arm_spec or experiments.arm_of(template, arm)
    if arm_spec is not None:
        if arm_spec.agent_set_id is not None:
            agent_set = await agent_sets.get(
                db=db, organization_id=org_id, set_id=arm_spec.agent_set_id
            )
            if agent_set is None:
                raise SessionConfigInvalid(
                    details={"problems": [f"arm {arm_spec.name!r}: its agent set does not exist"]}
                )
            slugs = list(agent_set.agent_slugs)
            fields = replace(fields, initial_agent=agent_set.initial_agent)
        pins = {**fields.pinned_versions}
        for slug, version in arm_spec.pinned_versions.items():
            if version == "latest":
                pins.pop(slug, None)
            else:
                pins[slug] = int(version)
        fields = replace(fields, pinned_versions=pins)
    if fields.initial_agent not in slugs:
        slugs = [fields.initial_agent, *slugs]

    rows = {
        a.slug: a for a in await agents.list_by_slugs(db=db, organization_id=org_id, slugs=slugs)
    }
    specs, versions = await _member_specs(db, rows, fields.pinned_versions)
    webhooks = {t.name: t for t in await tools.list_all(db=db, organization_id=org_id)}
    box = SecretBox.from_settings(settings)
    enabled = [p for p in fields.enabled_panels if p in PANELS]

    problems: list[str] = []
    configs: list[AgentConfig] = []
    for slug in slugs:
        if slug not in rows:
            problems.append(f"agent {slug!r} does not exist")
            continue
        pinned = fields.pinned_versions.get(slug)
        if pinned is not None and pinned not in versions.get(slug, set()):
            problems.append(f"agent {slug!r} has no version {pinned}")
            continue
        spec: AgentSpec = specs[slug]
        problems += [
            f"agent {slug!r}: {p.message}"
            for p in catalog_problems(
                stt=spec.stt,
                llm=spec.llm,
                tts=spec.tts,
                voice=None,
                allow_test_providers=settings.enable_test_providers,
            )
        ]
        problems += [
            f"agent {slug!r} hands off to {h.agent!r}, which is not in the template"
            for h in spec.handoffs
            if h.agent not in slugs
        ]
        agent_tools: list[ToolConfig] = []
        for name in spec.tools:
            if name in BUILTIN_BY_NAME:
                agent_tools.append(BUILTIN_BY_NAME[name])
            elif name in webhooks:
                try:
                    agent_tools.append(tools.tool_config(webhooks[name], box))
                except InvalidToken:
                    problems.append(f"tool {name!r}: its secrets cannot be decrypted")
            else:
                problems.append(f"agent {slug!r} uses unknown tool {name!r}")
        for panel in spec.panels:
            if panel in enabled:
                agent_tools += panel_tools(panel)
        try:
            configs.append(
                AgentConfig(
                    id=rows[slug].id,
                    version=pinned or rows[slug].version,
                    slug=slug,
                    name=spec.name,
                    instructions=spec.instructions,
                    greeting=spec.greeting,
                    stt=spec.stt,
                    llm=spec.llm,
                    tts=spec.tts,
                    voice=spec.voice,
                    tools=agent_tools,
                    handoffs=spec.handoffs,
                    modalities=spec.modalities,
                    panels=[p for p in spec.panels if p in PANELS],
                    vision=spec.vision,
                    language=spec.language,
                    # Only this organization's knowledge bases (ids from an import or a
                    # deleted base are dropped).
                    knowledge_bases=await knowledge.existing_bases(
                        db=db, organization_id=org_id, ids=spec.knowledge_bases
                    ),
                    knowledge_auto_tokens=spec.knowledge_auto_tokens,
                    # The current avatar, whatever version is pinned (it is not versioned).
                    avatar_url=avatar.url_of(rows[slug].avatar_token),
                )
            )
        except ValidationError as exc:
            problems.append(f"agent {slug!r} is invalid: {exc.errors(include_url=False)}")
    try:
        own_keys = await provider_keys.credentials(db=db, box=box, organization_id=org_id)
    except InvalidToken:
        own_keys = {}
        problems.append("the organization's provider keys cannot be decrypted")
    if problems:
        raise SessionConfigInvalid(details={"problems": problems})

    try:
        return SessionConfig(
            session_id=session_id,
            organization_id=org_id,
            template_id=template.id,
            initial_agent=fields.initial_agent,
            agents=configs,
            modality_profile=ModalityProfile(fields.modality_profile),
            enabled_panels=[PanelType(p) for p in enabled],
            idle_timeout_s=fields.idle_timeout_s,
            max_duration_s=await _capped_max_duration(db, org_id, fields.max_duration_s),
            record_audio=fields.record_audio,
            recording_consent_text=template.recording_consent_text,
            provider_keys=own_keys,
            variables=dict(variables or {}),
            endpointing=template.endpointing,
            endpointing_min_delay_ms=template.endpointing_min_delay_ms,
            endpointing_max_delay_ms=template.endpointing_max_delay_ms,
            noise_suppression=template.noise_suppression,
        )
    except ValueError as exc:
        details = (
            [str(e["msg"]) for e in exc.errors()]
            if isinstance(exc, ValidationError)
            else [str(exc)]
        )
        raise SessionConfigInvalid(details={"problems": details}) from exc
