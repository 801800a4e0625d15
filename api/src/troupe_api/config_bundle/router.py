"""Bulk export/import of an organization's tools, agents and agent sets as one document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from troupe_api.config_bundle.service import (
    ConfigBundle,
    ImportReport,
    export_bundle,
    import_bundle,
)
from troupe_api.core.config_events import publish_invalidations
from troupe_api.core.crypto import SecretBox
from troupe_api.core.errors import RoleRequired
from troupe_api.deps import DbDep, MemberOrg, RedisDep, SettingsDep, ViewerOrg
from troupe_api.organizations.models import Role

router = APIRouter(tags=["bulk"])


@router.get("/export", name="export", response_model=ConfigBundle)
async def export_config(
    db: DbDep,
    settings: SettingsDep,
    ctx: ViewerOrg,
    include_secrets: Annotated[bool, Query()] = False,
) -> ConfigBundle:
    """Secret header values are masked unless ``include_secrets`` (admins only)."""
    if include_secrets and not ctx.allows(Role.ADMIN):
        raise RoleRequired(details={"required": "admin", "role": ctx.role.value})
    box = SecretBox.from_settings(settings) if include_secrets else None
    return await export_bundle(db=db, organization_id=ctx.organization_id, box=box)


@router.post("/import", name="import", response_model=ImportReport)
async def import_config(
    bundle: ConfigBundle,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    ctx: MemberOrg,
    dry_run: Annotated[bool, Query()] = False,
) -> ImportReport:
    """Upsert by tool name, agent slug and set name; entities not in the document stay.
    ``dry_run`` reports what would change and every problem without writing anything."""
    report = await import_bundle(
        db=db,
        settings=settings,
        organization_id=ctx.organization_id,
        bundle=bundle,
        dry_run=dry_run,
        created_by=ctx.principal,
        may_move_secrets=ctx.scopes is None and ctx.allows(Role.ADMIN),
    )
    if not dry_run:
        await db.commit()
        await publish_invalidations(redis, report.invalidated)
    return report
