"""Deployments: CRUD, the public embed info, per-deployment CORS and key rotation."""

from __future__ import annotations

import httpx
from api_factories import (
    admin_headers,
    make_published_template,
)
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings


async def test_deployments_crud_embed_info_and_cors(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await admin_headers(db, settings, org)
    base = f"/api/v1/session-templates/{template.id}/deployments"
    created = await client.post(
        base,
        json={"name": "site", "allowed_origins": ["https://Shop.example:443/"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    dep = created.json()
    assert dep["embed_key"].startswith("pk_") and dep["allowed_origins"] == ["https://shop.example"]
    assert dep["embed_url"] == f"{settings.web_url.rstrip('/')}/embed/{dep['embed_key']}"
    assert 'allow="microphone; camera; display-capture"' in dep["embed_snippet"]
    bad = await client.post(
        base, json={"name": "x", "allowed_origins": ["ftp://x"]}, headers=headers
    )
    assert bad.status_code == 422
    dup = await client.post(base, json={"name": "site"}, headers=headers)
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "conflict", dup.text
    other = await client.post(base, json={"name": "other"}, headers=headers)
    assert other.status_code == 201, other.text
    renamed = await client.patch(
        f"{base}/{other.json()['id']}", json={"name": "site"}, headers=headers
    )
    assert renamed.status_code == 409 and renamed.json()["error"]["code"] == "conflict"
    listed = await client.get(base, headers=headers)
    assert [d["id"] for d in listed.json()["items"]].count(dep["id"]) == 1

    info = await client.get(f"/api/v1/embed/{dep['embed_key']}")
    assert info.status_code == 200
    body = info.json()
    assert body["template_name"] == template.name and body["initial_agent"]["slug"] == "ava"
    assert body["modality_profile"] == "audio_camera" and str(org.id) not in info.text

    # CORS: preflight and answer for an origin the deployment allows; none for others.
    pre = await client.options(
        "/api/v1/sessions",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://shop.example"
    start = await client.post(
        "/api/v1/sessions",
        json={"embed_key": dep["embed_key"]},
        headers={"Origin": "https://shop.example"},
    )
    assert start.status_code == 201, start.text
    assert start.headers["access-control-allow-origin"] == "https://shop.example"
    other = await client.options(
        "/api/v1/sessions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers

    rotated = await client.post(f"{base}/{dep['id']}/rotate-key", headers=headers)
    assert rotated.json()["embed_key"] != dep["embed_key"]
    assert (await client.get(f"/api/v1/embed/{dep['embed_key']}")).status_code == 401
    disabled = await client.patch(f"{base}/{dep['id']}", json={"enabled": False}, headers=headers)
    assert disabled.json()["enabled"] is False
    assert (await client.get(f"/api/v1/embed/{rotated.json()['embed_key']}")).status_code == 401
    assert (await client.delete(f"{base}/{dep['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"{base}/{dep['id']}", headers=headers)).status_code == 404
