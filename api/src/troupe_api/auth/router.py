"""Sign-up, sign-in, token refresh, sign-out and OAuth sign-in."""

from __future__ import annotations

import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from troupe_api.audit import service as audit
from troupe_api.audit.models import AuditAction
from troupe_api.auth import oauth
from troupe_api.auth import service as auth
from troupe_api.auth.cookies import clear_auth_cookies, set_auth_cookies
from troupe_api.auth.schemas import (
    AuthResponse,
    EmailChangeConfirm,
    EmailChanged,
    EmailVerificationConfirm,
    EmailVerificationSent,
    EmailVerified,
    LoginRequest,
    OAuthProviderList,
    OAuthProviderRead,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
)
from troupe_api.auth.service import IssuedTokens
from troupe_api.core.errors import AuthenticationRequired, OAuthFailed, TroupeError
from troupe_api.core.settings import Settings
from troupe_api.deps import (
    REFRESH_COOKIE,
    CurrentUser,
    DbDep,
    LimiterDep,
    PrincipalDep,
    RedisDep,
    SettingsDep,
    check_csrf,
    client_ip,
)
from troupe_api.users import email_change, email_verification, password_reset
from troupe_api.users import service as users
from troupe_api.users.models import User
from troupe_api.users.schemas import user_read

router = APIRouter(prefix="/auth", tags=["auth"])

OAUTH_STATE_COOKIE = "troupe_oauth_state"
OAUTH_STATE_TTL_S = 600
OAUTH_COOKIE_PATH = "/api/v1/auth/oauth"


def _respond(
    response: Response, settings: Settings, user: User, tokens: IssuedTokens, delivery: str
) -> AuthResponse:
    result = AuthResponse(user=user_read(user), access_expires_at=tokens.access_expires_at)
    if delivery == "cookie":
        set_auth_cookies(response, settings, tokens)
    else:
        result.access_token = tokens.access_token
        result.refresh_token = tokens.refresh_token
    return result


async def _limit_auth(
    limiter: LimiterDep, settings: Settings, request: Request, email: str | None
) -> None:
    await limiter.hit(settings.rate_limit_auth_ip, "auth_ip", client_ip(request) or "unknown")
    if email:
        await limiter.hit(
            settings.rate_limit_auth_email, "auth_email", users.normalize_email(email)
        )


@router.post(
    "/register", name="register", status_code=status.HTTP_201_CREATED, response_model=AuthResponse
)
async def register(
    body: RegisterRequest,
    request: Request,
    response: Response,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> AuthResponse:
    """Create a user and their first organization (the user is its admin), sign in, and mail
    a link that verifies the address."""
    await _limit_auth(limiter, settings, request, body.email)
    user, _ = await auth.register(
        db=db,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        organization_name=body.organization_name,
        ip=client_ip(request),
        trial_days=settings.trial_days,
    )
    await email_verification.send_link(db=db, redis=redis, settings=settings, user=user)
    tokens = await auth.start_session(db=db, settings=settings, user_id=user.id)
    await db.commit()
    return _respond(response, settings, user, tokens, body.delivery)


@router.post("/login", name="login", response_model=AuthResponse)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    db: DbDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> AuthResponse:
    """Sign in with email and password. Rate limited per client address and per email."""
    await _limit_auth(limiter, settings, request, body.email)
    try:
        user = await auth.authenticate_password(
            db=db, email=body.email, password=body.password, ip=client_ip(request)
        )
    except TroupeError:
        await db.commit()  # keep the login_failed audit event
        raise
    tokens = await auth.start_session(db=db, settings=settings, user_id=user.id)
    await db.commit()
    return _respond(response, settings, user, tokens, body.delivery)


@router.post("/refresh", name="refresh", response_model=AuthResponse)
async def refresh(
    request: Request,
    response: Response,
    db: DbDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    body: RefreshRequest | None = None,
) -> AuthResponse:
    """Rotate a refresh token (body for API clients, else the ``troupe_refresh`` cookie with
    the CSRF header). A refresh token used twice revokes its whole family."""
    await _limit_auth(limiter, settings, request, None)
    if body is not None and body.refresh_token:
        presented, delivery = body.refresh_token, "body"
    elif cookie := request.cookies.get(REFRESH_COOKIE):
        check_csrf(request)
        presented, delivery = cookie, "cookie"
    else:
        raise AuthenticationRequired("A refresh token is required.")
    try:
        tokens = await auth.rotate(
            db=db, settings=settings, refresh_token=presented, ip=client_ip(request)
        )
    except TroupeError:
        await db.commit()  # a detected reuse revokes the family even though we refuse
        raise
    await db.commit()
    user = await users.get(db=db, user_id=tokens.user_id)
    if user is None:
        raise AuthenticationRequired()
    return _respond(response, settings, user, tokens, delivery)


@router.post("/logout", name="logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request, db: DbDep, settings: SettingsDep, principal: PrincipalDep, user: CurrentUser
) -> Response:
    """Sign out this session: its refresh-token family (and so its access tokens) is revoked."""
    if principal.family_id is not None:
        await auth.revoke_family(db=db, family_id=principal.family_id)
    await audit.record(db=db, action=AuditAction.LOGOUT, user_id=user.id, ip=client_ip(request))
    await db.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_auth_cookies(response, settings)
    return response


@router.post("/logout-all", name="logout_all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_all(
    request: Request, db: DbDep, settings: SettingsDep, user: CurrentUser
) -> Response:
    """Sign out everywhere: every refresh-token family of the user is revoked."""
    await auth.revoke_all(db=db, user_id=user.id)
    await audit.record(db=db, action=AuditAction.LOGOUT_ALL, user_id=user.id, ip=client_ip(request))
    await db.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_auth_cookies(response, settings)
    return response


@router.post("/email/confirm", name="confirm_email", response_model=EmailChanged)
async def confirm_email(
    body: EmailChangeConfirm,
    request: Request,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> EmailChanged:
    """Confirm an email change with the token from the link mailed to the new address (the
    token is the credential; it works once). 400 ``email_change_invalid`` when unknown, used
    or expired."""
    await _limit_auth(limiter, settings, request, None)
    user = await email_change.confirm(db=db, redis=redis, token=body.token, ip=client_ip(request))
    await db.commit()
    return EmailChanged(email=user.email)


@router.post(
    "/email-verification",
    name="resend_email_verification",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=EmailVerificationSent,
)
async def resend_email_verification(
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    user: CurrentUser,
) -> EmailVerificationSent:
    """Mail the signed-in user a new verification link (the previous one stops working);
    ``sent: false`` when the address is already verified. Rate limited per user."""
    if user.email_verified_at is not None:
        return EmailVerificationSent(sent=False)
    await limiter.hit(settings.rate_limit_email_verification, "email_verification", str(user.id))
    await email_verification.send_link(db=db, redis=redis, settings=settings, user=user)
    await db.commit()
    return EmailVerificationSent(sent=True)


@router.post(
    "/email-verification/confirm", name="confirm_email_verification", response_model=EmailVerified
)
async def confirm_email_verification(
    body: EmailVerificationConfirm,
    request: Request,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> EmailVerified:
    """Verify the address with the token from the mailed link (the token is the credential,
    so the link works in any browser; once). 400 ``email_verification_invalid`` when the token
    is unknown, used, expired or for an address the account no longer has."""
    await _limit_auth(limiter, settings, request, None)
    user = await email_verification.confirm(
        db=db, redis=redis, token=body.token, ip=client_ip(request)
    )
    await db.commit()
    assert user.email_verified_at is not None
    return EmailVerified(email=user.email, email_verified_at=user.email_verified_at)


@router.post("/password-reset", name="request_password_reset", status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(
    body: PasswordResetRequest,
    request: Request,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> Response:
    """Forgot password: when an account has this address, mail it a link (valid one hour,
    once) to choose a new password. Always 202, whether or not the account exists. Rate
    limited per client address and per email."""
    await _limit_auth(limiter, settings, request, body.email)
    await password_reset.request_reset(
        db=db, redis=redis, settings=settings, email=str(body.email), ip=client_ip(request)
    )
    await db.commit()
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset/confirm",
    name="confirm_password_reset",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def confirm_password_reset(
    body: PasswordResetConfirm,
    request: Request,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> Response:
    """Set a new password with the token from the mailed link (the token is the credential;
    it works once). Every session of the user is signed out. 400 ``password_reset_invalid``
    when the token is unknown, used or expired."""
    await _limit_auth(limiter, settings, request, None)
    await password_reset.confirm_reset(
        db=db, redis=redis, token=body.token, password=body.password, ip=client_ip(request)
    )
    await db.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_auth_cookies(response, settings)
    return response


OAUTH_LABELS = {"google": "Google", "github": "GitHub"}


@router.get("/oauth/providers", name="oauth_providers", response_model=OAuthProviderList)
async def oauth_providers(settings: SettingsDep) -> OAuthProviderList:
    """The OAuth providers this deployment signs in with (those fully configured), for the
    login page's buttons. Public; names only, never client ids or secrets."""
    items = []
    for name in sorted(settings.oauth_providers):
        try:
            oauth.provider_config(settings, name)
        except TroupeError:
            continue
        items.append(
            OAuthProviderRead(
                name=name,
                label=OAUTH_LABELS.get(name, name.replace("-", " ").replace("_", " ").title()),
                start_url=f"/api/v1/auth/oauth/{name}/start",
            )
        )
    return OAuthProviderList(items=items)


@router.get(
    "/oauth/{provider}/start",
    name="oauth_start",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
)
async def oauth_start(
    provider: str, request: Request, settings: SettingsDep, redis: RedisDep, limiter: LimiterDep
) -> RedirectResponse:
    """Redirect to the provider's consent page (authorization code + PKCE)."""
    await _limit_auth(limiter, settings, request, None)
    config = oauth.provider_config(settings, provider)
    url, state, verifier = oauth.authorization_url(config, oauth.redirect_uri(settings, provider))
    await redis.set(
        f"troupe:oauth:{state}",
        json.dumps({"provider": provider, "verifier": verifier}),
        ex=OAUTH_STATE_TTL_S,
    )
    response = RedirectResponse(url, status_code=status.HTTP_302_FOUND)
    # Binds the flow to this browser: a callback link planted by someone else has no cookie.
    response.set_cookie(
        OAUTH_STATE_COOKIE,
        state,
        max_age=OAUTH_STATE_TTL_S,
        path=OAUTH_COOKIE_PATH,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )
    return response


@router.get(
    "/oauth/{provider}/callback",
    name="oauth_callback",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
)
async def oauth_callback(
    provider: str,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    redis: RedisDep,
    limiter: LimiterDep,
    code: Annotated[str, Query(max_length=2048)],
    state: Annotated[str, Query(max_length=256)],
) -> RedirectResponse:
    """Finish the provider sign-in: link by verified email (or create the user), set the
    session cookies and redirect to the web app."""
    await _limit_auth(limiter, settings, request, None)
    config = oauth.provider_config(settings, provider)
    cookie_state = request.cookies.get(OAUTH_STATE_COOKIE, "")
    if not cookie_state or not hmac.compare_digest(cookie_state.encode(), state.encode()):
        raise OAuthFailed("The sign-in state does not match this browser.")
    stored = await redis.getdel(f"troupe:oauth:{state}")
    if not stored:
        raise OAuthFailed("The sign-in attempt expired; start again.")
    flow = json.loads(stored)
    if flow.get("provider") != provider:
        raise OAuthFailed()
    identity = await oauth.fetch_identity(
        provider,
        config,
        oauth.redirect_uri(settings, provider),
        code=code,
        verifier=str(flow["verifier"]),
    )
    user = await auth.sign_in_oauth(
        db=db,
        provider=provider,
        subject=identity.subject,
        email=identity.email,
        email_verified=identity.email_verified,
        display_name=identity.display_name,
        ip=client_ip(request),
        trial_days=settings.trial_days,
    )
    tokens = await auth.start_session(db=db, settings=settings, user_id=user.id)
    await db.commit()
    response = RedirectResponse(f"{settings.web_url.rstrip('/')}/", status_code=302)
    set_auth_cookies(response, settings, tokens)
    response.delete_cookie(OAUTH_STATE_COOKIE, path=OAUTH_COOKIE_PATH)
    return response
