"""Organizations, members and invitations. The organization is the request's (``X-Troupe-Org``,
default the caller's first); identity management is for signed-in users, never API keys."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Request, status

from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.core.errors import NotFound, RoleRequired
from troupe_api.core.settings import Settings
from troupe_api.deps import (
    CurrentUser,
    DbDep,
    JobsDep,
    SettingsDep,
    UserAdminOrg,
    UserViewerOrg,
    client_ip,
)
from troupe_api.invitations import service as invitations
from troupe_api.invitations.models import Invitation
from troupe_api.jobs.queue import flush
from troupe_api.organizations import service as organizations
from troupe_api.organizations.models import Organization, Role
from troupe_api.organizations.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationList,
    InvitationRead,
    MemberList,
    MemberRead,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
    RoleUpdate,
)
from troupe_api.outbox import service as mail

router = APIRouter(tags=["organizations"])


def _org_read(org: Organization, role: Role) -> OrganizationRead:
    return OrganizationRead(
        id=org.id, name=org.name, slug=org.slug, role=role, created_at=org.created_at
    )


def _invitation_read(invitation: Invitation) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        role=Role(invitation.role),
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


@router.post(
    "/organizations",
    name="create",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationRead,
)
async def create(
    body: OrganizationCreate, db: DbDep, settings: SettingsDep, user: CurrentUser
) -> OrganizationRead:
    """Create another organization; the caller becomes its admin. It starts on the trial plan
    (``TROUPE_TRIAL_DAYS``)."""
    org = await organizations.create_with_admin(
        db=db, name=body.name, user_id=user.id, trial_days=settings.trial_days
    )
    await db.commit()
    await db.refresh(org)
    return _org_read(org, Role.ADMIN)


@router.get("/organization", name="read_current", response_model=OrganizationRead)
async def read_current(db: DbDep, ctx: UserViewerOrg) -> OrganizationRead:
    """The request's organization."""
    org = await organizations.get(db=db, organization_id=ctx.organization_id)
    if org is None:
        raise NotFound()
    return _org_read(org, ctx.role)


@router.patch("/organization", name="update_current", response_model=OrganizationRead)
async def update_current(
    body: OrganizationUpdate, db: DbDep, ctx: UserAdminOrg
) -> OrganizationRead:
    org = await organizations.rename(db=db, organization_id=ctx.organization_id, name=body.name)
    await db.commit()
    await db.refresh(org)
    return _org_read(org, ctx.role)


@router.get("/members", name="list_members", response_model=MemberList)
async def list_members(db: DbDep, ctx: UserViewerOrg) -> MemberList:
    rows = await organizations.list_members(db=db, organization_id=ctx.organization_id)
    return MemberList(
        items=[
            MemberRead(
                user_id=u.id,
                email=u.email,
                display_name=u.display_name,
                role=Role(m.role),
                joined_at=m.created_at,
            )
            for m, u in rows
        ]
    )


@router.patch("/members/{user_id}", name="change_role", response_model=MemberRead)
async def change_role(
    user_id: uuid.UUID, body: RoleUpdate, request: Request, db: DbDep, ctx: UserAdminOrg
) -> MemberRead:
    """Change a member's role; the last admin cannot be demoted."""
    membership, previous = await organizations.change_role(
        db=db, organization_id=ctx.organization_id, user_id=user_id, role=body.role
    )
    await audit.record(
        db=db,
        action=AuditAction.ROLE_CHANGED,
        organization_id=ctx.organization_id,
        user_id=ctx.user_id,
        ip=client_ip(request),
        details={"member": str(user_id), "from": previous, "to": body.role.value},
    )
    await db.commit()
    rows = await organizations.list_members(db=db, organization_id=ctx.organization_id)
    m, u = next((m, u) for m, u in rows if u.id == membership.user_id)
    return MemberRead(
        user_id=u.id,
        email=u.email,
        display_name=u.display_name,
        role=Role(m.role),
        joined_at=m.created_at,
    )


@router.delete("/members/{user_id}", name="remove_member", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    user_id: uuid.UUID, request: Request, db: DbDep, ctx: UserViewerOrg
) -> None:
    """Remove a member (admins), or leave the organization (anyone, themselves). The last
    admin cannot leave or be removed."""
    if user_id != ctx.user_id and not ctx.allows(Role.ADMIN):
        raise RoleRequired(details={"required": Role.ADMIN.value, "role": ctx.role.value})
    await organizations.remove_member(db=db, organization_id=ctx.organization_id, user_id=user_id)
    await audit.record(
        db=db,
        action=AuditAction.MEMBER_REMOVED,
        organization_id=ctx.organization_id,
        user_id=ctx.user_id,
        ip=client_ip(request),
        details={"member": str(user_id)},
    )
    await db.commit()


@router.get("/invitations", name="list_invitations", response_model=InvitationList)
async def list_invitations(db: DbDep, ctx: UserAdminOrg) -> InvitationList:
    """Pending invitations (not accepted, not revoked)."""
    rows = await invitations.list_pending(db=db, organization_id=ctx.organization_id)
    return InvitationList(items=[_invitation_read(i) for i in rows])


@router.post(
    "/invitations",
    name="create_invitation",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationCreated,
)
async def create_invitation(
    body: InvitationCreate,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    jobs: JobsDep,
    ctx: UserAdminOrg,
) -> InvitationCreated:
    """Invite an email address with a role. The token is shown once; send it in the link."""
    # The link is also mailed to the address (outbox.service: dev mailbox or SMTP).
    invitation, token = await invitations.create(
        db=db,
        organization_id=ctx.organization_id,
        email=body.email,
        role=body.role,
        invited_by=ctx.user_id,
        ttl_s=_ttl(settings),
    )
    await audit.record(
        db=db,
        action=AuditAction.INVITATION_CREATED,
        organization_id=ctx.organization_id,
        user_id=ctx.user_id,
        ip=client_ip(request),
        details={"invitation": str(invitation.id), "role": body.role.value},
    )
    org = await db.get(Organization, ctx.organization_id)
    await mail.send(
        settings,
        db=db,
        to=invitation.email,
        subject=f"You are invited to {org.name if org else 'an organization'} on Troupe",
        body=invitation_body(
            settings, org_name=org.name if org else "", role=body.role, token=token
        ),
    )
    await db.commit()
    await flush(db, jobs)
    await db.refresh(invitation)
    return InvitationCreated(**_invitation_read(invitation).model_dump(), token=token)


def _ttl(settings: Settings) -> int:
    return settings.invitation_ttl_s


def invitation_url(settings: Settings, token: str) -> str:
    return f"{settings.web_url.rstrip('/')}/dashboard/invitations/accept?token={quote(token)}"


def invitation_body(settings: Settings, *, org_name: str, role: Role, token: str) -> str:
    days = max(1, round(settings.invitation_ttl_s / 86400))
    return (
        f"You are invited to join {org_name or 'an organization'} on Troupe as {role.value}.\n\n"
        f"Sign in (or create an account with this address), then open this link within "
        f"{days} day{'s' if days != 1 else ''} to accept:\n{invitation_url(settings, token)}\n\n"
        "If you did not expect this, ignore this message."
    )


@router.delete(
    "/invitations/{invitation_id}",
    name="revoke_invitation",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def revoke_invitation(
    invitation_id: uuid.UUID, request: Request, db: DbDep, ctx: UserAdminOrg
) -> None:
    await invitations.revoke(
        db=db, organization_id=ctx.organization_id, invitation_id=invitation_id
    )
    await audit.record(
        db=db,
        action=AuditAction.INVITATION_REVOKED,
        organization_id=ctx.organization_id,
        user_id=ctx.user_id,
        ip=client_ip(request),
        details={"invitation": str(invitation_id)},
    )
    await db.commit()


@router.post("/invitations/accept", name="accept_invitation", response_model=OrganizationRead)
async def accept_invitation(
    body: InvitationAccept, request: Request, db: DbDep, user: CurrentUser
) -> OrganizationRead:
    """Join the invitation's organization (the signed-in user's email must be the invited one)."""
    invitation, membership = await invitations.accept(db=db, token=body.token, user=user)
    await audit.record(
        db=db,
        action=AuditAction.INVITATION_ACCEPTED,
        organization_id=invitation.organization_id,
        user_id=user.id,
        ip=client_ip(request),
        details={"invitation": str(invitation.id), "role": invitation.role},
    )
    await db.commit()
    org = await organizations.get(db=db, organization_id=invitation.organization_id)
    assert org is not None
    return _org_read(org, Role(membership.role))
