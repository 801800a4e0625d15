"""Agent-side noise suppression is a per-template toggle: off by default, set on create or by
PATCH, and carried to the runtime by the session config."""

from __future__ import annotations

import httpx
from config_helpers import caller, create_agent
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_contracts.config import SessionConfig


async def test_noise_suppression_is_a_template_setting_the_runtime_receives(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, runtime_headers: dict[str, str]
) -> None:
    me = await caller(db, settings)
    await create_agent(client, me, "ava")
    agent_set = await client.post(
        "/api/v1/agent-sets",
        json={"name": "Solo", "initial_agent": "ava", "agents": ["ava"]},
        headers=me.headers,
    )
    assert agent_set.status_code == 201, agent_set.text
    created = await client.post(
        "/api/v1/session-templates",
        json={"name": "Support", "agent_set_id": agent_set.json()["id"]},
        headers=me.headers,
    )
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["noise_suppression"] is False

    async def runtime_config() -> SessionConfig:
        started = await client.post(
            "/api/v1/sessions", json={"template_id": template["id"]}, headers=me.headers
        )
        assert started.status_code == 201, started.text
        response = await client.get(
            f"/api/v1/runtime/session-config/{started.json()['session']['id']}",
            headers=runtime_headers,
        )
        assert response.status_code == 200, response.text
        return SessionConfig.model_validate(response.json())

    assert (await runtime_config()).noise_suppression is False
    patched = await client.patch(
        f"/api/v1/session-templates/{template['id']}",
        json={"noise_suppression": True},
        headers=me.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["noise_suppression"] is True
    read = await client.get(f"/api/v1/session-templates/{template['id']}", headers=me.headers)
    assert read.json()["noise_suppression"] is True
    assert (await runtime_config()).noise_suppression is True
    # Other fields left out of a PATCH keep it.
    renamed = await client.patch(
        f"/api/v1/session-templates/{template['id']}",
        json={"description": "renamed"},
        headers=me.headers,
    )
    assert renamed.json()["noise_suppression"] is True
