"""Per-deployment caps of concurrent sessions (``max_concurrent_sessions``): a start beyond the
cap is a 429 ``deployment_concurrent_sessions``; sessions that ended (completed, failed,
abandoned) or can no longer be joined free their slot. Real PostgreSQL and Redis."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from api_factories import ORIGIN, bearer_for, make_deployment, make_published_template, make_user
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings, get_settings
from troupe_api.organizations.models import Role
from troupe_api.sessions import lifecycle as session_lifecycle
from troupe_api.sessions.models import Session


async def _start(client: httpx.AsyncClient, embed_key: str, user: str) -> httpx.Response:
    return await client.post(
        "/api/v1/sessions",
        json={"embed_key": embed_key, "end_user_id": user},
        headers={"Origin": ORIGIN},
    )


async def test_a_deployment_caps_its_open_sessions_and_ended_ones_free_the_slot(
    app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    # One test client address starts them all: only the cap under test may refuse.
    app.dependency_overrides[get_settings] = lambda: settings.model_copy(
        update={"rate_limit_session_start": "100/minute"}
    )
    org, template, deployment = await make_published_template(db)
    admin = {
        **await bearer_for(db, settings, await make_user(db, org, Role.ADMIN)),
        "X-Troupe-Org": str(org.id),
    }
    url = f"/api/v1/session-templates/{template.id}/deployments/{deployment.id}"
    assert (await client.get(url, headers=admin)).json()["max_concurrent_sessions"] is None
    capped = await client.patch(url, json={"max_concurrent_sessions": 2}, headers=admin)
    assert capped.status_code == 200 and capped.json()["max_concurrent_sessions"] == 2

    first = await _start(client, deployment.embed_key, "a")
    second = await _start(client, deployment.embed_key, "b")
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    refused = await _start(client, deployment.embed_key, "c")
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "deployment_concurrent_sessions" and error["details"]["limit"] == 2
    assert refused.headers["retry-after"] == "30"

    # The backend's server-side start counts against the same cap.
    key = await client.post(
        "/api/v1/api-keys", json={"name": "backend", "scopes": ["sessions:write"]}, headers=admin
    )
    backend = {"Authorization": f"Bearer {key.json()['key']}"}
    server = await client.post(
        "/api/v1/sessions/server-start",
        json={"embed_key": deployment.embed_key, "end_user_id": "d"},
        headers=backend,
    )
    assert server.status_code == 429
    assert server.json()["error"]["code"] == "deployment_concurrent_sessions"

    # Other deployments of the organization and dashboard test sessions are not capped by it.
    other = await make_deployment(db, org, template)
    await db.commit()
    assert (await _start(client, other.embed_key, "e")).status_code == 201
    dashboard = await client.post(
        "/api/v1/sessions", json={"template_id": str(template.id)}, headers=admin
    )
    assert dashboard.status_code == 201, dashboard.text

    # An abandoned session (the user never joined; finished as LiveKit's room_finished does)
    # frees its slot.
    row = await db.get(Session, uuid.UUID(first.json()["session"]["id"]))
    assert row is not None
    assert await session_lifecycle.finish(db=db, session=row, at=datetime.now(UTC))
    await db.commit()
    assert row.status == "abandoned"
    third = await _start(client, deployment.embed_key, "f")
    assert third.status_code == 201, third.text
    assert (await _start(client, deployment.embed_key, "g")).status_code == 429

    # A failed one too, and a created one whose token (and refresh grace) expired.
    failed_id = uuid.UUID(second.json()["session"]["id"])
    await db.execute(update(Session).where(Session.id == failed_id).values(status="failed"))
    await db.commit()
    fourth = await _start(client, deployment.embed_key, "h")
    assert fourth.status_code == 201, fourth.text
    assert (await _start(client, deployment.embed_key, "i")).status_code == 429
    stale = datetime.now(UTC) - timedelta(
        seconds=settings.livekit_token_ttl_s + settings.livekit_token_refresh_grace_s + 60
    )
    third_id = uuid.UUID(third.json()["session"]["id"])
    await db.execute(update(Session).where(Session.id == third_id).values(created_at=stale))
    await db.commit()
    assert (await _start(client, deployment.embed_key, "j")).status_code == 201

    # An active session holds its slot however old; completing it frees the slot.
    fourth_id = uuid.UUID(fourth.json()["session"]["id"])
    await db.execute(
        update(Session)
        .where(Session.id == fourth_id)
        .values(status="active", created_at=stale, started_at=stale)
    )
    await db.commit()
    assert (await _start(client, deployment.embed_key, "k")).status_code == 429
    await db.execute(update(Session).where(Session.id == fourth_id).values(status="completed"))
    await db.commit()
    assert (await _start(client, deployment.embed_key, "l")).status_code == 201

    # 0 removes the cap.
    lifted = await client.patch(url, json={"max_concurrent_sessions": 0}, headers=admin)
    assert lifted.json()["max_concurrent_sessions"] is None
    assert (await _start(client, deployment.embed_key, "m")).status_code == 201


async def test_a_cap_is_set_at_creation_and_validated(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    member = {
        **await bearer_for(db, settings, await make_user(db, org, Role.MEMBER)),
        "X-Troupe-Org": str(org.id),
    }
    base = f"/api/v1/session-templates/{template.id}/deployments"
    bad = await client.post(
        base, json={"name": "zero", "max_concurrent_sessions": 0}, headers=member
    )
    assert bad.status_code == 422
    created = await client.post(
        base,
        json={"name": "one", "allowed_origins": [ORIGIN], "max_concurrent_sessions": 1},
        headers=member,
    )
    assert created.status_code == 201 and created.json()["max_concurrent_sessions"] == 1
    key = created.json()["embed_key"]
    assert (await _start(client, key, "a")).status_code == 201
    assert (await _start(client, key, "b")).json()["error"]["code"] == (
        "deployment_concurrent_sessions"
    )
