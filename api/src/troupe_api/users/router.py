"""The signed-in user: profile, memberships, password, email change."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from troupe_api.auth import service as auth
from troupe_api.auth.schemas import (
    EmailChangePending,
    EmailChangeRequest,
    MembershipRead,
    MeRead,
    PasswordChange,
    ProfileUpdate,
)
from troupe_api.deps import (
    CurrentUser,
    DbDep,
    JobsDep,
    LimiterDep,
    PrincipalDep,
    RedisDep,
    SettingsDep,
    client_ip,
)
from troupe_api.jobs.queue import flush
from troupe_api.organizations import service as organizations
from troupe_api.organizations.models import Role
from troupe_api.users import email_change
from troupe_api.users import service as users
from troupe_api.users.models import User
from troupe_api.users.schemas import user_read

router = APIRouter(prefix="/me", tags=["me"])


async def _me(db: DbDep, user: User, redis: RedisDep) -> MeRead:
    memberships = await organizations.memberships_of_user(db=db, user_id=user.id)
    return MeRead(
        user=user_read(user),
        memberships=[
            MembershipRead(
                organization_id=org.id,
                organization_name=org.name,
                organization_slug=org.slug,
                role=Role(m.role),
            )
            for m, org in memberships
        ],
        default_organization_id=memberships[0][1].id if memberships else None,
        pending_email=await email_change.pending(redis=redis, user_id=user.id),
    )


@router.get("", name="read", response_model=MeRead)
async def read(db: DbDep, user: CurrentUser, redis: RedisDep) -> MeRead:
    """The user and their memberships; the first is the default organization (used when a
    request has no ``X-Troupe-Org`` header)."""
    return await _me(db, user, redis)


@router.patch("", name="update", response_model=MeRead)
async def update(body: ProfileUpdate, db: DbDep, user: CurrentUser, redis: RedisDep) -> MeRead:
    await users.update_profile(db=db, user=user, display_name=body.display_name)
    await db.commit()
    return await _me(db, user, redis)


@router.post("/password", name="change_password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: PasswordChange, request: Request, db: DbDep, user: CurrentUser, principal: PrincipalDep
) -> None:
    """Change the password; every other session of the user is signed out."""
    await auth.change_password(
        db=db,
        user=user,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_family=principal.family_id,
        ip=client_ip(request),
    )
    await db.commit()


@router.post(
    "/email",
    name="request_email_change",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=EmailChangePending,
)
async def request_email_change(
    body: EmailChangeRequest,
    request: Request,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    jobs: JobsDep,
    user: CurrentUser,
) -> EmailChangePending:
    """Ask to change the email address (current password required). A confirmation link goes
    to the new address (``POST /auth/email/confirm`` with its token); until it is opened the
    address stays the same. A new request replaces the previous link."""
    await limiter.hit(
        settings.rate_limit_auth_email, "auth_email", users.normalize_email(str(body.email))
    )
    email, expires_at = await email_change.request_change(
        db=db,
        redis=redis,
        settings=settings,
        user=user,
        new_email=str(body.email),
        current_password=body.current_password,
        ip=client_ip(request),
    )
    await db.commit()
    await flush(db, jobs)  # the messages, when they go over SMTP
    return EmailChangePending(pending_email=email, expires_at=expires_at)


@router.delete("/email", name="cancel_email_change", status_code=status.HTTP_204_NO_CONTENT)
async def cancel_email_change(redis: RedisDep, user: CurrentUser) -> None:
    """Forget a pending email change: its link stops working."""
    await email_change.cancel(redis=redis, user_id=user.id)
