"""FastAPI dependencies as ``Annotated`` aliases. The web layer's glue; services never see it."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.apikeys import service as apikeys
from troupe_api.apikeys.models import API_KEY_PREFIX, ApiKey
from troupe_api.auth import service as auth
from troupe_api.auth.tokens import verify_access_token
from troupe_api.core.errors import (
    AuthenticationRequired,
    CsrfFailed,
    NoOrganization,
    NotOrgMember,
    RoleRequired,
    RuntimeTokenInvalid,
    ScopeRequired,
    TokenInvalid,
    TokenRevoked,
    UserRequired,
)
from troupe_api.core.logging import bind_context
from troupe_api.core.ratelimit import RateLimiter
from troupe_api.core.settings import Settings, get_settings
from troupe_api.jobs.queue import JobQueue
from troupe_api.organizations import service as organizations
from troupe_api.organizations.models import Role
from troupe_api.users import service as users
from troupe_api.users.models import User


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.session_factory() as session:
        yield session


def get_redis(request: Request) -> Redis:
    return request.app.state.redis  # type: ignore[no-any-return]


def get_limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter  # type: ignore[no-any-return]


def get_jobs(request: Request) -> JobQueue:
    return request.app.state.jobs  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[AsyncSession, Depends(get_db)]
RedisDep = Annotated[Redis, Depends(get_redis)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
JobsDep = Annotated[JobQueue, Depends(get_jobs)]

_bearer = HTTPBearer(auto_error=False, description="Bearer token")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require_runtime(settings: SettingsDep, credentials: BearerDep) -> None:
    """The agent runtime's service credential, compared in constant time."""
    presented = credentials.credentials.encode() if credentials else b""
    if not credentials or not hmac.compare_digest(presented, settings.runtime_token.encode()):
        raise RuntimeTokenInvalid()


RuntimeAuth = Depends(require_runtime)


# --- identity: who is calling, in which organization, with which role ------------------------
# Cookie names and the CSRF header are documented in api/README.md ("Auth for the web app").

ACCESS_COOKIE = "troupe_access"
REFRESH_COOKIE = "troupe_refresh"
CSRF_COOKIE = "troupe_csrf"
CSRF_HEADER = "X-Troupe-CSRF"
ORG_HEADER = "X-Troupe-Org"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Which API-key scope family a router tag belongs to; tags not listed refuse API keys.
TAG_SCOPES: dict[str, str] = {
    "agents": "agents",
    "agent-sets": "agents",
    "agent_sets": "agents",
    "tools": "agents",
    "knowledge": "agents",
    "templates": "templates",
    "deployments": "templates",
    "sessions": "sessions",
    "usage": "usage",
    "webhook-endpoints": "sessions",
    "simulations": "templates",
}


@dataclass(frozen=True)
class Principal:
    """A signed-in user (access token from a cookie or bearer) or an organization API key."""

    user: User | None = None
    api_key: ApiKey | None = None
    family_id: uuid.UUID | None = None
    via_cookie: bool = False

    @property
    def label(self) -> str:
        if self.api_key is not None:
            return f"api_key:{self.api_key.id}"
        assert self.user is not None
        return f"user:{self.user.id}"


@dataclass(frozen=True)
class OrgContext:
    organization_id: uuid.UUID
    role: Role
    principal: str = "anonymous"
    """``user:<id>`` or ``api_key:<id>``; for audit fields."""
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    scopes: frozenset[str] | None = None
    """An API key's scopes; None for users (their role decides)."""

    def allows(self, role: Role) -> bool:
        return organizations.role_at_least(self.role.value, role)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def check_csrf(request: Request) -> None:
    """Double submit: cookie-authenticated unsafe requests echo the ``troupe_csrf`` cookie in
    ``X-Troupe-CSRF``. A cross-site page can make the browser send cookies but can neither read
    the cookie nor set a custom header without a CORS preflight we do not grant."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), header.encode()):
        raise CsrfFailed()


async def _limit(limiter: RateLimiter, response: Response, limit: str, *identifiers: str) -> None:
    status = await limiter.hit(limit, *identifiers)
    if status is None:
        return
    current = response.headers.get("RateLimit-Remaining")
    if current is None or status.remaining <= int(current):
        response.headers.update(status.headers())


async def authenticate(request: Request, db: AsyncSession, settings: Settings) -> Principal | None:
    """The caller, or None when no credential was presented. Bearer (API key or access token)
    wins over the cookie. Raises 401 for presented-but-bad credentials, 403 for a missing
    CSRF header on cookie-authenticated writes."""
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    via_cookie = False
    if scheme.lower() == "bearer" and presented.strip():
        token = presented.strip()
    elif header:
        raise TokenInvalid()
    elif cookie := request.cookies.get(ACCESS_COOKIE):
        token, via_cookie = cookie, True
        check_csrf(request)
    else:
        return None
    if token.startswith(API_KEY_PREFIX):
        key = await apikeys.authenticate(db=db, presented=token)
        await db.commit()  # last_used_at
        return Principal(api_key=key)
    claims = verify_access_token(settings, token)
    if not await auth.family_is_live(db=db, family_id=claims.family_id, user_id=claims.user_id):
        raise TokenRevoked()
    user = await users.get(db=db, user_id=claims.user_id)
    if user is None or not user.is_active:
        raise TokenRevoked()
    bind_context(user_id=user.id)
    return Principal(user=user, family_id=claims.family_id, via_cookie=via_cookie)


async def get_optional_principal(
    request: Request, response: Response, db: DbDep, settings: SettingsDep, limiter: LimiterDep
) -> Principal | None:
    principal = await authenticate(request, db, settings)
    if principal is not None:
        if principal.api_key is not None:
            await _limit(limiter, response, settings.rate_limit_api_key, "key", principal.label)
        else:
            await _limit(limiter, response, settings.rate_limit_user, "user", principal.label)
    return principal


async def get_principal(
    principal: Annotated[Principal | None, Depends(get_optional_principal)],
) -> Principal:
    if principal is None:
        raise AuthenticationRequired()
    return principal


async def get_current_user(principal: Annotated[Principal, Depends(get_principal)]) -> User:
    if principal.user is None:
        raise UserRequired()
    return principal.user


OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
CurrentUser = Annotated[User, Depends(get_current_user)]


async def resolve_org_context(
    *, db: AsyncSession, principal: Principal, requested: str | None
) -> OrgContext:
    """The organization a request acts in: ``X-Troupe-Org`` (id or slug) or the user's first
    membership; an API key is bound to its own organization."""
    if principal.api_key is not None:
        key = principal.api_key
        if requested and requested not in (str(key.organization_id),):
            org = await _find_org(db, requested)
            if org is None or org != key.organization_id:
                raise NotOrgMember()
        return OrgContext(
            organization_id=key.organization_id,
            role=Role.VIEWER,
            principal=principal.label,
            api_key_id=key.id,
            scopes=frozenset(key.scopes),
        )
    assert principal.user is not None
    memberships = await organizations.memberships_of_user(db=db, user_id=principal.user.id)
    if not memberships:
        raise NoOrganization()
    if requested:
        org_id = await _find_org(db, requested)
        chosen = next((m for m, _ in memberships if m.organization_id == org_id), None)
        if chosen is None:
            raise NotOrgMember()
    else:
        chosen = memberships[0][0]
    return OrgContext(
        organization_id=chosen.organization_id,
        role=Role(chosen.role),
        principal=principal.label,
        user_id=principal.user.id,
    )


async def _find_org(db: AsyncSession, requested: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(requested)
    except ValueError:
        org = await organizations.get_by_slug(db=db, slug=requested)
        return org.id if org else None


async def get_org_context(
    response: Response,
    db: DbDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    principal: PrincipalDep,
    org: Annotated[str | None, Header(alias=ORG_HEADER)] = None,
) -> OrgContext:
    ctx = await resolve_org_context(db=db, principal=principal, requested=org)
    bind_context(org_id=ctx.organization_id)
    await _limit(limiter, response, settings.rate_limit_org, "org", str(ctx.organization_id))
    return ctx


CurrentOrg = Annotated[OrgContext, Depends(get_org_context)]


def required_scope(request: Request) -> str | None:
    """``<family>:read`` for safe methods, ``<family>:write`` otherwise, from the route's tag."""
    route = request.scope.get("route")
    tags = getattr(route, "tags", None) or []
    family = next((TAG_SCOPES[t] for t in tags if t in TAG_SCOPES), None)
    if family is None:
        return None
    return f"{family}:{'read' if request.method in SAFE_METHODS else 'write'}"


def authorize(ctx: OrgContext, request: Request, role: Role) -> OrgContext:
    if ctx.scopes is not None:
        # API keys: never for admin work; otherwise the scope named by the route's tag.
        scope = required_scope(request)
        if role == Role.ADMIN or scope is None:
            raise UserRequired()
        if scope not in ctx.scopes:
            raise ScopeRequired(details={"required": scope})
        return ctx
    if not ctx.allows(role):
        raise RoleRequired(details={"required": role.value, "role": ctx.role.value})
    return ctx


def require_role(role: Role) -> Callable[..., Coroutine[Any, Any, OrgContext]]:
    """Dependency: the caller's org context, refused with ``role_required`` below ``role``
    (API keys: ``scope_required`` without the route's scope, ``user_required`` for admin)."""

    async def check(ctx: CurrentOrg, request: Request) -> OrgContext:
        return authorize(ctx, request, role)

    return check


def require_user_role(role: Role) -> Callable[..., Coroutine[Any, Any, OrgContext]]:
    """Like ``require_role`` but for identity management: signed-in users only."""

    async def check(ctx: CurrentOrg) -> OrgContext:
        if ctx.scopes is not None:
            raise UserRequired()
        if not ctx.allows(role):
            raise RoleRequired(details={"required": role.value, "role": ctx.role.value})
        return ctx

    return check


ViewerOrg = Annotated[OrgContext, Depends(require_role(Role.VIEWER))]
MemberOrg = Annotated[OrgContext, Depends(require_role(Role.MEMBER))]
AdminOrg = Annotated[OrgContext, Depends(require_role(Role.ADMIN))]
UserViewerOrg = Annotated[OrgContext, Depends(require_user_role(Role.VIEWER))]
UserAdminOrg = Annotated[OrgContext, Depends(require_user_role(Role.ADMIN))]
