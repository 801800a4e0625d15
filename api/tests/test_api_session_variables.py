"""Session variables: a template declares them, a session start passes their values (checked
against the declaration, defaults applied) and the runtime session config carries them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from api_factories import make_deployment
from config_helpers import Caller, caller, create_agent, problems
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.sessions.models import Session
from troupe_api.templates.models import SessionTemplate
from troupe_contracts.config import SessionConfig

DECLARED = [
    {"name": "customer_name", "type": "string", "required": True, "description": "Who calls."},
    {"name": "plan", "type": "string", "default": "basic"},
    {"name": "seats", "type": "integer"},
    {"name": "balance", "type": "number"},
    {"name": "vip", "type": "boolean", "default": False},
]


async def _template(client: httpx.AsyncClient, me: Caller) -> dict[str, Any]:
    await create_agent(client, me, "ava", instructions="Greet {{customer_name}}.")
    agent_set = await client.post(
        "/api/v1/agent-sets",
        json={"name": "Solo", "initial_agent": "ava", "agents": ["ava"]},
        headers=me.headers,
    )
    assert agent_set.status_code == 201, agent_set.text
    created = await client.post(
        "/api/v1/session-templates",
        json={"name": "Support", "agent_set_id": agent_set.json()["id"], "variables": DECLARED},
        headers=me.headers,
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


async def _start(
    client: httpx.AsyncClient, me: Caller, template_id: str, variables: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        "/api/v1/sessions",
        json={"template_id": template_id, "variables": variables},
        headers=me.headers,
    )


async def _config(
    client: httpx.AsyncClient, runtime_headers: dict[str, str], session_id: str
) -> SessionConfig:
    response = await client.get(
        f"/api/v1/runtime/session-config/{session_id}", headers=runtime_headers
    )
    assert response.status_code == 200, response.text
    return SessionConfig.model_validate(response.json())


async def _count(db: AsyncSession, me: Caller) -> int:
    return int(
        await db.scalar(
            select(func.count()).select_from(Session).where(Session.organization_id == me.org.id)
        )
        or 0
    )


async def test_a_template_stores_its_declared_variables(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    template = await _template(client, me)
    assert [v["name"] for v in template["variables"]] == [v["name"] for v in DECLARED]
    assert template["variables"][1]["default"] == "basic"
    url = f"/api/v1/session-templates/{template['id']}"
    again = await client.get(url, headers=me.headers)
    assert again.json()["variables"] == template["variables"]

    patched = await client.patch(
        url, json={"variables": [{"name": "topic", "type": "string"}]}, headers=me.headers
    )
    assert patched.status_code == 200, patched.text
    assert [v["name"] for v in patched.json()["variables"]] == ["topic"]

    twice = await client.patch(
        url,
        json={"variables": [{"name": "topic"}, {"name": "topic", "type": "number"}]},
        headers=me.headers,
    )
    assert ("variable_duplicate", "variables.1.name") in [(c, f) for c, f, _ in problems(twice)]
    bad_default = await client.patch(
        url,
        json={"variables": [{"name": "seats", "type": "integer", "default": "many"}]},
        headers=me.headers,
    )
    assert bad_default.status_code == 422
    bad_name = await client.patch(
        url, json={"variables": [{"name": "Customer Name"}]}, headers=me.headers
    )
    assert bad_name.status_code == 422


async def test_the_session_config_carries_the_started_variables_with_defaults(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    me = await caller(db, settings)
    template = await _template(client, me)
    started = await _start(
        client, me, template["id"], {"customer_name": "Ada", "seats": 3, "balance": 12.5}
    )
    assert started.status_code == 201, started.text
    session_id = started.json()["session"]["id"]
    row = await db.get(Session, uuid.UUID(session_id))
    assert row is not None
    assert row.variables == {
        "customer_name": "Ada",
        "plan": "basic",
        "seats": 3,
        "balance": 12.5,
        "vip": False,
    }
    config = await _config(client, runtime_headers, session_id)
    assert config.variables == row.variables
    assert isinstance(config.variables["seats"], int)
    assert config.variables["vip"] is False


async def test_a_start_is_refused_for_unknown_wrong_type_or_missing_variables(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    template = await _template(client, me)
    assert await _count(db, me) == 0

    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        ({"customer_name": "Ada", "coupon": "x"}, [("variable_unknown", "coupon")]),
        ({"customer_name": "Ada", "seats": "three"}, [("variable_type", "seats")]),
        ({"customer_name": "Ada", "seats": 2.5}, [("variable_type", "seats")]),
        ({"customer_name": "Ada", "vip": 1}, [("variable_type", "vip")]),
        ({"customer_name": "Ada", "balance": True}, [("variable_type", "balance")]),
        ({}, [("variable_required", "customer_name")]),
        (
            {"plan": 7, "other": 1},
            [
                ("variable_unknown", "other"),
                ("variable_required", "customer_name"),
                ("variable_type", "plan"),
            ],
        ),
    ]
    for variables, expected in cases:
        response = await _start(client, me, template["id"], variables)
        assert response.status_code == 422, (variables, response.text)
        error = response.json()["error"]
        assert error["code"] == "session_variables_invalid", error
        assert [(p["code"], p["name"]) for p in error["details"]["problems"]] == expected
    # Nothing was created for a refused start.
    assert await _count(db, me) == 0

    # Out of the request's bounds: refused by the request schema.
    too_long = await _start(client, me, template["id"], {"customer_name": "x" * 1001})
    assert too_long.status_code == 422
    nested = await _start(client, me, template["id"], {"customer_name": {"first": "Ada"}})
    assert nested.status_code == 422


async def test_server_start_passes_variables_to_the_runtime(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    me = await caller(db, settings)
    template = await _template(client, me)
    row = await db.get(SessionTemplate, uuid.UUID(template["id"]))
    assert row is not None
    deployment = await make_deployment(db, me.org, row)
    await db.commit()
    body = {"embed_key": deployment.embed_key, "variables": {"customer_name": "Grace"}}
    started = await client.post("/api/v1/sessions/server-start", json=body, headers=me.headers)
    assert started.status_code == 201, started.text
    config = await _config(client, runtime_headers, started.json()["session"]["id"])
    assert config.variables == {"customer_name": "Grace", "plan": "basic", "vip": False}

    missing = await client.post(
        "/api/v1/sessions/server-start",
        json={"embed_key": deployment.embed_key},
        headers=me.headers,
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "session_variables_invalid"
