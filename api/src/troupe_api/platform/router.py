"""Platform operators' routes: every organization's plan and trial. Only users whose email is
in ``TROUPE_PLATFORM_ADMIN_EMAILS`` may call them (never API keys, never org admins as such);
``troupe-api org list`` and ``troupe-api org set-plan`` do the same from a shell."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from troupe_api.core.errors import PlatformAdminRequired
from troupe_api.deps import CurrentUser, DbDep, SettingsDep, client_ip
from troupe_api.platform import service
from troupe_api.platform.schemas import (
    PlanRead,
    PlanUpdate,
    PlatformOrganizationList,
    PlatformOrganizationRead,
)
from troupe_api.usage.plans import PLANS
from troupe_api.users.models import User
from troupe_api.users.service import normalize_email

router = APIRouter(prefix="/platform", tags=["platform"])


async def require_platform_admin(user: CurrentUser, settings: SettingsDep) -> User:
    allowed = {normalize_email(e) for e in settings.platform_admin_emails}
    if normalize_email(user.email) not in allowed:
        raise PlatformAdminRequired()
    return user


PlatformAdmin = Annotated[User, Depends(require_platform_admin)]


@router.get("/organizations", name="list_organizations", response_model=PlatformOrganizationList)
async def list_organizations(db: DbDep, _: PlatformAdmin) -> PlatformOrganizationList:
    """Every organization with its plan and trial, oldest first, and the plans there are."""
    rows = await service.list_organizations(db=db)
    return PlatformOrganizationList(
        items=[PlatformOrganizationRead(**asdict(r)) for r in rows],
        plans=[PlanRead(**asdict(p)) for p in PLANS.values()],
    )


@router.put("/organizations/{slug}/plan", name="set_plan", response_model=PlatformOrganizationRead)
async def set_plan(
    slug: str,
    body: PlanUpdate,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    admin: PlatformAdmin,
) -> PlatformOrganizationRead:
    """Put an organization on a plan. The trial plan ends ``trial_days`` from now (default
    ``TROUPE_TRIAL_DAYS``); other plans have no trial end."""
    row = await service.change_plan(
        db=db,
        slug=slug,
        plan=body.plan,
        trial_days=body.trial_days,
        default_trial_days=settings.trial_days,
        actor_user_id=admin.id,
        ip=client_ip(request),
    )
    await db.commit()
    return PlatformOrganizationRead(**asdict(row))
