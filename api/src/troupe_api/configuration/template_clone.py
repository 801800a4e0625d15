"""Clone a session template: within its organization (same agent set), or into an
organization it was shared with (its agent set, agents and webhook tools come along).
The post-session analysis configuration always comes along; an experiment only within the
organization (its arms name that organization's agent sets and versions)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.agent_sets import service as agent_sets
from troupe_api.agent_sets.schemas import AgentSetSpec
from troupe_api.config_bundle.service import ConfigBundle, import_bundle
from troupe_api.configuration import writes as config_ops
from troupe_api.configuration.rules import load_view, member_specs
from troupe_api.core.settings import Settings
from troupe_api.templates import service as templates
from troupe_api.templates.errors import CloneConflict
from troupe_api.templates.models import SessionTemplate
from troupe_api.templates.schemas import TemplateBody
from troupe_api.tools import service as tools


async def _free_name(db: AsyncSession, organization_id: uuid.UUID, name: str) -> str:
    candidate, n = name, 1
    while await templates.get_by_name(db=db, organization_id=organization_id, name=candidate):
        n += 1
        candidate = f"{name} ({n})"
    return candidate


async def clone_template(
    *,
    db: AsyncSession,
    settings: Settings,
    source: SessionTemplate,
    target_organization_id: uuid.UUID,
    name: str | None,
    created_by: str | None,
) -> SessionTemplate:
    body = config_ops.template_body(source)
    body["name"] = await _free_name(db, target_organization_id, name or f"{source.name} (copy)")
    if source.organization_id == target_organization_id and source.agent_set_id is not None:
        template, _ = await config_ops.save_template(
            db=db, organization_id=target_organization_id, body=TemplateBody.model_validate(body)
        )
        template.analysis_config = dict(source.analysis_config or {})
        template.experiment = dict(source.experiment or {})
        return template

    # Into another org (or a legacy template without a set): bring the agents the template
    # runs (pinned versions' content), their webhook tools and a set, then point at that set.
    members = await config_ops.template_members(db=db, template=source)
    view = await load_view(db=db, organization_id=source.organization_id)
    specs, _ = await member_specs(
        db=db,
        organization_id=source.organization_id,
        members=members,
        pinned=dict(source.pinned_versions or {}),
        view=view,
    )
    used = {name for spec in specs.values() for name in spec.tools}
    tool_specs = [
        tools.spec_of(t)
        for t in await tools.list_all(db=db, organization_id=source.organization_id)
        if t.name in used
    ]
    if source.agent_set_id is not None:
        source_set = await agent_sets.get(
            db=db, organization_id=source.organization_id, set_id=source.agent_set_id
        )
        assert source_set is not None
        set_spec = agent_sets.spec_of(source_set)
    else:
        set_spec = AgentSetSpec(
            name=source.name, initial_agent=source.initial_agent, agents=members
        )

    target = await load_view(db=db, organization_id=target_organization_id)
    conflicts = [
        f"agent {s}" for s, spec in specs.items() if s in target.agents and target.agents[s] != spec
    ]
    for spec_t in tool_specs:
        existing = await tools.get_by_name(
            db=db, organization_id=target_organization_id, name=spec_t.name
        )
        if existing is not None and tools.spec_of(existing) != spec_t:
            conflicts.append(f"tool {spec_t.name}")
    existing_set = await agent_sets.get_by_name(
        db=db, organization_id=target_organization_id, name=set_spec.name
    )
    if existing_set is not None and agent_sets.spec_of(existing_set) != set_spec:
        conflicts.append(f"agent set {set_spec.name}")
    if conflicts:
        raise CloneConflict(details={"conflicts": conflicts})

    await import_bundle(
        db=db,
        settings=settings,
        organization_id=target_organization_id,
        bundle=ConfigBundle(tools=tool_specs, agents=list(specs.values()), agent_sets=[set_spec]),
        dry_run=False,
        created_by=created_by,
    )
    target_set = await agent_sets.get_by_name(
        db=db, organization_id=target_organization_id, name=set_spec.name
    )
    assert target_set is not None
    body["agent_set_id"] = target_set.id
    body["pinned_versions"] = {}
    body["environment_overrides"] = {
        env: {k: v for k, v in override.items() if k != "pinned_versions"}
        for env, override in body["environment_overrides"].items()
    }
    template, _ = await config_ops.save_template(
        db=db, organization_id=target_organization_id, body=TemplateBody.model_validate(body)
    )
    template.analysis_config = dict(source.analysis_config or {})
    return template
