"""Session templates: CRUD with validation, environment overrides, clone, and explicit,
revocable shares with other organizations (which may then read and clone the template)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import ValidationError
from sqlalchemy import select

from troupe_api.configuration import writes as config_ops
from troupe_api.configuration.template_clone import clone_template
from troupe_api.core.config_errors import ConfigInvalid, Problem
from troupe_api.core.config_events import publish_invalidations
from troupe_api.core.errors import validation_failed
from troupe_api.deps import AdminOrg, DbDep, MemberOrg, OrgContext, RedisDep, SettingsDep, ViewerOrg
from troupe_api.flows import session_variables
from troupe_api.organizations.models import Organization
from troupe_api.templates import service
from troupe_api.templates.errors import SessionTemplateNotFound, ShareNotFound, ShareTargetInvalid
from troupe_api.templates.models import SessionTemplate, TemplateShare
from troupe_api.templates.schemas import (
    CloneRequest,
    Environment,
    ShareCreate,
    ShareList,
    ShareRead,
    TemplateBody,
    TemplateCreate,
    TemplateList,
    TemplateRead,
    TemplateUpdate,
)

router = APIRouter(prefix="/session-templates", tags=["templates"])


async def read(
    db: DbDep,
    template: SessionTemplate,
    environment: Environment | None = None,
    shared: bool = False,
) -> TemplateRead:
    fields = config_ops.effective(template, environment)
    return TemplateRead(
        id=template.id,
        organization_id=template.organization_id,
        name=template.name,
        description=template.description,
        agent_set_id=template.agent_set_id,
        agents=await config_ops.template_members(db=db, template=template),
        initial_agent=fields.initial_agent,
        modality_profile=fields.modality_profile,
        enabled_panels=fields.enabled_panels,
        idle_timeout_s=fields.idle_timeout_s,
        max_duration_s=fields.max_duration_s,
        record_audio=fields.record_audio,
        recording_consent_text=template.recording_consent_text,
        pinned_versions=fields.pinned_versions,
        environment_overrides=dict(template.environment_overrides or {}),
        variables=session_variables.declared(template.variables),
        endpointing=template.endpointing,
        endpointing_min_delay_ms=template.endpointing_min_delay_ms,
        endpointing_max_delay_ms=template.endpointing_max_delay_ms,
        noise_suppression=template.noise_suppression,
        environment=environment,
        shared=shared,
        created_at=template.created_at,
        updated_at=template.updated_at,
    )


async def _own(db: DbDep, ctx: OrgContext, template_id: uuid.UUID) -> SessionTemplate:
    template = await service.get(
        db=db, organization_id=ctx.organization_id, template_id=template_id
    )
    if template is None:
        raise SessionTemplateNotFound()
    return template


async def _readable(db: DbDep, ctx: OrgContext, template_id: uuid.UUID) -> SessionTemplate:
    """Own, or shared with the caller's organization by an active share."""
    template = await db.get(SessionTemplate, template_id)
    if template is None:
        raise SessionTemplateNotFound()
    if template.organization_id != ctx.organization_id and not await service.active_share(
        db=db, template_id=template.id, target_organization_id=ctx.organization_id
    ):
        raise SessionTemplateNotFound()
    return template


@router.get("", name="list", response_model=TemplateList)
async def list_templates(
    db: DbDep, ctx: ViewerOrg, environment: Annotated[Environment | None, Query()] = None
) -> TemplateList:
    rows = await service.list_all(db=db, organization_id=ctx.organization_id)
    return TemplateList(items=[await read(db, t, environment) for t in rows])


@router.post("", name="create", response_model=TemplateRead, status_code=status.HTTP_201_CREATED)
async def create_template(body: TemplateCreate, db: DbDep, ctx: MemberOrg) -> TemplateRead:
    template, _ = await config_ops.save_template(
        db=db, organization_id=ctx.organization_id, body=TemplateBody(**body.model_dump())
    )
    await db.commit()
    await db.refresh(template)
    return await read(db, template)


@router.get("/shared", name="list_shared", response_model=TemplateList)
async def list_shared(db: DbDep, ctx: ViewerOrg) -> TemplateList:
    """Templates other organizations shared with this one."""
    rows = await service.shared_with(db=db, organization_id=ctx.organization_id)
    return TemplateList(items=[await read(db, t, shared=True) for t in rows])


@router.get("/{template_id}", name="get", response_model=TemplateRead)
async def get_template(
    template_id: uuid.UUID,
    db: DbDep,
    ctx: ViewerOrg,
    environment: Annotated[Environment | None, Query()] = None,
) -> TemplateRead:
    """Own or shared-with-us; ``environment`` shows the fields with that override applied."""
    template = await _readable(db, ctx, template_id)
    return await read(
        db, template, environment, shared=template.organization_id != ctx.organization_id
    )


async def _update(
    db: DbDep, redis: RedisDep, ctx: OrgContext, template: SessionTemplate, body: TemplateBody
) -> TemplateRead:
    saved, changed = await config_ops.save_template(
        db=db, organization_id=ctx.organization_id, body=body, template=template
    )
    await db.commit()
    await db.refresh(saved)
    if changed:
        await publish_invalidations(redis, [saved.id])
    return await read(db, saved)


@router.put("/{template_id}", name="replace", response_model=TemplateRead)
async def replace_template(
    template_id: uuid.UUID, body: TemplateBody, db: DbDep, redis: RedisDep, ctx: MemberOrg
) -> TemplateRead:
    return await _update(db, redis, ctx, await _own(db, ctx, template_id), body)


@router.patch("/{template_id}", name="update", response_model=TemplateRead)
async def update_template(
    template_id: uuid.UUID, body: TemplateUpdate, db: DbDep, redis: RedisDep, ctx: MemberOrg
) -> TemplateRead:
    template = await _own(db, ctx, template_id)
    merged = {**config_ops.template_body(template), **body.model_dump(exclude_unset=True)}
    if merged["agent_set_id"] is None:
        # A template from before agent sets: the first edit must choose a set.
        raise ConfigInvalid(
            [
                Problem(
                    "agent_set_required", "Choose an agent set for this template.", "agent_set_id"
                )
            ]
        )
    try:
        spec = TemplateBody.model_validate(merged)
    except ValidationError as exc:
        # e.g. an explicit null for a field a template cannot be without.
        raise validation_failed(exc) from exc
    return await _update(db, redis, ctx, template, spec)


@router.delete("/{template_id}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(
    template_id: uuid.UUID, db: DbDep, redis: RedisDep, ctx: MemberOrg
) -> Response:
    template = await _own(db, ctx, template_id)
    await db.delete(template)
    await db.commit()
    await publish_invalidations(redis, [template_id])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{template_id}/clone",
    name="clone",
    response_model=TemplateRead,
    status_code=status.HTTP_201_CREATED,
)
async def clone(
    template_id: uuid.UUID, body: CloneRequest, db: DbDep, settings: SettingsDep, ctx: MemberOrg
) -> TemplateRead:
    """Own template: a copy on the same agent set. Shared template: its agent set, agents (as
    pinned) and webhook tools are copied too (``clone_conflict`` when differing ones of the
    same names exist; secret header values are not copied)."""
    source = await _readable(db, ctx, template_id)
    template = await clone_template(
        db=db,
        settings=settings,
        source=source,
        target_organization_id=ctx.organization_id,
        name=body.name,
        created_by=ctx.principal,
    )
    await db.commit()
    await db.refresh(template)
    return await read(db, template)


def _share_read(share: TemplateShare) -> ShareRead:
    return ShareRead.model_validate(share, from_attributes=True)


@router.get("/{template_id}/shares", name="list_shares", response_model=ShareList)
async def list_shares(template_id: uuid.UUID, db: DbDep, ctx: AdminOrg) -> ShareList:
    template = await _own(db, ctx, template_id)
    return ShareList(
        items=[_share_read(s) for s in await service.list_shares(db=db, template_id=template.id)]
    )


@router.post(
    "/{template_id}/shares",
    name="share",
    response_model=ShareRead,
    status_code=status.HTTP_201_CREATED,
)
async def share_template(
    template_id: uuid.UUID, body: ShareCreate, db: DbDep, ctx: AdminOrg
) -> ShareRead:
    template = await _own(db, ctx, template_id)
    try:
        condition = Organization.id == uuid.UUID(body.organization)
    except ValueError:
        condition = Organization.slug == body.organization
    target = await db.scalar(select(Organization.id).where(condition))
    if target is None or target == ctx.organization_id:
        raise ShareTargetInvalid()
    share = await db.scalar(
        select(TemplateShare).where(
            TemplateShare.template_id == template.id,
            TemplateShare.target_organization_id == target,
        )
    )
    if share is None:
        share = TemplateShare(
            template_id=template.id,
            organization_id=ctx.organization_id,
            target_organization_id=target,
            created_by=ctx.principal,
        )
        db.add(share)
    else:
        share.revoked_at = None
    await db.commit()
    await db.refresh(share)
    return _share_read(share)


@router.delete("/{template_id}/shares/{share_id}", name="revoke_share", response_model=ShareRead)
async def revoke_share(
    template_id: uuid.UUID, share_id: uuid.UUID, db: DbDep, ctx: AdminOrg
) -> ShareRead:
    template = await _own(db, ctx, template_id)
    share = await db.get(TemplateShare, share_id)
    if share is None or share.template_id != template.id:
        raise ShareNotFound()
    if share.revoked_at is None:
        share.revoked_at = datetime.now(UTC)
    await db.commit()
    await db.refresh(share)
    return _share_read(share)
