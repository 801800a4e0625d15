"""Regressions the authenticated schemathesis run (test_api_fuzz_authenticated.py) found: each
request here answered 5xx before its fix."""

from __future__ import annotations

import uuid

import httpx
from api_factories import bearer_for, make_published_template, make_session, make_user
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.agents.models import Agent
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Role


async def test_agent_patch_with_null_for_a_required_field_is_a_422(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, _, _ = await make_published_template(db)
    headers = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    agent_id = await db.scalar(select(Agent.id).where(Agent.organization_id == org.id))
    response = await client.patch(
        f"/api/v1/agents/{agent_id}", json={"stt": None, "vision": None}, headers=headers
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert {tuple(f["loc"]) for f in error["details"]["fields"]} == {
        ("body", "stt"),
        ("body", "vision"),
    }


async def test_template_patch_with_null_for_a_required_field_is_a_422(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    response = await client.patch(
        f"/api/v1/session-templates/{template.id}",
        # An agent set id gets past the pre-agent-set check to the merged validation.
        json={"agent_set_id": str(uuid.uuid4()), "idle_timeout_s": None, "record_audio": None},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert {tuple(f["loc"]) for f in error["details"]["fields"]} == {
        ("body", "idle_timeout_s"),
        ("body", "record_audio"),
    }


async def test_a_file_link_with_a_non_ascii_signature_is_refused_not_a_500(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/api/v1/files", params={"key": "recordings/x.ogg", "expires": 4102444800, "sig": "\x80é"}
    )
    assert response.status_code == 403, response.text
    assert isinstance(response.json()["error"]["code"], str)


async def test_refreshing_a_session_never_started_through_a_start_flow_is_a_409(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, deployment = await make_published_template(db)
    headers = await bearer_for(db, settings, await make_user(db, org, Role.ADMIN))
    session = await make_session(db, org, template, deployment)  # metadata {}: no token claims
    response = await client.post(f"/api/v1/sessions/{session.id}/token", headers=headers)
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "session_not_joinable"


async def test_agent_diff_with_a_version_beyond_int32_is_a_422(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, _, _ = await make_published_template(db)
    headers = await bearer_for(db, settings, await make_user(db, org, Role.MEMBER))
    agent_id = await db.scalar(select(Agent.id).where(Agent.organization_id == org.id))
    response = await client.get(
        f"/api/v1/agents/{agent_id}/diff", params={"from": 478009904477}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
    version = await client.get(f"/api/v1/agents/{agent_id}/versions/478009904477", headers=headers)
    assert version.status_code == 422, version.text
    rollback = await client.post(
        f"/api/v1/agents/{agent_id}/rollback", json={"version": 478009904477}, headers=headers
    )
    assert rollback.status_code == 422, rollback.text
