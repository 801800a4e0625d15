from __future__ import annotations

from troupe_api.auth.schemas import UserRead
from troupe_api.users.models import User


def user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        created_at=user.created_at,
        email_verified_at=user.email_verified_at,
    )
