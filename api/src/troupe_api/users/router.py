"""The signed-in user: profile, memberships, password."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from troupe_api.auth import service as auth
from troupe_api.auth.schemas import MembershipRead, MeRead, PasswordChange, ProfileUpdate
from troupe_api.deps import CurrentUser, DbDep, PrincipalDep, client_ip
from troupe_api.organizations import service as organizations
from troupe_api.organizations.models import Role
from troupe_api.users import service as users
from troupe_api.users.models import User
from troupe_api.users.schemas import user_read

router = APIRouter(prefix="/me", tags=["me"])


async def _me(db: DbDep, user: User) -> MeRead:
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
    )


@router.get("", name="read", response_model=MeRead)
async def read(db: DbDep, user: CurrentUser) -> MeRead:
    """The user and their memberships; the first is the default organization (used when a
    request has no ``X-Troupe-Org`` header)."""
    return await _me(db, user)


@router.patch("", name="update", response_model=MeRead)
async def update(body: ProfileUpdate, db: DbDep, user: CurrentUser) -> MeRead:
    await users.update_profile(db=db, user=user, display_name=body.display_name)
    await db.commit()
    return await _me(db, user)


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
