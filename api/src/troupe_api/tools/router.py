"""The tool registry: built-in tools, panel tools (generated per panel type), handoff tools
(generated per handoff target; read-only) and customer webhook tools (CRUD, dry run)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from troupe_contracts.session import PanelType

from troupe_api.agents import service as agents
from troupe_api.configuration import writes as config_ops
from troupe_api.core.config_errors import ConfigInvalid
from troupe_api.core.config_events import publish_invalidations
from troupe_api.core.crypto import SecretBox
from troupe_api.deps import DbDep, MemberOrg, RedisDep, SettingsDep, ViewerOrg
from troupe_api.organizations.models import Role
from troupe_api.tools import service
from troupe_api.tools.builtin import (
    BUILTIN_TOOLS,
    handoff_tool_description,
    handoff_tool_name,
    panel_tools,
)
from troupe_api.tools.errors import ToolInUse, ToolNameTaken, ToolNotFound
from troupe_api.tools.models import Tool
from troupe_api.tools.schemas import (
    DryRunRequest,
    DryRunResult,
    ToolCreate,
    ToolKindName,
    ToolList,
    ToolRead,
    ToolUpdate,
    ToolUsage,
    ToolUsageList,
    WebhookToolSpec,
)

router = APIRouter(prefix="/tools", tags=["tools"])


def _webhook_read(tool: Tool, agent_slugs: list[str]) -> ToolRead:
    spec = service.spec_of(tool)
    return ToolRead(
        id=tool.id,
        kind="webhook",
        read_only=False,
        agents=agent_slugs,
        created_at=tool.created_at,
        updated_at=tool.updated_at,
        **spec.model_dump(),
    )


async def _tool(db: DbDep, organization_id: uuid.UUID, tool_id: uuid.UUID) -> Tool:
    tool = await service.get(db=db, organization_id=organization_id, tool_id=tool_id)
    if tool is None:
        raise ToolNotFound()
    return tool


async def _users(db: DbDep, organization_id: uuid.UUID, name: str) -> list[str]:
    rows = await config_ops.agents_using_tool(db=db, organization_id=organization_id, name=name)
    return [a.slug for a in rows]


@router.get("", name="list", response_model=ToolList)
async def list_tools(
    db: DbDep, ctx: ViewerOrg, kind: Annotated[ToolKindName | None, Query()] = None
) -> ToolList:
    specs = [
        agents.spec_of(a) for a in await agents.list_all(db=db, organization_id=ctx.organization_id)
    ]
    items: list[ToolRead] = []
    for tool in BUILTIN_TOOLS:
        items.append(
            ToolRead(
                name=tool.name,
                kind="builtin",
                description=tool.description,
                parameters=tool.parameters,
                read_only=True,
                agents=[s.slug for s in specs if tool.name in s.tools],
            )
        )
    for panel in PanelType:
        for tool in panel_tools(panel):
            items.append(
                ToolRead(
                    name=tool.name,
                    kind="panel",
                    description=tool.description,
                    parameters=tool.parameters,
                    read_only=True,
                    panel=panel.value,
                    agents=[s.slug for s in specs if panel.value in s.panels],
                )
            )
    for spec in specs:
        for handoff in spec.handoffs:
            items.append(
                ToolRead(
                    name=handoff_tool_name(handoff.agent),
                    kind="handoff",
                    description=handoff_tool_description(handoff),
                    parameters={"type": "object", "properties": {}},
                    read_only=True,
                    handoff_from=spec.slug,
                    handoff_to=handoff.agent,
                    agents=[spec.slug],
                )
            )
    for webhook in await service.list_all(db=db, organization_id=ctx.organization_id):
        items.append(_webhook_read(webhook, [s.slug for s in specs if webhook.name in s.tools]))
    return ToolList(items=[t for t in items if kind is None or t.kind == kind])


@router.post("", name="create", response_model=ToolRead, status_code=status.HTTP_201_CREATED)
async def create_tool(
    body: ToolCreate, db: DbDep, settings: SettingsDep, ctx: MemberOrg
) -> ToolRead:
    """A webhook tool. ``secret_headers`` are encrypted at rest and masked in reads."""
    spec = WebhookToolSpec(**body.model_dump())
    if problems := service.spec_problems(spec):
        raise ConfigInvalid(problems)
    await service.check_webhook_url(spec.url, settings.webhook_allowed_hosts)
    if await service.get_by_name(db=db, organization_id=ctx.organization_id, name=spec.name):
        raise ToolNameTaken(details={"name": spec.name})
    tool, _ = await service.save(
        db=db,
        organization_id=ctx.organization_id,
        spec=spec,
        box=SecretBox.from_settings(settings),
    )
    await db.commit()
    await db.refresh(tool)
    return _webhook_read(tool, [])


@router.get("/usage", name="usage", response_model=ToolUsageList)
async def tools_usage(db: DbDep, ctx: ViewerOrg) -> ToolUsageList:
    """Calls, errors and latency per tool name, from session logs' ``tool_call`` entries."""
    return ToolUsageList(items=await service.usage(db=db, organization_id=ctx.organization_id))


@router.get("/{tool_id}", name="get", response_model=ToolRead)
async def get_tool(tool_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> ToolRead:
    tool = await _tool(db, ctx.organization_id, tool_id)
    return _webhook_read(tool, await _users(db, ctx.organization_id, tool.name))


@router.patch("/{tool_id}", name="update", response_model=ToolRead)
async def update_tool(
    tool_id: uuid.UUID,
    body: ToolUpdate,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: MemberOrg,
) -> ToolRead:
    """Secret header values equal to the mask (``********``) keep the stored value."""
    tool = await _tool(db, ctx.organization_id, tool_id)
    users = await _users(db, ctx.organization_id, tool.name)
    spec = WebhookToolSpec.model_validate(
        {**service.spec_of(tool).model_dump(), **body.model_dump(exclude_unset=True)}
    )
    if problems := service.spec_problems(spec):
        raise ConfigInvalid(problems)
    if spec.url != tool.url:
        await service.check_webhook_url(spec.url, settings.webhook_allowed_hosts)
    spec = service.secrets_for_origin(
        spec, tool, may_move_secrets=ctx.scopes is None and ctx.allows(Role.ADMIN)
    )
    if spec.name != tool.name:
        if users:
            raise ToolInUse(
                "A tool assigned to agents cannot be renamed.", details={"agents": users}
            )
        if await service.get_by_name(db=db, organization_id=ctx.organization_id, name=spec.name):
            raise ToolNameTaken(details={"name": spec.name})
    tool, changed = await service.save(
        db=db,
        organization_id=ctx.organization_id,
        spec=spec,
        box=SecretBox.from_settings(settings),
        tool=tool,
    )
    agent_ids = [
        a.id
        for a in await config_ops.agents_using_tool(
            db=db, organization_id=ctx.organization_id, name=tool.name
        )
    ]
    await db.commit()
    await db.refresh(tool)
    if changed:
        await publish_invalidations(redis, agent_ids)
    return _webhook_read(tool, users)


@router.delete("/{tool_id}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_tool(tool_id: uuid.UUID, db: DbDep, ctx: MemberOrg) -> Response:
    tool = await _tool(db, ctx.organization_id, tool_id)
    users = await _users(db, ctx.organization_id, tool.name)
    if users:
        raise ToolInUse(details={"agents": users})
    await db.delete(tool)
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{tool_id}/dry-run", name="dry_run", response_model=DryRunResult)
async def dry_run_tool(
    tool_id: uuid.UUID, body: DryRunRequest, db: DbDep, settings: SettingsDep, ctx: MemberOrg
) -> DryRunResult:
    """Validate ``arguments`` against the parameter schema (``tool_arguments_invalid``), then
    call the webhook once. Hosts resolving to private, loopback or link-local addresses are
    refused (``webhook_url_forbidden``) unless listed in TROUPE_WEBHOOK_ALLOWED_HOSTS."""
    tool = await _tool(db, ctx.organization_id, tool_id)
    return await service.dry_run(
        tool=tool,
        arguments=body.arguments,
        box=SecretBox.from_settings(settings),
        allowed_hosts=settings.webhook_allowed_hosts,
    )


@router.get("/{tool_id}/usage", name="tool_usage", response_model=ToolUsage)
async def tool_usage(tool_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> ToolUsage:
    tool = await _tool(db, ctx.organization_id, tool_id)
    rows = await service.usage(db=db, organization_id=ctx.organization_id, names=[tool.name])
    return rows[0]
