"""Endpointing per session template: Smart Turn (default) or plain VAD silence, with optional
delays; stored on the template, changed by PATCH, checked, and carried by the runtime config."""

from __future__ import annotations

from typing import Any

import httpx
from config_helpers import Caller, caller, create_agent, problems
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_contracts.config import SessionConfig


async def _agent_set(client: httpx.AsyncClient, me: Caller) -> str:
    await create_agent(client, me, "ava")
    agent_set = await client.post(
        "/api/v1/agent-sets",
        json={"name": "Solo", "initial_agent": "ava", "agents": ["ava"]},
        headers=me.headers,
    )
    assert agent_set.status_code == 201, agent_set.text
    return str(agent_set.json()["id"])


async def _create(client: httpx.AsyncClient, me: Caller, **fields: Any) -> httpx.Response:
    return await client.post(
        "/api/v1/session-templates",
        json={"name": "Support", "agent_set_id": await _agent_set(client, me), **fields},
        headers=me.headers,
    )


async def _runtime_config(
    client: httpx.AsyncClient, me: Caller, runtime_headers: dict[str, str], template_id: str
) -> SessionConfig:
    started = await client.post(
        "/api/v1/sessions", json={"template_id": template_id}, headers=me.headers
    )
    assert started.status_code == 201, started.text
    response = await client.get(
        f"/api/v1/runtime/session-config/{started.json()['session']['id']}",
        headers=runtime_headers,
    )
    assert response.status_code == 200, response.text
    return SessionConfig.model_validate(response.json())


async def test_a_template_defaults_to_smart_turn_with_the_modes_delays(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, runtime_headers: dict[str, str]
) -> None:
    me = await caller(db, settings)
    created = await _create(client, me)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["endpointing"] == "smart_turn"
    assert body["endpointing_min_delay_ms"] is None and body["endpointing_max_delay_ms"] is None
    config = await _runtime_config(client, me, runtime_headers, body["id"])
    assert config.endpointing == "smart_turn"
    assert config.endpointing_min_delay_ms is None and config.endpointing_max_delay_ms is None


async def test_plain_vad_with_its_delays_reaches_the_runtime(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, runtime_headers: dict[str, str]
) -> None:
    me = await caller(db, settings)
    created = await _create(
        client, me, endpointing="vad", endpointing_min_delay_ms=800, endpointing_max_delay_ms=2500
    )
    assert created.status_code == 201, created.text
    template = created.json()
    assert (
        template["endpointing"],
        template["endpointing_min_delay_ms"],
        template["endpointing_max_delay_ms"],
    ) == ("vad", 800, 2500)
    config = await _runtime_config(client, me, runtime_headers, template["id"])
    assert (
        config.endpointing,
        config.endpointing_min_delay_ms,
        config.endpointing_max_delay_ms,
    ) == (
        "vad",
        800,
        2500,
    )

    # PATCH back to Smart Turn; the delays stay unless changed
    patched = await client.patch(
        f"/api/v1/session-templates/{template['id']}",
        json={"endpointing": "smart_turn", "endpointing_max_delay_ms": None},
        headers=me.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["endpointing"] == "smart_turn"
    assert patched.json()["endpointing_min_delay_ms"] == 800
    assert patched.json()["endpointing_max_delay_ms"] is None
    config = await _runtime_config(client, me, runtime_headers, template["id"])
    assert (config.endpointing, config.endpointing_min_delay_ms) == ("smart_turn", 800)


async def test_unknown_modes_and_unordered_or_out_of_range_delays_are_refused(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    set_id = await _agent_set(client, me)

    async def create(name: str, **fields: Any) -> httpx.Response:
        return await client.post(
            "/api/v1/session-templates",
            json={"name": name, "agent_set_id": set_id, **fields},
            headers=me.headers,
        )

    unknown = await create("Semantic", endpointing="semantic")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "validation_error"
    too_long = await create("Slow", endpointing_max_delay_ms=60_000)
    assert too_long.status_code == 422
    unordered = await create(
        "Backwards", endpointing_min_delay_ms=3000, endpointing_max_delay_ms=1000
    )
    assert problems(unordered) == [
        (
            "endpointing_delays_out_of_order",
            "endpointing_min_delay_ms",
            "endpointing_min_delay_ms must not exceed endpointing_max_delay_ms.",
        )
    ]
