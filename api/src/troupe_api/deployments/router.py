"""Deployments of a session template (public embed keys) and the public embed-info lookup."""

from __future__ import annotations

import html
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Response, status
from sqlalchemy.exc import IntegrityError

from troupe_api.agents import service as agents
from troupe_api.core.errors import Conflict, ValidationFailed
from troupe_api.core.settings import Settings
from troupe_api.deployments import service
from troupe_api.deployments.errors import DeploymentNotFound, EmbedKeyInvalid
from troupe_api.deployments.models import EMBED_KEY_PREFIX, Deployment
from troupe_api.deployments.schemas import (
    DeploymentCreate,
    DeploymentList,
    DeploymentRead,
    DeploymentUpdate,
    EmbedAgent,
    EmbedInfo,
)
from troupe_api.deps import DbDep, MemberOrg, SettingsDep, ViewerOrg
from troupe_api.flows.recording_notice import recording_notice
from troupe_api.templates import service as templates
from troupe_api.templates.errors import TemplateNotFound

router = APIRouter(prefix="/session-templates/{template_id}/deployments", tags=["deployments"])
embed_router = APIRouter(prefix="/embed", tags=["embed"])

IFRAME_ALLOW = "microphone; camera; display-capture"


def to_read(settings: Settings, deployment: Deployment) -> DeploymentRead:
    base = settings.web_url.rstrip("/")
    embed_url = f"{base}/embed/{deployment.embed_key}"
    standalone_url = f"{base}/embed/{deployment.embed_key}"
    snippet = (
        f'<iframe src="{html.escape(embed_url)}" allow="{IFRAME_ALLOW}" '
        f'style="width:100%;height:640px;border:0" title="{html.escape(deployment.name)}">'
        "</iframe>"
    )
    return DeploymentRead(
        id=deployment.id,
        template_id=deployment.template_id,
        name=deployment.name,
        embed_key=deployment.embed_key,
        allowed_origins=deployment.allowed_origins,
        enabled=deployment.enabled,
        require_server_start=deployment.require_server_start,
        max_concurrent_sessions=deployment.max_concurrent_sessions,
        embed_url=embed_url,
        standalone_url=standalone_url,
        embed_snippet=snippet,
        created_at=deployment.created_at,
        updated_at=deployment.updated_at,
    )


def _origins(values: list[str]) -> list[str]:
    try:
        return service.clean_origins(values)
    except ValueError as exc:
        raise ValidationFailed(
            "Origins must look like scheme://host[:port] (http or https) or `*`.",
            details={"origin": str(exc)},
        ) from exc


async def _template(db: DbDep, organization_id: uuid.UUID, template_id: uuid.UUID) -> None:
    if await templates.get(db=db, organization_id=organization_id, template_id=template_id) is None:
        raise TemplateNotFound()


async def _deployment(
    db: DbDep, organization_id: uuid.UUID, template_id: uuid.UUID, deployment_id: uuid.UUID
) -> Deployment:
    deployment = await service.get(
        db=db,
        organization_id=organization_id,
        template_id=template_id,
        deployment_id=deployment_id,
    )
    if deployment is None:
        raise DeploymentNotFound()
    return deployment


@asynccontextmanager
async def _committed(db: DbDep) -> AsyncIterator[None]:
    """Commit the writes of the block; a name already taken (found at a flush inside the block
    or at the commit) is a 409 conflict, not a server error."""
    try:
        yield
        await db.commit()
    except IntegrityError as exc:
        await db.rollback()
        raise Conflict("A deployment with this name already exists.") from exc


@router.get("", name="list", response_model=DeploymentList)
async def list_deployments(
    template_id: uuid.UUID, db: DbDep, ctx: ViewerOrg, settings: SettingsDep
) -> DeploymentList:
    await _template(db, ctx.organization_id, template_id)
    rows = await service.list_for_template(
        db=db, organization_id=ctx.organization_id, template_id=template_id
    )
    return DeploymentList(items=[to_read(settings, d) for d in rows])


@router.post("", name="create", response_model=DeploymentRead, status_code=status.HTTP_201_CREATED)
async def create_deployment(
    template_id: uuid.UUID,
    body: DeploymentCreate,
    db: DbDep,
    ctx: MemberOrg,
    settings: SettingsDep,
) -> DeploymentRead:
    """Publish the template under a new public embed key (`pk_...`)."""
    await _template(db, ctx.organization_id, template_id)
    async with _committed(db):
        deployment = await service.create(
            db=db,
            organization_id=ctx.organization_id,
            template_id=template_id,
            name=body.name,
            allowed_origins=_origins(body.allowed_origins),
            enabled=body.enabled,
        )
        deployment.require_server_start = body.require_server_start
        deployment.max_concurrent_sessions = body.max_concurrent_sessions
        await db.flush()
    await db.refresh(deployment)  # the second flush's UPDATE expired updated_at
    return to_read(settings, deployment)


@router.get("/{deployment_id}", name="get", response_model=DeploymentRead)
async def get_deployment(
    template_id: uuid.UUID,
    deployment_id: uuid.UUID,
    db: DbDep,
    ctx: ViewerOrg,
    settings: SettingsDep,
) -> DeploymentRead:
    return to_read(settings, await _deployment(db, ctx.organization_id, template_id, deployment_id))


@router.patch("/{deployment_id}", name="update", response_model=DeploymentRead)
async def update_deployment(
    template_id: uuid.UUID,
    deployment_id: uuid.UUID,
    body: DeploymentUpdate,
    db: DbDep,
    ctx: MemberOrg,
    settings: SettingsDep,
) -> DeploymentRead:
    deployment = await _deployment(db, ctx.organization_id, template_id, deployment_id)
    async with _committed(db):
        if body.name is not None:
            deployment.name = body.name
        if body.allowed_origins is not None:
            deployment.allowed_origins = _origins(body.allowed_origins)
        if body.enabled is not None:
            deployment.enabled = body.enabled
        if body.require_server_start is not None:
            deployment.require_server_start = body.require_server_start
        if body.max_concurrent_sessions is not None:
            deployment.max_concurrent_sessions = body.max_concurrent_sessions or None
        await db.flush()
    await db.refresh(deployment)
    return to_read(settings, deployment)


@router.post("/{deployment_id}/rotate-key", name="rotate_key", response_model=DeploymentRead)
async def rotate_key(
    template_id: uuid.UUID,
    deployment_id: uuid.UUID,
    db: DbDep,
    ctx: MemberOrg,
    settings: SettingsDep,
) -> DeploymentRead:
    """A new embed key; the old one stops working at once."""
    deployment = await _deployment(db, ctx.organization_id, template_id, deployment_id)
    async with _committed(db):
        await service.rotate_key(db=db, deployment=deployment)
    await db.refresh(deployment)
    return to_read(settings, deployment)


@router.delete("/{deployment_id}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_deployment(
    template_id: uuid.UUID, deployment_id: uuid.UUID, db: DbDep, ctx: MemberOrg
) -> Response:
    deployment = await _deployment(db, ctx.organization_id, template_id, deployment_id)
    await db.delete(deployment)
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@embed_router.get("/{embed_key}", name="info", response_model=EmbedInfo)
async def embed_info(embed_key: str, db: DbDep, settings: SettingsDep) -> EmbedInfo:
    """Public: what the start page of an enabled embed key may show."""
    if not embed_key.startswith(EMBED_KEY_PREFIX):
        raise EmbedKeyInvalid()
    deployment = await service.get_enabled_by_key(db=db, embed_key=embed_key)
    if deployment is None:
        raise EmbedKeyInvalid()
    template = await templates.get(
        db=db, organization_id=deployment.organization_id, template_id=deployment.template_id
    )
    if template is None:
        raise EmbedKeyInvalid()
    found = await agents.list_by_slugs(
        db=db, organization_id=deployment.organization_id, slugs=[template.initial_agent]
    )
    agent = found[0] if found else None
    return EmbedInfo(
        deployment_name=deployment.name,
        template_name=template.name,
        description=template.description,
        initial_agent=EmbedAgent(
            slug=template.initial_agent,
            name=agent.name if agent is not None else template.initial_agent,
        ),
        modality_profile=template.modality_profile,
        enabled_panels=list(template.enabled_panels),
        max_duration_s=template.max_duration_s,
        allowed_origins=list(deployment.allowed_origins),
        recording=recording_notice(template, settings.effective_config_environment),
    )
