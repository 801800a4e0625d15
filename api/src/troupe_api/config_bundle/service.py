"""One JSON document with an organization's tools, agents and agent sets: export, import
(upsert by name/slug, optionally as a dry run) and cross-organization template clones.

``export → import into an empty org → export`` gives the same document: every list is sorted
by its natural key and every field is written out. Secret header values are masked unless an
admin asks for them; a masked value imports as "keep the stored value" (or empty, with a
``secret_header_unset`` warning, for a new tool)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.agent_sets import service as agent_sets
from troupe_api.agent_sets.schemas import AgentSetSpec
from troupe_api.agents import service as agents
from troupe_api.agents.schemas import AgentSpec
from troupe_api.configuration.rules import SetView, agent_problems, load_view, set_problems
from troupe_api.configuration.writes import templates_using_set
from troupe_api.core.config_errors import ConfigInvalid, Problem
from troupe_api.core.crypto import SecretBox
from troupe_api.core.settings import Settings
from troupe_api.tools import service as tools
from troupe_api.tools.errors import WebhookUrlForbidden
from troupe_api.tools.schemas import SECRET_MASK, WebhookToolSpec

BUNDLE_FORMAT = "troupe.config"


class ConfigBundle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["troupe.config"] = "troupe.config"
    version: Literal[1] = 1
    tools: list[WebhookToolSpec] = Field(default_factory=list)
    agents: list[AgentSpec] = Field(default_factory=list)
    agent_sets: list[AgentSetSpec] = Field(default_factory=list)


class EntityChanges(BaseModel):
    tools: list[str] = Field(default_factory=list)
    agents: list[str] = Field(default_factory=list)
    agent_sets: list[str] = Field(default_factory=list)


class ImportReport(BaseModel):
    dry_run: bool
    valid: bool
    created: EntityChanges
    updated: EntityChanges
    unchanged: EntityChanges
    problems: list[dict[str, str | None]]
    warnings: list[dict[str, str | None]]
    invalidated: list[uuid.UUID] = Field(
        default_factory=list, description="Agent and template ids whose configs changed."
    )


async def export_bundle(
    *, db: AsyncSession, organization_id: uuid.UUID, box: SecretBox | None = None
) -> ConfigBundle:
    """``box`` given: secret header values in clear (admins only)."""
    return ConfigBundle(
        tools=[
            tools.spec_of(t, masked=box is None, box=box)
            for t in await tools.list_all(db=db, organization_id=organization_id)
        ],
        agents=[
            agents.spec_of(a) for a in await agents.list_all(db=db, organization_id=organization_id)
        ],
        agent_sets=[
            agent_sets.spec_of(s)
            for s in await agent_sets.list_all(db=db, organization_id=organization_id)
        ],
    )


def _duplicates(kind: str, keys: list[str]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for key in keys:
        if key in seen:
            problems.append(Problem("import_duplicate", f"{kind} {key!r} appears twice.", kind))
        seen.add(key)
    return problems


async def import_bundle(
    *,
    db: AsyncSession,
    settings: Settings,
    organization_id: uuid.UUID,
    bundle: ConfigBundle,
    dry_run: bool,
    created_by: str | None = None,
    may_move_secrets: bool = False,
) -> ImportReport:
    """Upsert everything in ``bundle`` inside a savepoint, validate the result as a whole
    (handoffs may point at agents defined later in the same document), then keep it or roll
    it back (dry run, or any problem: ``config_invalid`` with every problem)."""
    box = SecretBox.from_settings(settings)
    created, updated, unchanged = EntityChanges(), EntityChanges(), EntityChanges()
    problems: list[Problem] = [
        *_duplicates("tools", [t.name for t in bundle.tools]),
        *_duplicates("agents", [a.slug for a in bundle.agents]),
        *_duplicates("agent_sets", [s.name for s in bundle.agent_sets]),
    ]
    warnings: list[Problem] = []
    invalidated: list[uuid.UUID] = []

    savepoint = await db.begin_nested()
    for i, spec in enumerate(bundle.tools):
        problems += [
            Problem(p.code, p.message, f"tools[{i}].{p.field}") for p in tools.spec_problems(spec)
        ]
        tool = await tools.get_by_name(db=db, organization_id=organization_id, name=spec.name)
        if tool is None or tool.url != spec.url:
            try:
                await tools.check_webhook_url(spec.url, settings.webhook_allowed_hosts)
            except WebhookUrlForbidden as exc:
                problems.append(Problem(exc.code, exc.message, f"tools[{i}].url"))
        spec = tools.secrets_for_origin(spec, tool, may_move_secrets=may_move_secrets)
        if tool is None:
            for header, value in spec.secret_headers.items():
                if value == SECRET_MASK:
                    warnings.append(
                        Problem(
                            "secret_header_unset",
                            f"Tool {spec.name!r}: secret header {header!r} was masked in the "
                            "document and is stored empty; set it before use.",
                            f"tools[{i}].secret_headers.{header}",
                        )
                    )
        _, changed = await tools.save(
            db=db, organization_id=organization_id, spec=spec, box=box, tool=tool
        )
        (created if tool is None else updated if changed else unchanged).tools.append(spec.name)
        if changed and tool is not None:
            users = [
                a.id
                for a in await agents.list_all(db=db, organization_id=organization_id)
                if spec.name in (a.config or {}).get("tools", [])
            ]
            invalidated += users
    for spec_a in bundle.agents:
        agent = await agents.get_by_slug(db=db, organization_id=organization_id, slug=spec_a.slug)
        saved, changed = await agents.save(
            db=db, organization_id=organization_id, spec=spec_a, agent=agent, created_by=created_by
        )
        (created if agent is None else updated if changed else unchanged).agents.append(spec_a.slug)
        if changed:
            invalidated.append(saved.id)
    for spec_s in bundle.agent_sets:
        agent_set = await agent_sets.get_by_name(
            db=db, organization_id=organization_id, name=spec_s.name
        )
        saved_set, changed = await agent_sets.save(
            db=db, organization_id=organization_id, spec=spec_s, agent_set=agent_set
        )
        (created if agent_set is None else updated if changed else unchanged).agent_sets.append(
            spec_s.name
        )
        if changed and agent_set is not None:
            invalidated += [t.id for t in await templates_using_set(db=db, set_id=saved_set.id)]

    view = await load_view(db=db, organization_id=organization_id)
    for i, spec_a in enumerate(bundle.agents):
        problems += [
            Problem(p.code, p.message, f"agents[{i}].{p.field}")
            for p in agent_problems(
                spec_a, view, allow_test_providers=settings.enable_test_providers
            )
        ]
    for i, spec_s in enumerate(bundle.agent_sets):
        problems += [
            Problem(p.code, p.message, f"agent_sets[{i}].{p.field}")
            for p in set_problems(
                SetView(spec_s.name, spec_s.initial_agent, list(spec_s.agents)), view
            )
        ]
    if dry_run or problems:
        await savepoint.rollback()
    else:
        await savepoint.commit()
    if problems and not dry_run:
        raise ConfigInvalid(problems)
    return ImportReport(
        dry_run=dry_run,
        valid=not problems,
        created=created,
        updated=updated,
        unchanged=unchanged,
        problems=[p.as_dict() for p in problems],
        warnings=[w.as_dict() for w in warnings],
        invalidated=[] if dry_run else list(dict.fromkeys(invalidated)),
    )
