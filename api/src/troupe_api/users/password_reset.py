"""Forgotten password: a request mails a one-time, expiring link to the account's address
(nothing tells the requester whether an account exists), and the link's token sets a new
password and signs out every session of the user. Pending resets live in Redis with a TTL,
keyed by the token's hash; a new request replaces the previous link."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.auth import service as auth
from troupe_api.auth.tokens import new_opaque_token, sha256_hex
from troupe_api.core.settings import Settings
from troupe_api.outbox import service as mail
from troupe_api.users import service as users
from troupe_api.users.errors import PasswordResetInvalid
from troupe_api.users.models import User

TOKEN_PREFIX = "tpr_"
TTL_S = 3600


def _token_key(token_hash: str) -> str:
    return f"troupe:password_reset:{token_hash}"


def _user_key(user_id: uuid.UUID) -> str:
    return f"troupe:password_reset_user:{user_id}"


def _fingerprint(user: User) -> str:
    """Ties a link to the password it replaces: once the password changes, the link is dead."""
    return sha256_hex(user.password_hash)


def reset_url(settings: Settings, token: str) -> str:
    return f"{settings.web_url.rstrip('/')}/reset-password?token={quote(token)}"


async def request_reset(
    *, db: AsyncSession, redis: Redis, settings: Settings, email: str, ip: str | None
) -> None:
    """Mail a reset link when an active account has this address; otherwise do nothing (the
    caller answers the same either way)."""
    user = await users.get_by_email(db=db, email=email)
    if user is None or not user.is_active:
        return
    token = new_opaque_token(TOKEN_PREFIX)
    token_hash = sha256_hex(token)
    previous = await redis.getdel(_user_key(user.id))
    if previous:
        await redis.delete(_token_key(str(previous)))
    payload = {"user_id": str(user.id), "email": user.email, "password": _fingerprint(user)}
    await redis.set(_token_key(token_hash), json.dumps(payload), ex=TTL_S)
    await redis.set(_user_key(user.id), token_hash, ex=TTL_S)
    await mail.send(
        settings,
        db=db,
        to=user.email,
        subject="Reset your Troupe password",
        body=(
            "Someone (hopefully you) asked to reset the password of the Troupe account "
            f"{user.email}.\n\n"
            f"Open this link within one hour to choose a new password:\n"
            f"{reset_url(settings, token)}\n\n"
            "The link works once. If you did not ask for this, ignore this message: your "
            "password stays as it is."
        ),
    )
    await audit.record(
        db=db, action=AuditAction.PASSWORD_RESET_REQUESTED, user_id=user.id, ip=ip, details={}
    )


async def confirm_reset(
    *, db: AsyncSession, redis: Redis, token: str, password: str, ip: str | None
) -> User:
    """Use the link's token (once): set the new password and revoke every session."""
    stored = await redis.getdel(_token_key(sha256_hex(token)))
    if not stored:
        raise PasswordResetInvalid()
    payload = json.loads(stored)
    user = await users.get(db=db, user_id=uuid.UUID(payload["user_id"]))
    if (
        user is None
        or not user.is_active
        or user.email != payload["email"]
        or _fingerprint(user) != payload["password"]
    ):
        raise PasswordResetInvalid()
    await redis.delete(_user_key(user.id))
    await users.set_password(db=db, user=user, password=password)
    await auth.revoke_all(db=db, user_id=user.id)
    await audit.record(db=db, action=AuditAction.PASSWORD_RESET, user_id=user.id, ip=ip)
    return user
