"""Sign-up, sign-in and the refresh-token lifecycle (rotation, reuse detection, revocation)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.auth.models import OAuthAccount, RefreshToken
from troupe_api.auth.tokens import (
    REFRESH_TOKEN_PREFIX,
    mint_access_token,
    new_opaque_token,
    sha256_hex,
)
from troupe_api.core.errors import (
    InvalidCredentials,
    OAuthFailed,
    RefreshTokenReused,
    TokenExpired,
    TokenInvalid,
    TokenRevoked,
)
from troupe_api.core.settings import Settings
from troupe_api.organizations import service as organizations
from troupe_api.organizations.models import Organization
from troupe_api.users import service as users
from troupe_api.users.errors import EmailTaken
from troupe_api.users.models import User


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    family_id: uuid.UUID
    user_id: uuid.UUID


def _now() -> datetime:
    return datetime.now(UTC)


async def _issue(
    *, db: AsyncSession, settings: Settings, user_id: uuid.UUID, family_id: uuid.UUID
) -> IssuedTokens:
    refresh = new_opaque_token(REFRESH_TOKEN_PREFIX)
    refresh_expires = _now() + timedelta(seconds=settings.refresh_token_ttl_s)
    db.add(
        RefreshToken(
            user_id=user_id,
            family_id=family_id,
            token_hash=sha256_hex(refresh),
            expires_at=refresh_expires,
        )
    )
    await db.flush()
    access, access_expires = mint_access_token(settings, user_id=user_id, family_id=family_id)
    return IssuedTokens(access, access_expires, refresh, refresh_expires, family_id, user_id)


async def start_session(
    *, db: AsyncSession, settings: Settings, user_id: uuid.UUID
) -> IssuedTokens:
    """A new sign-in: a new refresh-token family."""
    return await _issue(db=db, settings=settings, user_id=user_id, family_id=uuid.uuid4())


async def register(
    *,
    db: AsyncSession,
    email: str,
    password: str,
    display_name: str,
    organization_name: str,
    ip: str | None,
    trial_days: int,
) -> tuple[User, Organization]:
    if await users.get_by_email(db=db, email=email) is not None:
        raise EmailTaken()
    user = await users.create(db=db, email=email, password=password, display_name=display_name)
    org = await organizations.create_with_admin(
        db=db, name=organization_name, user_id=user.id, trial_days=trial_days
    )
    await audit.record(
        db=db, action=AuditAction.REGISTERED, organization_id=org.id, user_id=user.id, ip=ip
    )
    return user, org


async def authenticate_password(
    *, db: AsyncSession, email: str, password: str, ip: str | None
) -> User:
    user = await users.get_by_email(db=db, email=email)
    if not users.verify_password_or_dummy(user, password):
        await audit.record(
            db=db,
            action=AuditAction.LOGIN_FAILED,
            user_id=user.id if user else None,
            ip=ip,
            details={"method": "password"},
        )
        raise InvalidCredentials()
    assert user is not None
    await audit.record(
        db=db,
        action=AuditAction.LOGIN_SUCCEEDED,
        user_id=user.id,
        ip=ip,
        details={"method": "password"},
    )
    return user


async def rotate(
    *, db: AsyncSession, settings: Settings, refresh_token: str, ip: str | None
) -> IssuedTokens:
    """Exchange a refresh token for a new pair. A token presented twice is a theft signal:
    the whole family is revoked (the caller must commit even though this raises)."""
    row = await db.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == sha256_hex(refresh_token))
    )
    if row is None:
        raise TokenInvalid()
    if row.revoked_at is not None:
        raise TokenRevoked()
    now = _now()
    if row.expires_at <= now:
        raise TokenExpired()
    claimed = await db.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        await revoke_family(db=db, family_id=row.family_id)
        await audit.record(
            db=db,
            action=AuditAction.REFRESH_REUSE_DETECTED,
            user_id=row.user_id,
            ip=ip,
            details={"family_id": str(row.family_id)},
        )
        raise RefreshTokenReused()
    user = await users.get(db=db, user_id=row.user_id)
    if user is None or not user.is_active:
        raise TokenRevoked()
    return await _issue(db=db, settings=settings, user_id=row.user_id, family_id=row.family_id)


async def revoke_family(*, db: AsyncSession, family_id: uuid.UUID) -> None:
    await db.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=_now())
        .execution_options(synchronize_session=False)
    )


async def revoke_all(
    *, db: AsyncSession, user_id: uuid.UUID, except_family: uuid.UUID | None = None
) -> None:
    query = update(RefreshToken).where(
        RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
    )
    if except_family is not None:
        query = query.where(RefreshToken.family_id != except_family)
    await db.execute(query.values(revoked_at=_now()).execution_options(synchronize_session=False))


async def family_is_live(*, db: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Access tokens die with their family (logout, logout everywhere, reuse detection)."""
    found = await db.scalar(
        select(RefreshToken.id)
        .where(
            RefreshToken.family_id == family_id,
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


async def change_password(
    *,
    db: AsyncSession,
    user: User,
    current_password: str,
    new_password: str,
    keep_family: uuid.UUID | None,
    ip: str | None,
) -> None:
    """Set a new password and sign out every other session of the user."""
    if not users.verify_password(user.password_hash, current_password):
        raise InvalidCredentials("The current password is wrong.")
    await users.set_password(db=db, user=user, password=new_password)
    await revoke_all(db=db, user_id=user.id, except_family=keep_family)
    await audit.record(db=db, action=AuditAction.PASSWORD_CHANGED, user_id=user.id, ip=ip)


async def sign_in_oauth(
    *,
    db: AsyncSession,
    provider: str,
    subject: str,
    email: str,
    email_verified: bool,
    display_name: str,
    ip: str | None,
    trial_days: int,
) -> User:
    """The user linked to this provider identity; else the user with this (verified) email,
    now linked; else a new user with their own organization."""
    account = await db.scalar(
        select(OAuthAccount).where(
            OAuthAccount.provider == provider, OAuthAccount.subject == subject
        )
    )
    if account is not None:
        user = await users.get(db=db, user_id=account.user_id)
        if user is None or not user.is_active:
            raise OAuthFailed("This account is disabled.")
    else:
        if not email_verified or not email:
            raise OAuthFailed("The provider did not confirm a verified email address.")
        user = await users.get_by_email(db=db, email=email)
        if user is None:
            user = await users.create(
                db=db, email=email, password=None, display_name=display_name, email_verified=True
            )
            org_name = f"{display_name or email.split('@')[0]}'s organization"
            await organizations.create_with_admin(
                db=db, name=org_name[:200], user_id=user.id, trial_days=trial_days
            )
        elif not user.is_active:
            raise OAuthFailed("This account is disabled.")
        else:  # the provider confirmed the address this password account registered with
            await users.mark_email_verified(db=db, user=user)
        db.add(
            OAuthAccount(
                user_id=user.id,
                provider=provider,
                subject=subject,
                email=users.normalize_email(email),
            )
        )
        await db.flush()
        await audit.record(
            db=db,
            action=AuditAction.OAUTH_LINKED,
            user_id=user.id,
            ip=ip,
            details={"provider": provider},
        )
    await audit.record(
        db=db,
        action=AuditAction.LOGIN_SUCCEEDED,
        user_id=user.id,
        ip=ip,
        details={"method": f"oauth:{provider}"},
    )
    return user
