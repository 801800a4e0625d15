"""OAuth2 sign-in (authorization code + PKCE) with authlib's httpx client. Providers come from
settings; ``google`` and ``github`` get their well-known endpoints, any other name is a generic
provider whose endpoints must all be configured (the tests run one on 127.0.0.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client

from troupe_api.core.errors import OAuthFailed, OAuthProviderUnknown
from troupe_api.core.settings import OAuthProvider, Settings

WELL_KNOWN: dict[str, dict[str, str]] = {
    "google": {
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_url": "https://oauth2.googleapis.com/token",
        "userinfo_url": "https://openidconnect.googleapis.com/v1/userinfo",
        "scope": "openid email profile",
    },
    "github": {
        "authorize_url": "https://github.com/login/oauth/authorize",
        "token_url": "https://github.com/login/oauth/access_token",
        "userinfo_url": "https://api.github.com/user",
        "emails_url": "https://api.github.com/user/emails",
        "scope": "read:user user:email",
    },
}
HTTP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ProviderIdentity:
    subject: str
    email: str
    email_verified: bool
    display_name: str


def provider_config(settings: Settings, name: str) -> OAuthProvider:
    configured = settings.oauth_providers.get(name)
    if configured is None:
        raise OAuthProviderUnknown()
    defaults = WELL_KNOWN.get(name, {})
    merged = {k: v for k, v in defaults.items()} | {
        k: v for k, v in configured.model_dump().items() if v
    }
    provider = OAuthProvider.model_validate(merged)
    if not (provider.authorize_url and provider.token_url and provider.userinfo_url):
        raise OAuthProviderUnknown("The provider's endpoints are not configured.")
    return provider


def redirect_uri(settings: Settings, name: str) -> str:
    # The browser reaches the API through the web app's /api proxy, so the callback is there.
    return f"{settings.web_url.rstrip('/')}/api/v1/auth/oauth/{name}/callback"


def _client(provider: OAuthProvider, redirect: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scope or None,
        redirect_uri=redirect,
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT_S,
    )


def authorization_url(provider: OAuthProvider, redirect: str) -> tuple[str, str, str]:
    """(url, state, code_verifier)."""
    verifier = generate_token(48)
    client = _client(provider, redirect)
    url, state = client.create_authorization_url(provider.authorize_url, code_verifier=verifier)
    return str(url), str(state), verifier


async def fetch_identity(
    name: str, provider: OAuthProvider, redirect: str, *, code: str, verifier: str
) -> ProviderIdentity:
    try:
        async with _client(provider, redirect) as client:
            await client.fetch_token(provider.token_url, code=code, code_verifier=verifier)
            info_response = await client.get(provider.userinfo_url)
            info_response.raise_for_status()
            info: dict[str, Any] = info_response.json()
            if name == "github" or provider.emails_url:
                return await _github_identity(client, provider, info)
    except OAuthFailed:
        raise
    except Exception as exc:  # network, provider errors, malformed JSON: one stable error
        raise OAuthFailed() from exc
    subject = str(info.get("sub") or info.get("id") or "")
    if not subject:
        raise OAuthFailed("The provider returned no user id.")
    verified = info.get("email_verified") is True or info.get("verified_email") is True
    return ProviderIdentity(
        subject=subject,
        email=str(info.get("email") or ""),
        email_verified=verified,
        display_name=str(info.get("name") or "")[:200],
    )


async def _github_identity(
    client: AsyncOAuth2Client, provider: OAuthProvider, info: dict[str, Any]
) -> ProviderIdentity:
    response = await client.get(provider.emails_url)
    response.raise_for_status()
    emails = [e for e in response.json() if isinstance(e, dict) and e.get("verified")]
    primary = next((e for e in emails if e.get("primary")), emails[0] if emails else None)
    return ProviderIdentity(
        subject=str(info.get("id") or ""),
        email=str(primary.get("email") or "") if primary else "",
        email_verified=primary is not None,
        display_name=str(info.get("name") or info.get("login") or "")[:200],
    )
