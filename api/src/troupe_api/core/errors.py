"""The API's one exception hierarchy. Services raise these; the app maps every one of them
(and every framework error) to ``{"error": {"code", "message", "details"}}``.

Codes are stable snake_case strings clients may switch on; messages are for humans.
"""

from __future__ import annotations

from typing import Any, ClassVar


class TroupeError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "Internal server error."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(TroupeError):
    status_code = 400
    code = "bad_request"
    default_message = "Bad request."


class ValidationFailed(TroupeError):
    status_code = 422
    code = "validation_error"
    default_message = "The request is invalid."


class Unauthorized(TroupeError):
    status_code = 401
    code = "unauthorized"
    default_message = "Authentication is required."

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        super().__init__(message, details=details, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(TroupeError):
    status_code = 403
    code = "forbidden"
    default_message = "Not allowed."


class NotFound(TroupeError):
    status_code = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(TroupeError):
    status_code = 409
    code = "conflict"
    default_message = "Conflict."


class RateLimited(TroupeError):
    status_code = 429
    code = "rate_limited"
    default_message = "Too many requests; retry later."


class ServiceUnavailable(TroupeError):
    status_code = 503
    code = "service_unavailable"
    default_message = "A backing service is unavailable."


# --- domain errors ---------------------------------------------------------------------------


class RuntimeTokenInvalid(Unauthorized):
    code = "runtime_token_invalid"
    default_message = "A valid runtime token is required."


class PayloadTooLarge(TroupeError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


# --- identity: authentication -----------------------------------------------------------------


class AuthenticationRequired(Unauthorized):
    code = "authentication_required"
    default_message = "Sign in or present an API key."


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    default_message = "The email or password is wrong."


class TokenExpired(Unauthorized):
    code = "token_expired"
    default_message = "The token has expired."


class TokenInvalid(Unauthorized):
    code = "token_invalid"
    default_message = "The token is not valid."


class TokenRevoked(Unauthorized):
    code = "token_revoked"
    default_message = "The token has been revoked."


class RefreshTokenReused(Unauthorized):
    code = "refresh_token_reused"
    default_message = "This refresh token was already used; every session of it is now revoked."


class ApiKeyInvalid(Unauthorized):
    code = "api_key_invalid"
    default_message = "The API key is unknown, expired or revoked."


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    default_message = "Cookie-authenticated writes need the X-Troupe-CSRF header."


class OAuthFailed(BadRequest):
    code = "oauth_failed"
    default_message = "Signing in with the provider failed."


class OAuthProviderUnknown(NotFound):
    code = "oauth_provider_unknown"
    default_message = "No such sign-in provider is configured."


# --- identity: authorization ------------------------------------------------------------------


class NotOrgMember(Forbidden):
    code = "not_org_member"
    default_message = "You are not a member of that organization."


class NoOrganization(Forbidden):
    code = "no_organization"
    default_message = "You are not a member of any organization."


class RoleRequired(Forbidden):
    code = "role_required"
    default_message = "Your role in this organization does not allow this."


class PlatformAdminRequired(Forbidden):
    code = "platform_admin_required"
    default_message = "Only a platform operator (TROUPE_PLATFORM_ADMIN_EMAILS) may do this."


class ScopeRequired(Forbidden):
    code = "scope_required"
    default_message = "The API key lacks the scope this needs."


class UserRequired(Forbidden):
    code = "user_required"
    default_message = "This needs a signed-in user, not an API key."


# --- identity: domain -------------------------------------------------------------------------


# --- quotas -----------------------------------------------------------------------------------


class DeploymentConcurrentSessions(RateLimited):
    code = "deployment_concurrent_sessions"
    default_message = (
        "This deployment has as many sessions open as it allows; retry when one has ended."
    )


def validation_failed(exc: Any, *, prefix: tuple[str, ...] = ("body",)) -> ValidationFailed:
    """The 422 for a pydantic ``ValidationError`` raised after request parsing (e.g. a partial
    update merged into the stored object), shaped like the request validation errors."""
    fields = [
        {
            "loc": [*prefix, *err.get("loc", ())],
            "message": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    return ValidationFailed(details={"fields": fields})
