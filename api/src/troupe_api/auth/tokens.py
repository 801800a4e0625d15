"""Access tokens: JWTs signed by the configured keyring, verified strictly with PyJWT.

Every key pins its algorithm: a token is verified only with the key its ``kid`` names and only
with that key's algorithm, so ``alg: none`` and HS/RS confusion (an RS public key used as an HMAC
secret) cannot verify. Retired keys and unknown kids are refused. Refresh tokens are opaque
random strings (stored as sha256), not JWTs."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from troupe_api.core.errors import TokenExpired, TokenInvalid
from troupe_api.core.settings import JwtKey, Settings

DEFAULT_KID = "default"
ACCESS_TOKEN_TYPE = "access"
REFRESH_TOKEN_PREFIX = "rt_"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "nbf", "iat", "jti", "fam", "typ"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    family_id: uuid.UUID
    expires_at: datetime


def keyring(settings: Settings) -> list[JwtKey]:
    if settings.jwt_keys:
        return list(settings.jwt_keys)
    return [JwtKey(kid=DEFAULT_KID, alg="HS256", secret=settings.jwt_secret)]


def signing_key(settings: Settings) -> JwtKey:
    keys = keyring(settings)
    if settings.jwt_active_kid:
        for key in keys:
            if key.kid == settings.jwt_active_kid and not key.retired:
                return key
        raise ValueError(f"TROUPE_JWT_ACTIVE_KID {settings.jwt_active_kid!r} is not a live key")
    for key in keys:
        if not key.retired:
            return key
    raise ValueError("TROUPE_JWT_KEYS has no key that is not retired")


def mint_access_token(
    settings: Settings, *, user_id: uuid.UUID, family_id: uuid.UUID, now: datetime | None = None
) -> tuple[str, datetime]:
    key = signing_key(settings)
    issued = now or datetime.now(UTC)
    expires = issued + timedelta(seconds=settings.access_token_ttl_s)
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "iat": issued,
        "nbf": issued,
        "exp": expires,
        "jti": uuid.uuid4().hex,
        "fam": str(family_id),
        "typ": ACCESS_TOKEN_TYPE,
    }
    material = key.secret if key.alg == "HS256" else key.private_key
    if not material:
        raise ValueError(f"jwt key {key.kid} has no private key to sign with")
    token = jwt.encode(claims, material, algorithm=key.alg, headers={"kid": key.kid})
    return token, expires


def verify_access_token(settings: Settings, token: str) -> AccessClaims:
    """Claims of a valid access token; raises ``TokenExpired`` or ``TokenInvalid``."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenInvalid() from exc
    kid = header.get("kid")
    key = next((k for k in keyring(settings) if k.kid == kid and not k.retired), None)
    if key is None or header.get("alg") != key.alg:
        raise TokenInvalid()
    material = key.secret if key.alg == "HS256" else key.public_key
    if not material:
        raise TokenInvalid()
    try:
        claims = jwt.decode(
            token,
            material,
            algorithms=[key.alg],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": REQUIRED_CLAIMS, "strict_aud": True},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired() from exc
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise TokenInvalid() from exc
    if claims.get("typ") != ACCESS_TOKEN_TYPE:
        raise TokenInvalid()
    try:
        return AccessClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            family_id=uuid.UUID(str(claims["fam"])),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except (ValueError, TypeError) as exc:
        raise TokenInvalid() from exc


def new_opaque_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
