"""Agents: CRUD, immutable versions (list, diff, rollback), duplication, starter templates
and tool assignment. Every write is validated against the organization's other agents, the
tool registry and the provider catalog; invalid input is one ``config_invalid`` error.
Avatars (``PUT``/``DELETE /agents/{id}/avatar``, served publicly by ``GET /avatars/{token}``)
are images in the storage interface, outside the versioned definition."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from obstore.exceptions import NotFoundError
from pydantic import ValidationError
from troupe_contracts.constants import AVATAR_MAX_BYTES, AVATAR_MIME_TYPES

from troupe_api.agents import avatar, service
from troupe_api.agents.errors import (
    AgentNotFound,
    AgentTemplateUnknown,
    AgentVersionNotFound,
    AvatarNotFound,
)
from troupe_api.agents.models import Agent
from troupe_api.agents.schemas import (
    AgentBody,
    AgentCreate,
    AgentList,
    AgentRead,
    AgentSpec,
    AgentToolsUpdate,
    AgentUpdate,
    AgentVersionDiff,
    AgentVersionList,
    AgentVersionRead,
    CreateFromStarter,
    DuplicateRequest,
    FieldChange,
    RollbackRequest,
    StarterTemplateList,
)
from troupe_api.agents.starters import STARTERS, STARTERS_BY_ID
from troupe_api.configuration import writes as config_ops
from troupe_api.core.config_events import publish_invalidations
from troupe_api.core.errors import PayloadTooLarge, validation_failed
from troupe_api.core.logging import get_logger
from troupe_api.core.storage import get_storage
from troupe_api.deps import DbDep, MemberOrg, RedisDep, SettingsDep, ViewerOrg

router = APIRouter(prefix="/agents", tags=["agents"])
starters_router = APIRouter(prefix="/agent-templates", tags=["agents"])
avatars_router = APIRouter(prefix="/avatars", tags=["avatars"])
log = get_logger(__name__)


def read(agent: Agent) -> AgentRead:
    return AgentRead(
        **service.spec_of(agent).model_dump(),
        id=agent.id,
        organization_id=agent.organization_id,
        version=agent.version,
        created_at=agent.created_at,
        updated_at=agent.updated_at,
        avatar_url=avatar.url_of(agent.avatar_token),
    )


async def _agent(db: DbDep, organization_id: uuid.UUID, agent_id: uuid.UUID) -> Agent:
    agent = await service.get(db=db, organization_id=organization_id, agent_id=agent_id)
    if agent is None:
        raise AgentNotFound()
    return agent


async def _save(
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: MemberOrg,
    spec: AgentSpec,
    agent: Agent | None,
) -> AgentRead:
    saved, changed = await config_ops.save_agent(
        db=db,
        settings=settings,
        organization_id=ctx.organization_id,
        spec=spec,
        agent=agent,
        created_by=ctx.principal,
    )
    await db.commit()
    await db.refresh(saved)
    if changed:
        await publish_invalidations(redis, [saved.id])
    return read(saved)


@router.get("", name="list", response_model=AgentList)
async def list_agents(db: DbDep, ctx: ViewerOrg) -> AgentList:
    return AgentList(
        items=[read(a) for a in await service.list_all(db=db, organization_id=ctx.organization_id)]
    )


@router.post("", name="create", response_model=AgentRead, status_code=status.HTTP_201_CREATED)
async def create_agent(
    body: AgentCreate, db: DbDep, redis: RedisDep, settings: SettingsDep, ctx: MemberOrg
) -> AgentRead:
    return await _save(db, redis, settings, ctx, AgentSpec(**body.model_dump()), None)


@router.post(
    "/from-template",
    name="create_from_template",
    response_model=AgentRead,
    status_code=status.HTTP_201_CREATED,
)
async def create_from_template(
    body: CreateFromStarter, db: DbDep, redis: RedisDep, settings: SettingsDep, ctx: MemberOrg
) -> AgentRead:
    """A new agent from a built-in starter (``GET /agent-templates``)."""
    starter = STARTERS_BY_ID.get(body.template)
    if starter is None:
        raise AgentTemplateUnknown(details={"available": sorted(STARTERS_BY_ID)})
    data = starter.agent.model_dump()
    if body.name:
        data["name"] = body.name
    return await _save(db, redis, settings, ctx, AgentSpec(slug=body.slug, **data), None)


@router.get("/{agent_id}", name="get", response_model=AgentRead)
async def get_agent(agent_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> AgentRead:
    return read(await _agent(db, ctx.organization_id, agent_id))


@router.put("/{agent_id}", name="replace", response_model=AgentRead)
async def replace_agent(
    agent_id: uuid.UUID,
    body: AgentBody,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: MemberOrg,
) -> AgentRead:
    agent = await _agent(db, ctx.organization_id, agent_id)
    spec = AgentSpec(slug=agent.slug, **body.model_dump())
    return await _save(db, redis, settings, ctx, spec, agent)


@router.patch("/{agent_id}", name="update", response_model=AgentRead)
async def update_agent(
    agent_id: uuid.UUID,
    body: AgentUpdate,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: MemberOrg,
) -> AgentRead:
    agent = await _agent(db, ctx.organization_id, agent_id)
    current = service.spec_of(agent).model_dump()
    try:
        spec = AgentSpec.model_validate({**current, **body.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        # e.g. an explicit null for a field the agent cannot be without (stt, llm, ...).
        raise validation_failed(exc) from exc
    return await _save(db, redis, settings, ctx, spec, agent)


@router.put("/{agent_id}/tools", name="set_tools", response_model=AgentRead)
async def set_agent_tools(
    agent_id: uuid.UUID,
    body: AgentToolsUpdate,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: MemberOrg,
) -> AgentRead:
    """Assign tools (built-in or webhook names); a new version like any other save."""
    agent = await _agent(db, ctx.organization_id, agent_id)
    spec = service.spec_of(agent).model_copy(update={"tools": body.tools})
    return await _save(db, redis, settings, ctx, spec, agent)


@router.delete("/{agent_id}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_agent(
    agent_id: uuid.UUID, db: DbDep, redis: RedisDep, settings: SettingsDep, ctx: MemberOrg
) -> Response:
    """Refused with ``agent_in_use`` while sets, templates or handoffs reference it."""
    agent = await _agent(db, ctx.organization_id, agent_id)
    token = agent.avatar_token
    await config_ops.delete_agent(db=db, agent=agent)
    await db.commit()
    await publish_invalidations(redis, [agent_id])
    if token:
        await _drop_avatar(settings, agent.organization_id, agent_id, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _drop_avatar(
    settings: SettingsDep, organization_id: uuid.UUID, agent_id: uuid.UUID, token: str
) -> None:
    """Delete a replaced or removed avatar's file; a failure leaves an orphan, not an error."""
    try:
        await get_storage(settings).delete(avatar.storage_key(organization_id, agent_id, token))
    except Exception:
        log.warning("avatar file not deleted", agent_id=str(agent_id), exc_info=True)


_AVATAR_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}} for t in AVATAR_MIME_TYPES
        },
    }
}


@router.put(
    "/{agent_id}/avatar", name="set_avatar", response_model=AgentRead, openapi_extra=_AVATAR_BODY
)
async def set_avatar(
    agent_id: uuid.UUID,
    request: Request,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: MemberOrg,
) -> AgentRead:
    """Upload or replace the agent's avatar. Body: the image bytes (PNG, JPEG or WebP, up to
    1 MiB, 16 to 4096 pixels a side; the type is read from the bytes, not the Content-Type).
    Stored as a 256-pixel square WebP (centre crop, metadata dropped); ``avatar_url`` in the
    answer is its public URL. Refused: ``avatar_invalid`` (400), ``payload_too_large`` (413)."""
    agent = await _agent(db, ctx.organization_id, agent_id)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > AVATAR_MAX_BYTES:
        raise PayloadTooLarge(details={"max_bytes": AVATAR_MAX_BYTES})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > AVATAR_MAX_BYTES:
            raise PayloadTooLarge(details={"max_bytes": AVATAR_MAX_BYTES})
        chunks.append(chunk)
    image = await avatar.normalise_async(b"".join(chunks))
    token = avatar.new_token()
    await get_storage(settings).put(
        avatar.storage_key(agent.organization_id, agent.id, token),
        image,
        content_type=avatar.AVATAR_CONTENT_TYPE,
    )
    previous = agent.avatar_token
    agent.avatar_token = token
    await db.commit()
    await db.refresh(agent)
    await publish_invalidations(redis, [agent.id])  # sessions' configs carry the avatar URL
    if previous:
        await _drop_avatar(settings, agent.organization_id, agent.id, previous)
    return read(agent)


@router.delete("/{agent_id}/avatar", name="delete_avatar", response_model=AgentRead)
async def delete_avatar(
    agent_id: uuid.UUID, db: DbDep, redis: RedisDep, settings: SettingsDep, ctx: MemberOrg
) -> AgentRead:
    """Remove the agent's avatar (the session page shows the name's initial again); removing
    none is not an error."""
    agent = await _agent(db, ctx.organization_id, agent_id)
    previous = agent.avatar_token
    if previous:
        agent.avatar_token = None
        await db.commit()
        await db.refresh(agent)
        await publish_invalidations(redis, [agent.id])
        await _drop_avatar(settings, agent.organization_id, agent.id, previous)
    return read(agent)


@avatars_router.get(
    "/{token}",
    name="get",
    response_class=Response,
    responses={200: {"content": {avatar.AVATAR_CONTENT_TYPE: {}}}},
)
async def get_avatar(
    token: Annotated[str, Path(max_length=64)], db: DbDep, settings: SettingsDep
) -> Response:
    """An agent's avatar image, without credentials: the token is random and new on every
    upload (the URL is the capability, like the session page that shows it), so the answer is
    cacheable for ever. An unknown, replaced or removed token: 404 ``avatar_not_found``."""
    if not avatar.TOKEN_PATTERN.match(token):
        raise AvatarNotFound()
    agent = await service.get_by_avatar_token(db=db, token=token)
    if agent is None:
        raise AvatarNotFound()
    try:
        data = await get_storage(settings).read(
            avatar.storage_key(agent.organization_id, agent.id, token)
        )
    except (FileNotFoundError, NotFoundError) as exc:
        raise AvatarNotFound() from exc
    return Response(
        content=data,
        media_type=avatar.AVATAR_CONTENT_TYPE,
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "Content-Disposition": 'inline; filename="avatar.webp"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post(
    "/{agent_id}/duplicate",
    name="duplicate",
    response_model=AgentRead,
    status_code=status.HTTP_201_CREATED,
)
async def duplicate_agent(
    agent_id: uuid.UUID,
    body: DuplicateRequest,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: MemberOrg,
) -> AgentRead:
    """A new agent with the source's definition and a copy of its avatar (a file of its own, so
    either can change or drop it; a source file that cannot be read gives a copy without one)."""
    original = await _agent(db, ctx.organization_id, agent_id)
    source = service.spec_of(original)
    spec = source.model_copy(
        update={"slug": body.slug, "name": body.name or f"{source.name} (copy)"}
    )
    copy = await _save(db, redis, settings, ctx, spec, None)
    if not original.avatar_token:
        return copy
    storage = get_storage(settings)
    try:
        image = await storage.read(
            avatar.storage_key(original.organization_id, original.id, original.avatar_token)
        )
    except (FileNotFoundError, NotFoundError):
        log.warning("avatar not copied: source file missing", agent_id=str(original.id))
        return copy
    agent = await _agent(db, ctx.organization_id, copy.id)
    token = avatar.new_token()
    await storage.put(
        avatar.storage_key(agent.organization_id, agent.id, token),
        image,
        content_type=avatar.AVATAR_CONTENT_TYPE,
    )
    agent.avatar_token = token
    await db.commit()
    await db.refresh(agent)
    return read(agent)


@router.get("/{agent_id}/versions", name="list_versions", response_model=AgentVersionList)
async def list_versions(agent_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> AgentVersionList:
    """Newest first."""
    agent = await _agent(db, ctx.organization_id, agent_id)
    return AgentVersionList(
        items=[
            AgentVersionRead.model_validate(v, from_attributes=True)
            for v in await service.list_versions(db=db, agent=agent)
        ]
    )


@router.get("/{agent_id}/versions/{version}", name="get_version", response_model=AgentVersionRead)
async def get_version(
    agent_id: uuid.UUID,
    version: Annotated[int, Path(ge=1, le=2**31 - 1)],
    db: DbDep,
    ctx: ViewerOrg,
) -> AgentVersionRead:
    agent = await _agent(db, ctx.organization_id, agent_id)
    row = await service.get_version(db=db, agent_id=agent.id, version=version)
    if row is None:
        raise AgentVersionNotFound(details={"version": version})
    return AgentVersionRead.model_validate(row, from_attributes=True)


@router.get("/{agent_id}/diff", name="diff_versions", response_model=AgentVersionDiff)
async def diff_versions(
    agent_id: uuid.UUID,
    db: DbDep,
    ctx: ViewerOrg,
    # Versions are PostgreSQL integers: a larger number is a 422, not a database error.
    from_version: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
    to_version: Annotated[int | None, Query(alias="to", ge=1, le=2**31 - 1)] = None,
) -> AgentVersionDiff:
    """Field-level changes from version ``from`` to ``to`` (default: the current one)."""
    agent = await _agent(db, ctx.organization_id, agent_id)
    target = to_version or agent.version
    snapshots = []
    for number in (from_version, target):
        row = await service.get_version(db=db, agent_id=agent.id, version=number)
        if row is None:
            raise AgentVersionNotFound(details={"version": number})
        # JSONB does not keep key order: normalise to the spec's field order.
        snapshots.append(AgentSpec.model_validate(row.snapshot).model_dump(mode="json"))
    return AgentVersionDiff(
        agent_id=agent.id,
        from_version=from_version,
        to_version=target,
        changes=[
            FieldChange(field=f, before=b, after=a)
            for f, b, a in service.diff_specs(snapshots[0], snapshots[1])
        ],
    )


@router.post("/{agent_id}/rollback", name="rollback", response_model=AgentRead)
async def rollback(
    agent_id: uuid.UUID,
    body: RollbackRequest,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: MemberOrg,
) -> AgentRead:
    """A new version whose content equals ``version`` (history is never rewritten); validated
    like any save, so a rollback to a version naming a since-deleted tool is refused."""
    agent = await _agent(db, ctx.organization_id, agent_id)
    row = await service.get_version(db=db, agent_id=agent.id, version=body.version)
    if row is None:
        raise AgentVersionNotFound(details={"version": body.version})
    spec = AgentSpec.model_validate(row.snapshot)
    return await _save(db, redis, settings, ctx, spec, agent)


@starters_router.get("", name="list_starters", response_model=StarterTemplateList)
async def list_starters(_: ViewerOrg) -> StarterTemplateList:
    """Built-in starting points for new agents (receptionist, tutor, code reviewer, sales)."""
    return StarterTemplateList(items=list(STARTERS))
