"""How tokens reach the browser: httpOnly cookies (refresh cookie only on the refresh route)
plus a readable CSRF cookie the web app echoes in ``X-Troupe-CSRF``."""

from __future__ import annotations

import secrets

from fastapi import Response

from troupe_api.auth.service import IssuedTokens
from troupe_api.core.settings import Settings
from troupe_api.deps import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE

API_COOKIE_PATH = "/api"
REFRESH_COOKIE_PATH = "/api/v1/auth/refresh"


def set_auth_cookies(response: Response, settings: Settings, tokens: IssuedTokens) -> None:
    secure = settings.secure_cookies
    response.set_cookie(
        ACCESS_COOKIE,
        tokens.access_token,
        max_age=settings.access_token_ttl_s,
        path=API_COOKIE_PATH,
        httponly=True,
        secure=secure,
        samesite="lax",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=settings.refresh_token_ttl_s,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        secure=secure,
        samesite="lax",
    )
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(24),
        max_age=settings.refresh_token_ttl_s,
        path="/",
        httponly=False,
        secure=secure,
        samesite="lax",
    )


def clear_auth_cookies(response: Response, settings: Settings) -> None:
    secure = settings.secure_cookies
    for name, path in (
        (ACCESS_COOKIE, API_COOKIE_PATH),
        (REFRESH_COOKIE, REFRESH_COOKIE_PATH),
        (CSRF_COOKIE, "/"),
    ):
        response.delete_cookie(
            name, path=path, secure=secure, httponly=name != CSRF_COOKIE, samesite="lax"
        )
