"""OAuth sign-in against a tiny fake provider on 127.0.0.1 (authorize, token, userinfo),
configured as a generic provider."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from api_factories import make_org, make_user
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.auth.models import OAuthAccount
from troupe_api.core.settings import OAuthProvider, Settings, get_settings


class FakeProvider:
    def __init__(self) -> None:
        self.identity: dict[str, Any] = {}
        self.codes: dict[str, str] = {}  # code -> code_challenge
        self.token_requests: list[dict[str, list[str]]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/authorize":
                    q = {k: v[0] for k, v in parse_qs(url.query).items()}
                    code = f"code-{len(provider.codes)}"
                    provider.codes[code] = q.get("code_challenge", "")
                    target = (
                        q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                elif url.path == "/userinfo":
                    if self.headers.get("Authorization") != "Bearer fake-access":
                        self._json(401, {"error": "invalid_token"})
                    else:
                        self._json(200, provider.identity)
                else:
                    self._json(404, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                provider.token_requests.append(form)
                if form.get("code", [""])[0] not in provider.codes or not form.get("code_verifier"):
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(200, {"access_token": "fake-access", "token_type": "bearer"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture(scope="module")
def fake_provider() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    yield provider
    provider.server.shutdown()


@pytest.fixture
def oauth_settings(app: FastAPI, settings: Settings, fake_provider: FakeProvider) -> Settings:
    configured = settings.model_copy(
        update={
            "oauth_providers": {
                "fake": OAuthProvider(
                    client_id="troupe",
                    client_secret="s3cret",
                    authorize_url=f"{fake_provider.url}/authorize",
                    token_url=f"{fake_provider.url}/token",
                    userinfo_url=f"{fake_provider.url}/userinfo",
                    scope="openid email",
                )
            }
        }
    )
    app.dependency_overrides[get_settings] = lambda: configured
    return configured


async def _sign_in(client: httpx.AsyncClient, fake: FakeProvider) -> httpx.Response:
    start = await client.get("/api/v1/auth/oauth/fake/start")
    assert start.status_code == 302, start.text
    assert start.headers["location"].startswith(f"{fake.url}/authorize")
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(start.headers["location"])
    callback = urlsplit(consent.headers["location"])
    return await client.get(f"{callback.path}?{callback.query}")


async def test_oauth_links_existing_user_by_verified_email(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oauth_settings: Settings,
    fake_provider: FakeProvider,
) -> None:
    user = await make_user(db, await make_org(db))
    await db.commit()
    fake_provider.identity = {"sub": "fake-42", "email": user.email.upper(), "email_verified": True}
    done = await _sign_in(client, fake_provider)
    assert done.status_code == 302, done.text
    assert done.headers["location"] == oauth_settings.web_url.rstrip("/") + "/"
    me = await client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["user"]["id"] == str(user.id)
    account = await db.scalar(select(OAuthAccount).where(OAuthAccount.subject == "fake-42"))
    assert account is not None and account.user_id == user.id
    assert fake_provider.token_requests[-1]["code_verifier"]


async def test_oauth_new_user_gets_an_org_and_unverified_email_is_refused(
    client: httpx.AsyncClient, oauth_settings: Settings, fake_provider: FakeProvider
) -> None:
    fake_provider.identity = {
        "sub": "fake-new",
        "email": "new@oauth.example",
        "email_verified": False,
    }
    refused = await _sign_in(client, fake_provider)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "oauth_failed"

    fake_provider.identity = {
        "sub": "fake-new",
        "email": "new@oauth.example",
        "email_verified": True,
        "name": "Neo",
    }
    done = await _sign_in(client, fake_provider)
    assert done.status_code == 302
    me = (await client.get("/api/v1/me")).json()
    assert me["user"]["email"] == "new@oauth.example"
    assert [m["role"] for m in me["memberships"]] == ["admin"]


async def test_oauth_callback_refuses_foreign_state_and_unknown_provider(
    client: httpx.AsyncClient, oauth_settings: Settings
) -> None:
    forged = await client.get("/api/v1/auth/oauth/fake/callback?code=x&state=y")
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "oauth_failed"
    unknown = await client.get("/api/v1/auth/oauth/nope/start")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "oauth_provider_unknown"


async def test_login_page_learns_which_providers_are_configured(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    none = await client.get("/api/v1/auth/oauth/providers")
    assert none.status_code == 200 and none.json() == {"items": []}
    app.dependency_overrides[get_settings] = lambda: settings.model_copy(
        update={
            "oauth_providers": {
                "github": OAuthProvider(client_id="id", client_secret="secret"),
                # No endpoints and no well-known ones: not offered.
                "half": OAuthProvider(client_id="id", client_secret="secret"),
            }
        }
    )
    listed = await client.get("/api/v1/auth/oauth/providers")
    assert listed.json() == {
        "items": [
            {"name": "github", "label": "GitHub", "start_url": "/api/v1/auth/oauth/github/start"}
        ]
    }
    assert "secret" not in listed.text
