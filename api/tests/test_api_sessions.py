from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from api_factories import (
    ORIGIN,
    bearer_for,
    make_agent,
    make_deployment,
    make_org,
    make_published_template,
    make_template,
    make_user,
)
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings, get_settings
from troupe_api.organizations.models import Role
from troupe_api.sessions import service as sessions
from troupe_api.sessions.models import Session
from troupe_contracts import AGENT_NAME, USER_IDENTITY_PREFIX
from troupe_contracts.session import SessionStartResponse, TokenMetadata


async def _start(
    client: httpx.AsyncClient, embed_key: str, origin: str | None = ORIGIN, **body: object
) -> httpx.Response:
    headers = {"Origin": origin} if origin else {}
    return await client.post(
        "/api/v1/sessions", json={"embed_key": embed_key, **body}, headers=headers
    )


def _decode(token: str, settings: Settings) -> dict[str, Any]:
    return jwt.decode(
        token, settings.livekit_api_secret, algorithms=["HS256"], issuer=settings.livekit_api_key
    )


async def test_start_session_mints_token_with_metadata_and_dispatch(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, deployment = await make_published_template(db)
    response = await _start(client, deployment.embed_key, end_user_id="eu-1", display_name="Pat")
    assert response.status_code == 201, response.text
    started = SessionStartResponse.model_validate(response.json())
    assert started.session.status == "created"
    assert started.session.organization_id == org.id
    assert started.session.template_id == template.id
    assert started.modality_profile == "audio_camera"
    assert [p.value for p in started.enabled_panels] == ["notepad", "code"]
    connection = started.connection
    assert connection.livekit_url == settings.livekit_url
    assert connection.participant_identity.startswith(USER_IDENTITY_PREFIX)
    assert connection.room_name.startswith(f"troupe-{org.id.hex[:8]}-")
    assert response.headers["RateLimit-Limit"] and response.headers["RateLimit-Remaining"]

    claims = _decode(connection.participant_token, settings)
    assert claims["sub"] == connection.participant_identity
    assert claims["name"] == "Pat"
    video = claims["video"]
    assert video["roomJoin"] is True and video["room"] == connection.room_name
    assert video["canPublish"] and video["canSubscribe"] and video["canPublishData"]
    assert set(video["canPublishSources"]) == {"microphone", "camera"}
    ttl = int(claims["exp"]) - int(claims["nbf"])
    assert ttl == settings.livekit_token_ttl_s
    assert abs(
        datetime.fromtimestamp(int(claims["exp"]), UTC) - connection.token_expires_at
    ) <= timedelta(seconds=2)

    metadata = TokenMetadata.model_validate_json(str(claims["metadata"]))
    assert metadata.session_id == started.session.id
    assert metadata.organization_id == org.id
    assert metadata.template_id == template.id
    assert metadata.user_id == "eu-1"
    assert metadata.modality_profile == "audio_camera"
    dispatch = claims["roomConfig"]["agents"]
    assert dispatch == [{"agentName": AGENT_NAME, "metadata": claims["metadata"]}]

    row = await sessions.get(db=db, organization_id=org.id, session_id=started.session.id)
    assert row is not None and row.participant_identity == connection.participant_identity
    assert row.end_user_id == "eu-1"


async def test_unknown_or_disabled_embed_key(client: httpx.AsyncClient, db: AsyncSession) -> None:
    _, _, deployment = await make_published_template(db)
    for key in ("pk_does_not_exist", "nope"):
        response = await _start(client, key)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "embed_key_invalid"
    deployment.enabled = False
    await db.commit()
    response = await _start(client, deployment.embed_key)
    assert response.json()["error"]["code"] == "embed_key_invalid"


async def test_origin_must_be_allowed(client: httpx.AsyncClient, db: AsyncSession) -> None:
    _, _, deployment = await make_published_template(db)
    for origin in ("https://evil.example", None, "null"):
        response = await _start(client, deployment.embed_key, origin=origin)
        assert response.status_code == 403, origin
        assert response.json()["error"]["code"] == "origin_not_allowed"
    # Normalised comparison: case and default port do not matter.
    assert (
        await _start(client, deployment.embed_key, origin="HTTPS://Customer.example:443")
    ).status_code == 201


async def test_template_must_match_deployment(client: httpx.AsyncClient, db: AsyncSession) -> None:
    _, _, deployment = await make_published_template(db)
    response = await _start(client, deployment.embed_key, template_id=str(uuid.uuid4()))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "template_not_allowed"


async def test_start_without_embed_key_requires_auth(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/sessions", json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def _client_at(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client the API sees at ``address`` (what uvicorn reports behind trusted proxies)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_session_start_is_rate_limited_per_client_address(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    app.dependency_overrides[get_settings] = lambda: settings.model_copy(
        update={"rate_limit_session_start": "2/minute"}
    )
    _, _, deployment = await make_published_template(db)
    assert (await _start(client, deployment.embed_key, end_user_id="a")).status_code == 201
    assert (await _start(client, deployment.embed_key, end_user_id="b")).status_code == 201
    # A new end_user_id per request is no new budget: the limit is on the client's address.
    limited = await _start(client, deployment.embed_key, end_user_id="c")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["RateLimit-Remaining"] == "0"
    # Another visitor (another address) has their own budget.
    async with _client_at(app, "203.0.113.50") as other:
        assert (await _start(other, deployment.embed_key, end_user_id="c")).status_code == 201


async def test_a_deployment_has_its_own_cap_across_addresses(
    app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    app.dependency_overrides[get_settings] = lambda: settings.model_copy(
        update={"rate_limit_session_start_deployment": "3/minute"}
    )
    _, _, deployment = await make_published_template(db)
    _, _, other_deployment = await make_published_template(db)
    for i in range(3):
        async with _client_at(app, f"198.51.100.{i + 1}") as visitor:
            assert (await _start(visitor, deployment.embed_key)).status_code == 201
    async with _client_at(app, "198.51.100.9") as visitor:
        capped = await _start(visitor, deployment.embed_key)
        assert capped.status_code == 429 and capped.json()["error"]["code"] == "rate_limited"
        assert (await _start(visitor, other_deployment.embed_key)).status_code == 201


async def test_a_server_start_deployment_starts_only_from_the_owners_backend(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, _, deployment = await make_published_template(db)
    deployment.require_server_start = True
    admin = {
        **await bearer_for(db, settings, await make_user(db, org, Role.ADMIN)),
        "X-Troupe-Org": str(org.id),
    }
    browser = await _start(client, deployment.embed_key)
    assert browser.status_code == 403
    assert browser.json()["error"]["code"] == "server_start_required"

    created = await client.post(
        "/api/v1/api-keys", json={"name": "backend", "scopes": ["sessions:write"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    backend = {"Authorization": f"Bearer {created.json()['key']}"}
    started = await client.post(
        "/api/v1/sessions/server-start",
        json={"embed_key": deployment.embed_key, "end_user_id": "customer-7"},
        headers=backend,
    )
    assert started.status_code == 201, started.text
    body = SessionStartResponse.model_validate(started.json())
    assert body.connection.participant_token and body.session.end_user_id == "customer-7"
    row = await db.get(Session, body.session.id)
    assert row is not None and row.deployment_id == deployment.id

    # Without credentials, or with another organization's key: refused.
    anonymous = await client.post(
        "/api/v1/sessions/server-start", json={"embed_key": deployment.embed_key}
    )
    assert anonymous.status_code == 401
    stranger_org = await make_org(db)
    stranger = {
        **await bearer_for(db, settings, await make_user(db, stranger_org, Role.ADMIN)),
        "X-Troupe-Org": str(stranger_org.id),
    }
    foreign = await client.post(
        "/api/v1/sessions/server-start", json={"embed_key": deployment.embed_key}, headers=stranger
    )
    assert foreign.status_code == 401 and foreign.json()["error"]["code"] == "embed_key_invalid"
    reader = await client.post(
        "/api/v1/api-keys", json={"name": "ro", "scopes": ["sessions:read"]}, headers=admin
    )
    read_only = {"Authorization": f"Bearer {reader.json()['key']}"}
    denied = await client.post(
        "/api/v1/sessions/server-start",
        json={"embed_key": deployment.embed_key},
        headers=read_only,
    )
    assert denied.status_code == 403


async def test_read_session_needs_a_credential_in_every_mode(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    _, _, deployment = await make_published_template(db)
    started = SessionStartResponse.model_validate(
        (await _start(client, deployment.embed_key)).json()
    )
    url = f"/api/v1/sessions/{started.session.id}"
    token = started.connection.participant_token

    with_token = await client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert with_token.status_code == 200
    assert with_token.json()["room_name"] == started.connection.room_name

    # Development and test follow the production rules: a session id is not a credential.
    assert settings.env in ("development", "test")
    for path in ("", "/log", "/replay"):
        assert (await client.get(url + path)).status_code == 401, path
    anonymous = await client.get(url)
    assert anonymous.json()["error"]["code"] == "session_token_invalid"
    assert (await client.post(f"{url}/token")).status_code == 401

    bad = await client.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "session_token_invalid"

    other = SessionStartResponse.model_validate((await _start(client, deployment.embed_key)).json())
    cross = await client.get(
        url, headers={"Authorization": f"Bearer {other.connection.participant_token}"}
    )
    assert cross.status_code == 401

    missing = await client.get(f"/api/v1/sessions/{uuid.uuid4()}")
    assert missing.status_code == 401


async def test_an_ended_session_gets_no_token_and_no_config(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    _, _, deployment = await make_published_template(db)
    started = SessionStartResponse.model_validate(
        (await _start(client, deployment.embed_key)).json()
    )
    session_id = started.session.id
    bearer = {"Authorization": f"Bearer {started.connection.participant_token}"}
    config_url = f"/api/v1/runtime/session-config/{session_id}"
    assert (await client.post(f"/api/v1/sessions/{session_id}/token", headers=bearer)).is_success
    assert (await client.get(config_url, headers=runtime_headers)).status_code == 200

    session = await db.get(Session, session_id)
    assert session is not None
    session.status = "completed"
    session.ended_at = datetime.now(UTC)
    await db.flush()
    refresh = await client.post(f"/api/v1/sessions/{session_id}/token", headers=bearer)
    assert refresh.status_code == 409
    assert refresh.json()["error"]["code"] == "session_ended"
    config = await client.get(config_url, headers=runtime_headers)
    assert config.status_code == 409 and config.json()["error"]["code"] == "session_ended"
    # Its record stays readable.
    assert (await client.get(f"/api/v1/sessions/{session_id}", headers=bearer)).status_code == 200


async def test_read_session_requires_token_in_production(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    _, _, deployment = await make_published_template(db)
    started = SessionStartResponse.model_validate(
        (await _start(client, deployment.embed_key)).json()
    )
    app.dependency_overrides[get_settings] = lambda: settings.model_construct(
        **{**settings.__dict__, "env": "production"}
    )
    url = f"/api/v1/sessions/{started.session.id}"
    assert (await client.get(url)).status_code == 401
    ok = await client.get(
        url, headers={"Authorization": f"Bearer {started.connection.participant_token}"}
    )
    assert ok.status_code == 200


async def test_refresh_token_keeps_identity_and_room(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    _, _, deployment = await make_published_template(db)
    started = SessionStartResponse.model_validate(
        (await _start(client, deployment.embed_key)).json()
    )
    response = await client.post(
        f"/api/v1/sessions/{started.session.id}/token",
        headers={"Authorization": f"Bearer {started.connection.participant_token}"},
    )
    assert response.status_code == 200, response.text
    refreshed = response.json()
    assert refreshed["participant_identity"] == started.connection.participant_identity
    assert refreshed["room_name"] == started.connection.room_name
    claims = _decode(refreshed["participant_token"], settings)
    assert claims["sub"] == started.connection.participant_identity
    assert claims["roomConfig"]["agents"][0]["agentName"] == AGENT_NAME


async def test_start_refuses_a_template_that_cannot_run(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    org = await make_org(db)
    await make_agent(db, org, "solo", llm="fake/nope")
    template = await make_template(db, org, ["solo"])
    deployment = await make_deployment(db, org, template)
    await db.commit()
    response = await _start(client, deployment.embed_key)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_config_invalid"
    count = await db.scalar(
        select(func.count()).select_from(Session).where(Session.organization_id == org.id)
    )
    assert count == 0
