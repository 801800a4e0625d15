from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.deployments.errors import EmbedKeyInvalid, OriginNotAllowed
from troupe_api.deployments.models import EMBED_KEY_PREFIX, Deployment


def new_embed_key() -> str:
    return EMBED_KEY_PREFIX + secrets.token_urlsafe(24)


def normalize_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` lower-cased, or None when it is not an http(s) origin."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    default_port = {"http": 80, "https": 443}[parts.scheme]
    try:
        port = parts.port
    except ValueError:
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def origin_allowed(origin: str | None, allowed: Sequence[str]) -> bool:
    if "*" in allowed:
        return True
    if not origin:
        return False
    normalized = normalize_origin(origin)
    return normalized is not None and normalized in {normalize_origin(a) for a in allowed}


async def resolve_embed_key(
    *, db: AsyncSession, embed_key: str, origin: str | None, check_origin: bool = True
) -> Deployment:
    """The enabled deployment of this public key, checked against the request's Origin (not
    for a server-side start, authenticated as the deployment's organization instead).

    Public lookup: the embed key itself identifies the organization."""
    if not embed_key.startswith(EMBED_KEY_PREFIX):
        raise EmbedKeyInvalid()
    deployment = await db.scalar(
        select(Deployment).where(Deployment.embed_key == embed_key, Deployment.enabled.is_(True))
    )
    if deployment is None:
        raise EmbedKeyInvalid()
    if check_origin and not origin_allowed(origin, deployment.allowed_origins):
        raise OriginNotAllowed(details={"origin": origin})
    return deployment


async def get_by_name(
    *, db: AsyncSession, organization_id: uuid.UUID, name: str
) -> Deployment | None:
    return await db.scalar(
        select(Deployment).where(
            Deployment.organization_id == organization_id, Deployment.name == name
        )
    )


async def ensure(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    template_id: uuid.UUID,
    name: str,
    allowed_origins: Sequence[str],
) -> Deployment:
    """Create the named deployment once; later calls keep its embed key and add origins."""
    deployment = await get_by_name(db=db, organization_id=organization_id, name=name)
    if deployment is None:
        deployment = Deployment(
            organization_id=organization_id,
            template_id=template_id,
            name=name,
            embed_key=new_embed_key(),
            allowed_origins=list(dict.fromkeys(allowed_origins)),
            enabled=True,
        )
        db.add(deployment)
    else:
        deployment.template_id = template_id
        merged = list(dict.fromkeys([*deployment.allowed_origins, *allowed_origins]))
        if merged != deployment.allowed_origins:
            deployment.allowed_origins = merged
    await db.flush()
    return deployment


# --- dashboard CRUD ----------------------------------------------------------------------------


async def list_for_template(
    *, db: AsyncSession, organization_id: uuid.UUID, template_id: uuid.UUID
) -> list[Deployment]:
    rows = await db.scalars(
        select(Deployment)
        .where(Deployment.organization_id == organization_id, Deployment.template_id == template_id)
        .order_by(Deployment.created_at, Deployment.id)
    )
    return list(rows)


async def get(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    template_id: uuid.UUID,
    deployment_id: uuid.UUID,
) -> Deployment | None:
    return await db.scalar(
        select(Deployment).where(
            Deployment.organization_id == organization_id,
            Deployment.template_id == template_id,
            Deployment.id == deployment_id,
        )
    )


def clean_origins(origins: Sequence[str]) -> list[str]:
    """Normalised, de-duplicated origins; ``*`` kept as is. Raises ValueError on a bad one."""
    out: list[str] = []
    for origin in origins:
        value = "*" if origin.strip() == "*" else normalize_origin(origin)
        if value is None:
            raise ValueError(origin)
        if value not in out:
            out.append(value)
    return out


async def create(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    template_id: uuid.UUID,
    name: str,
    allowed_origins: Sequence[str],
    enabled: bool,
) -> Deployment:
    deployment = Deployment(
        organization_id=organization_id,
        template_id=template_id,
        name=name,
        embed_key=new_embed_key(),
        allowed_origins=list(allowed_origins),
        enabled=enabled,
    )
    db.add(deployment)
    await db.flush()
    return deployment


async def rotate_key(*, db: AsyncSession, deployment: Deployment) -> Deployment:
    deployment.embed_key = new_embed_key()
    await db.flush()
    return deployment


async def origins_allowed_anywhere(*, db: AsyncSession, origin: str) -> bool:
    """Whether any enabled deployment lets this origin start sessions (CORS preflight: the
    browser sends no body, so the embed key is not known yet)."""
    normalized = normalize_origin(origin)
    if normalized is None:
        return False
    found = await db.scalar(
        select(Deployment.id)
        .where(
            Deployment.enabled.is_(True),
            Deployment.allowed_origins.overlap([normalized, "*"]),
        )
        .limit(1)
    )
    return found is not None


async def get_enabled_by_key(*, db: AsyncSession, embed_key: str) -> Deployment | None:
    return await db.scalar(
        select(Deployment).where(Deployment.embed_key == embed_key, Deployment.enabled.is_(True))
    )
