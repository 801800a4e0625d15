"""Invitations to an organization: created by admins, accepted by the invited (signed-in) user
with the token from the invitation link."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.auth.tokens import new_opaque_token, sha256_hex
from troupe_api.core.errors import NotFound
from troupe_api.invitations.errors import InvitationEmailMismatch, InvitationInvalid
from troupe_api.invitations.models import Invitation
from troupe_api.organizations import service as organizations
from troupe_api.organizations.errors import AlreadyMember
from troupe_api.organizations.models import Membership, Role
from troupe_api.users.models import User
from troupe_api.users.service import normalize_email

INVITATION_TOKEN_PREFIX = "inv_"


async def create(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    email: str,
    role: Role,
    invited_by: uuid.UUID | None,
    ttl_s: int,
) -> tuple[Invitation, str]:
    """The invitation and its token (returned this once; only its hash is stored)."""
    token = new_opaque_token(INVITATION_TOKEN_PREFIX)
    invitation = Invitation(
        organization_id=organization_id,
        email=normalize_email(email),
        role=role.value,
        token_hash=sha256_hex(token),
        invited_by=invited_by,
        expires_at=datetime.now(UTC) + timedelta(seconds=ttl_s),
    )
    db.add(invitation)
    await db.flush()
    return invitation, token


async def list_pending(*, db: AsyncSession, organization_id: uuid.UUID) -> list[Invitation]:
    rows = await db.scalars(
        select(Invitation)
        .where(
            Invitation.organization_id == organization_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.created_at.desc(), Invitation.id)
    )
    return list(rows)


async def revoke(
    *, db: AsyncSession, organization_id: uuid.UUID, invitation_id: uuid.UUID
) -> Invitation:
    invitation = await db.scalar(
        select(Invitation).where(
            Invitation.organization_id == organization_id, Invitation.id == invitation_id
        )
    )
    if invitation is None:
        raise NotFound("Invitation not found.")
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = datetime.now(UTC)
        await db.flush()
    return invitation


async def accept(*, db: AsyncSession, token: str, user: User) -> tuple[Invitation, Membership]:
    invitation = await db.scalar(
        select(Invitation).where(Invitation.token_hash == sha256_hex(token)).with_for_update()
    )
    now = datetime.now(UTC)
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise InvitationInvalid()
    if invitation.email != normalize_email(user.email):
        raise InvitationEmailMismatch()
    existing = await organizations.get_membership(
        db=db, organization_id=invitation.organization_id, user_id=user.id
    )
    if existing is not None:
        raise AlreadyMember()
    membership = await organizations.ensure_membership(
        db=db,
        organization_id=invitation.organization_id,
        user_id=user.id,
        role=Role(invitation.role),
    )
    invitation.accepted_at = now
    invitation.accepted_by = user.id
    await db.flush()
    return invitation, membership
