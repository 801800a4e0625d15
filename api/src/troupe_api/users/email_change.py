"""Change of a user's email address, confirmed from the new address: a request mails a
one-time link (to the new address; a notice goes to the old one) and only opening it changes
the address. Pending changes live in Redis with a TTL; a new request replaces the old link."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.auth.tokens import new_opaque_token, sha256_hex
from troupe_api.core.errors import InvalidCredentials, ValidationFailed
from troupe_api.core.settings import Settings
from troupe_api.outbox import service as mail
from troupe_api.users import service as users
from troupe_api.users.errors import EmailChangeInvalid, EmailTaken
from troupe_api.users.models import User

TOKEN_PREFIX = "tec_"
TTL_S = 24 * 3600


def _token_key(token_hash: str) -> str:
    return f"troupe:email_change:{token_hash}"


def _user_key(user_id: uuid.UUID) -> str:
    return f"troupe:email_change_user:{user_id}"


def confirm_url(settings: Settings, token: str) -> str:
    return f"{settings.web_url.rstrip('/')}/confirm-email?token={quote(token)}"


async def request_change(
    *,
    db: AsyncSession,
    redis: Redis,
    settings: Settings,
    user: User,
    new_email: str,
    current_password: str,
    ip: str | None,
) -> tuple[str, datetime]:
    """Check the password and that the address is free, then mail the confirmation link."""
    if not users.verify_password(user.password_hash, current_password):
        raise InvalidCredentials("The current password is wrong.")
    email = users.normalize_email(new_email)
    if email == user.email:
        raise ValidationFailed("That is already your email address.")
    if await users.get_by_email(db=db, email=email) is not None:
        raise EmailTaken()
    token = new_opaque_token(TOKEN_PREFIX)
    token_hash = sha256_hex(token)
    previous = await redis.get(_user_key(user.id))
    if previous:
        await redis.delete(_token_key(json.loads(previous)["token_hash"]))
    payload = {"user_id": str(user.id), "email": email, "from": user.email}
    await redis.set(_token_key(token_hash), json.dumps(payload), ex=TTL_S)
    await redis.set(
        _user_key(user.id), json.dumps({"token_hash": token_hash, "email": email}), ex=TTL_S
    )
    expires_at = datetime.now(UTC) + timedelta(seconds=TTL_S)
    await mail.send(
        settings,
        db=db,
        to=email,
        subject="Confirm your new Troupe email address",
        body=(
            f"Someone (hopefully you) asked to change the email address of a Troupe account "
            f"from {user.email} to {email}.\n\n"
            f"Open this link within 24 hours to confirm:\n{confirm_url(settings, token)}\n\n"
            "If you did not ask for this, ignore this message."
        ),
    )
    await mail.send(
        settings,
        db=db,
        to=user.email,
        subject="Your Troupe email address is about to change",
        body=(
            f"A change of your account's email address to {email} was requested. It takes "
            "effect only when confirmed from the new address. If this was not you, change your "
            "password and sign out everywhere."
        ),
    )
    await audit.record(
        db=db, action=AuditAction.EMAIL_CHANGE_REQUESTED, user_id=user.id, ip=ip, details={}
    )
    return email, expires_at


async def pending(*, redis: Redis, user_id: uuid.UUID) -> str | None:
    stored = await redis.get(_user_key(user_id))
    return str(json.loads(stored)["email"]) if stored else None


async def cancel(*, redis: Redis, user_id: uuid.UUID) -> None:
    stored = await redis.getdel(_user_key(user_id))
    if stored:
        await redis.delete(_token_key(json.loads(stored)["token_hash"]))


async def confirm(*, db: AsyncSession, redis: Redis, token: str, ip: str | None) -> User:
    """Use the link's token (once): the user's address becomes the new one."""
    stored = await redis.getdel(_token_key(sha256_hex(token)))
    if not stored:
        raise EmailChangeInvalid()
    payload = json.loads(stored)
    user = await users.get(db=db, user_id=uuid.UUID(payload["user_id"]))
    if user is None or not user.is_active or user.email != payload["from"]:
        raise EmailChangeInvalid()
    await redis.delete(_user_key(user.id))
    if await users.get_by_email(db=db, email=payload["email"]) is not None:
        raise EmailTaken()
    previous = user.email
    user.email = payload["email"]
    user.email_verified_at = datetime.now(UTC)  # the link reached the new address
    await db.flush()
    await audit.record(
        db=db,
        action=AuditAction.EMAIL_CHANGED,
        user_id=user.id,
        ip=ip,
        details={"from": previous, "to": user.email},
    )
    return user
