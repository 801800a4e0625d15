from __future__ import annotations

import uuid
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.users.models import User

# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def get_by_email(*, db: AsyncSession, email: str) -> User | None:
    return await db.scalar(select(User).where(User.email == normalize_email(email)))


# Stored for users who only sign in through an OAuth provider: no password verifies against it.
NO_PASSWORD = "!"


async def create(
    *,
    db: AsyncSession,
    email: str,
    password: str | None,
    display_name: str = "",
    email_verified: bool = False,
) -> User:
    """A user; ``email_verified`` when the address is already proved (OAuth, seed)."""
    user = User(
        email=normalize_email(email),
        password_hash=hash_password(password) if password is not None else NO_PASSWORD,
        display_name=display_name,
        email_verified_at=datetime.now(UTC) if email_verified else None,
    )
    db.add(user)
    await db.flush()
    return user


async def mark_email_verified(*, db: AsyncSession, user: User) -> None:
    """The user proved they receive mail at their address (kept when already set)."""
    if user.email_verified_at is None:
        user.email_verified_at = datetime.now(UTC)
        await db.flush()


async def set_password(*, db: AsyncSession, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    await db.flush()


# A real hash to verify against when the email is unknown, so both paths take as long.
_DUMMY_HASH = _hasher.hash("troupe-timing-equalizer")


def verify_password_or_dummy(user: User | None, password: str) -> bool:
    if user is None or not user.is_active:
        verify_password(_DUMMY_HASH, password)
        return False
    return verify_password(user.password_hash, password)


async def get(*, db: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await db.get(User, user_id)


async def update_profile(*, db: AsyncSession, user: User, display_name: str | None) -> User:
    if display_name is not None:
        user.display_name = display_name
    await db.flush()
    return user
