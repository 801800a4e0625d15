"""FastAPI dependencies as ``Annotated`` aliases. The web layer's glue; services never see it."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.core.errors import RuntimeTokenInvalid
from troupe_api.core.ratelimit import RateLimiter
from troupe_api.core.settings import Settings, get_settings


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.session_factory() as session:
        yield session


def get_redis(request: Request) -> Redis:
    return request.app.state.redis  # type: ignore[no-any-return]


def get_limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[AsyncSession, Depends(get_db)]
RedisDep = Annotated[Redis, Depends(get_redis)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]

_bearer = HTTPBearer(auto_error=False, description="Bearer token")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require_runtime(settings: SettingsDep, credentials: BearerDep) -> None:
    """The agent runtime's service credential, compared in constant time."""
    presented = credentials.credentials.encode() if credentials else b""
    if not credentials or not hmac.compare_digest(presented, settings.runtime_token.encode()):
        raise RuntimeTokenInvalid()


RuntimeAuth = Depends(require_runtime)
