"""The runtime's config cache, from the API's side: a started session's resolved config is
primed in Redis for the runtime's first job (which then needs no API call), and a change of one
of its agents or its template deletes that entry at once (not only through the pub/sub hint)."""

from __future__ import annotations

from typing import Any

import httpx
from config_helpers import Caller, caller, create_agent
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_contracts.config import SessionConfig
from troupe_contracts.config_cache import deps_key, start_key


async def _template(client: httpx.AsyncClient, me: Caller) -> tuple[dict[str, Any], Any]:
    agent = await create_agent(client, me, "ava", instructions="Help.")
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
    return dict(created.json()), agent


async def _start(client: httpx.AsyncClient, me: Caller, template_id: str) -> str:
    started = await client.post(
        "/api/v1/sessions", json={"template_id": template_id}, headers=me.headers
    )
    assert started.status_code == 201, started.text
    return str(started.json()["session"]["id"])


async def test_a_started_session_is_primed_for_the_runtime(
    client: httpx.AsyncClient,
    app: FastAPI,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    me = await caller(db, settings)
    template, agent = await _template(client, me)
    session_id = await _start(client, me, template["id"])
    redis = app.state.redis

    raw = await redis.get(start_key(session_id))
    assert raw is not None
    primed = SessionConfig.model_validate_json(raw)
    served = await client.get(
        f"/api/v1/runtime/session-config/{session_id}", headers=runtime_headers
    )
    assert served.status_code == 200
    # The same document the runtime would have asked for.
    assert primed == SessionConfig.model_validate(served.json())
    assert 0 < await redis.ttl(start_key(session_id)) <= 15 * 60
    for dependency in (agent["id"], template["id"]):
        assert start_key(session_id) in await redis.smembers(deps_key(dependency))


async def test_a_change_deletes_the_primed_config(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    template, agent = await _template(client, me)
    redis = app.state.redis

    by_agent = await _start(client, me, template["id"])
    changed = await client.patch(
        f"/api/v1/agents/{agent['id']}", json={"greeting": "Hi there"}, headers=me.headers
    )
    assert changed.status_code == 200, changed.text
    assert await redis.get(start_key(by_agent)) is None
    assert await redis.exists(deps_key(agent["id"])) == 0

    by_template = await _start(client, me, template["id"])
    assert await redis.get(start_key(by_template)) is not None
    renamed = await client.patch(
        f"/api/v1/session-templates/{template['id']}",
        json={"idle_timeout_s": 300},
        headers=me.headers,
    )
    assert renamed.status_code == 200, renamed.text
    assert await redis.get(start_key(by_template)) is None
