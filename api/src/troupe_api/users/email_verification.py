"""E-mail verification: a password sign-up is mailed a one-time link (valid one day) that
proves the account receives mail at its address (``email_verified_at``; nothing is gated on
it yet: ``require_verified`` raises 403 ``email_not_verified`` for the routes that will). OAuth
sign-ins, confirmed e-mail changes and the seeded demo user count as verified. Pending links
live in Redis with a TTL, keyed by the token's hash; a new link replaces the previous one."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.auth.tokens import new_opaque_token, sha256_hex
from troupe_api.core.settings import Settings
from troupe_api.outbox import service as mail
from troupe_api.users import service as users
from troupe_api.users.errors import EmailNotVerified, EmailVerificationInvalid
from troupe_api.users.models import User

TOKEN_PREFIX = "tev_"
TTL_S = 24 * 3600


def _token_key(token_hash: str) -> str:
    return f"troupe:email_verification:{token_hash}"


def _user_key(user_id: uuid.UUID) -> str:
    return f"troupe:email_verification_user:{user_id}"


def verify_url(settings: Settings, token: str) -> str:
    return f"{settings.web_url.rstrip('/')}/verify-email?token={quote(token)}"


def require_verified(user: User) -> None:
    """Refuse an action an unverified account may not take."""
    if user.email_verified_at is None:
        raise EmailNotVerified()


async def send_link(*, db: AsyncSession, redis: Redis, settings: Settings, user: User) -> bool:
    """Mail a fresh verification link (the previous one stops working). False, and nothing
    sent, when the address is already verified."""
    if user.email_verified_at is not None:
        return False
    token = new_opaque_token(TOKEN_PREFIX)
    token_hash = sha256_hex(token)
    previous = await redis.getdel(_user_key(user.id))
    if previous:
        await redis.delete(_token_key(str(previous)))
    payload = {"user_id": str(user.id), "email": user.email}
    await redis.set(_token_key(token_hash), json.dumps(payload), ex=TTL_S)
    await redis.set(_user_key(user.id), token_hash, ex=TTL_S)
    await mail.send(
        settings,
        db=db,
        to=user.email,
        subject="Verify your Troupe e-mail address",
        body=(
            f"Welcome to Troupe. Please confirm that {user.email} is your address by opening "
            f"this link within 24 hours:\n{verify_url(settings, token)}\n\n"
            "If you did not sign up, ignore this message."
        ),
    )
    return True


async def confirm(*, db: AsyncSession, redis: Redis, token: str, ip: str | None) -> User:
    """Use the link's token (once): the account's address is verified. A link mailed to an
    address the account no longer has is refused."""
    stored = await redis.getdel(_token_key(sha256_hex(token)))
    if not stored:
        raise EmailVerificationInvalid()
    payload = json.loads(stored)
    user = await users.get(db=db, user_id=uuid.UUID(payload["user_id"]))
    if user is None or not user.is_active or user.email != payload["email"]:
        raise EmailVerificationInvalid()
    await redis.delete(_user_key(user.id))
    if user.email_verified_at is None:
        await users.mark_email_verified(db=db, user=user)
        await audit.record(db=db, action=AuditAction.EMAIL_VERIFIED, user_id=user.id, ip=ip)
    return user
