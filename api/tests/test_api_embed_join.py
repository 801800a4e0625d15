"""The embed page's join mode, API side: a server-started session's participant token is
refreshed with the page's embed key, and the session must belong to that deployment (a link
cannot put one deployment's page in front of another deployment's session); the embed info
carries the deployment's allowed origins (the web app's ``frame-ancestors``). And the CSV
export neutralises cells that a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io

import httpx
from api_factories import (
    ORIGIN,
    bearer_for,
    make_deployment,
    make_published_template,
    make_session,
    make_user,
)
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Role


async def test_join_refresh_checks_the_pages_embed_key(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, deployment = await make_published_template(db)
    other = await make_deployment(db, org, template)
    deployment.require_server_start = True
    await db.commit()
    admin = {
        **await bearer_for(db, settings, await make_user(db, org, Role.ADMIN)),
        "X-Troupe-Org": str(org.id),
    }
    key = await client.post(
        "/api/v1/api-keys", json={"name": "backend", "scopes": ["sessions:write"]}, headers=admin
    )
    started = await client.post(
        "/api/v1/sessions/server-start",
        json={"embed_key": deployment.embed_key},
        headers={"Authorization": f"Bearer {key.json()['key']}"},
    )
    assert started.status_code == 201, started.text
    connection = started.json()["connection"]
    url = f"/api/v1/sessions/{connection['session_id']}/token"
    bearer = {"Authorization": f"Bearer {connection['participant_token']}"}

    joined = await client.post(url, params={"embed_key": deployment.embed_key}, headers=bearer)
    assert joined.status_code == 200, joined.text
    assert joined.json()["livekit_url"] == settings.livekit_url
    assert joined.json()["session_id"] == connection["session_id"]

    for wrong in (other.embed_key, "pk_unknown"):
        refused = await client.post(url, params={"embed_key": wrong}, headers=bearer)
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"]["code"] == "embed_key_invalid"
    # A dashboard test session has no deployment: no embed page joins it.
    dashboard = await client.post(
        "/api/v1/sessions", json={"template_id": str(template.id)}, headers=admin
    )
    d = dashboard.json()["connection"]
    refused = await client.post(
        f"/api/v1/sessions/{d['session_id']}/token",
        params={"embed_key": deployment.embed_key},
        headers={"Authorization": f"Bearer {d['participant_token']}"},
    )
    assert refused.json()["error"]["code"] == "embed_key_invalid"

    info = await client.get(f"/api/v1/embed/{deployment.embed_key}")
    assert info.json()["allowed_origins"] == [ORIGIN]


async def test_csv_export_neutralises_formulas(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, runtime_headers: dict[str, str]
) -> None:
    org, template, _ = await make_published_template(db)
    session = await make_session(db, org, template)
    ts = "2026-01-01T00:00:00Z"
    entries = [
        {"seq": 0, "kind": "message", "ts": ts, "role": "user", "text": '=HYPERLINK("x")'},
        {"seq": 1, "kind": "tool_call", "ts": ts, "agent": "ava", "tool": "t", "error": "@SUM(1)"},
        {"seq": 2, "kind": "message", "ts": ts, "role": "assistant", "agent": "ava", "text": "ok"},
    ]
    r = await client.post(
        f"/api/v1/runtime/sessions/{session.id}/log",
        json={"entries": entries, "final": True},
        headers=runtime_headers,
    )
    assert r.status_code == 200, r.text
    admin = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    exported = await client.get(f"/api/v1/sessions/{session.id}/export?format=csv", headers=admin)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[0]["text"] == '\'=HYPERLINK("x")'
    assert rows[1]["error"] == "'@SUM(1)"
    assert rows[2]["text"] == "ok"
