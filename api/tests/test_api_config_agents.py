"""Agents: CRUD, validation codes and messages, versions, diff, rollback, duplicate,
starters, agent sets and their handoff graph, catalog, invalidation messages."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from config_helpers import Caller, agent_body, caller, create_agent, problems
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.agents.models import AgentVersion
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Role
from troupe_contracts.constants import CONFIG_INVALIDATE_CHANNEL

A = "/api/v1/agents"


async def test_agent_crud_with_every_field(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    await create_agent(client, me, "max")
    body = agent_body(
        "ava",
        stt="local/whisper-tiny",
        llm="local/smollm2",
        tts="local/piper-joe",
        tools=["show_toast", "request_camera"],
        handoffs=[{"agent": "max", "context_policy": "reset", "description": "for tech"}],
        modalities=["camera", "screen"],
        panels=["notepad", "code"],
        vision={"enabled": True, "detail": "high", "fps_speaking": 2.0},
    )
    created = await client.post(A, json=body, headers=me.headers)
    assert created.status_code == 201, created.text
    agent = created.json()
    assert agent["version"] == 1 and agent["organization_id"] == str(me.org.id)
    for key in ("slug", "tools", "modalities", "panels", "greeting", "voice"):
        assert agent[key] == body[key]
    assert agent["handoffs"] == [
        {
            "agent": "max",
            "context_policy": "reset",
            "description": "for tech",
            "last_n": None,
            "variables": [],
            "reject_when": None,
        }
    ]
    assert agent["vision"]["detail"] == "high" and agent["vision"]["fps_speaking"] == 2.0

    listed = (await client.get(A, headers=me.headers)).json()["items"]
    assert [a["slug"] for a in listed] == ["ava", "max"]
    got = (await client.get(f"{A}/{agent['id']}", headers=me.headers)).json()
    assert got == agent

    patched = await client.patch(
        f"{A}/{agent['id']}", json={"greeting": "Hello"}, headers=me.headers
    )
    assert patched.json()["greeting"] == "Hello" and patched.json()["version"] == 2
    same = await client.patch(f"{A}/{agent['id']}", json={"greeting": "Hello"}, headers=me.headers)
    assert same.json()["version"] == 2, "an identical save is not a new version"
    replaced = await client.put(
        f"{A}/{agent['id']}",
        json={"name": "Ava", "instructions": "Short.", "voice": "joe"},
        headers=me.headers,
    )
    assert replaced.json()["version"] == 3 and replaced.json()["tools"] == []

    taken = await client.post(A, json=agent_body("ava"), headers=me.headers)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "agent_slug_taken"

    # max is a handoff target of nobody now; ava can go.
    deleted = await client.delete(f"{A}/{agent['id']}", headers=me.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"{A}/{agent['id']}", headers=me.headers)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "agent_not_found"


async def test_agent_validation_codes_and_messages(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    other = await caller(db, settings)
    await create_agent(client, other, "elsewhere")
    response = await client.post(
        A,
        json=agent_body(
            "bad",
            stt="nope/model",
            llm="local/piper-joe",
            tts="local/piper-joe",
            voice="alice",
            tools=["no_such_tool", "show_toast", "show_toast"],
            handoffs=[{"agent": "elsewhere"}, {"agent": "bad"}],
            modalities=["hologram"],
            panels=["spreadsheet"],
        ),
        headers=me.headers,
    )
    assert problems(response) == [
        ("provider_unknown", "stt", "stt provider 'nope/model' is not in the catalog."),
        (
            "provider_role_mismatch",
            "llm",
            "'local/piper-joe' is a tts provider, not a llm provider.",
        ),
        (
            "voice_unknown",
            "voice",
            "Voice 'alice' is not offered by 'local/piper-joe' (voices: joe).",
        ),
        ("tool_unknown", "tools[0]", "Tool 'no_such_tool' is not in the tool registry."),
        ("tool_duplicate", "tools", "Tool 'show_toast' is listed twice."),
        (
            "handoff_target_unknown",
            "handoffs[0].agent",
            "Handoff target 'elsewhere' is not an agent of this organization.",
        ),
        ("handoff_self", "handoffs[1].agent", "An agent cannot hand off to itself."),
        ("modality_unknown", "modalities[0]", "'hologram' is not a modality (camera, screen)."),
        (
            "panel_unknown",
            "panels[0]",
            "'spreadsheet' is not a panel type (slides, notepad, code, whiteboard, document).",
        ),
    ]
    assert response.json()["error"]["message"] == "The configuration has 9 problems."

    one = await client.post(A, json=agent_body("one", tools=["x_tool"]), headers=me.headers)
    assert one.json()["error"]["message"] == "Tool 'x_tool' is not in the tool registry."


async def test_test_only_providers_need_the_setting(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    body = agent_body("echo", llm="fake/echo")
    original = settings.enable_test_providers
    try:
        settings.enable_test_providers = False
        refused = await client.post(A, json=body, headers=me.headers)
        assert problems(refused) == [
            (
                "provider_test_only",
                "llm",
                "'fake/echo' is a test-only provider; it needs TROUPE_ENABLE_TEST_PROVIDERS.",
            )
        ]
        catalog = (await client.get("/api/v1/catalog")).json()
        assert "fake/echo" not in {p["id"] for p in catalog["providers"]}
        settings.enable_test_providers = True
        assert (await client.post(A, json=body, headers=me.headers)).status_code == 201
        catalog = (await client.get("/api/v1/catalog")).json()
        assert "fake/echo" in {p["id"] for p in catalog["providers"]}
        assert catalog["panels"] == ["slides", "notepad", "code", "whiteboard", "document"]
        assert catalog["modality_profiles"]["audio_camera"] == ["camera"]
    finally:
        settings.enable_test_providers = original


async def test_versions_diff_and_rollback(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    agent = await create_agent(client, me, "tutor", greeting="v1", tools=["show_toast"])
    url = f"{A}/{agent['id']}"
    await client.patch(url, json={"greeting": "v2"}, headers=me.headers)
    await client.patch(url, json={"greeting": "v3", "panels": ["slides"]}, headers=me.headers)

    versions = (await client.get(f"{url}/versions", headers=me.headers)).json()["items"]
    assert [v["version"] for v in versions] == [3, 2, 1]
    assert versions[2]["snapshot"]["greeting"] == "v1"
    assert versions[0]["created_by"].startswith("user:")
    one = (await client.get(f"{url}/versions/1", headers=me.headers)).json()
    assert one["snapshot"]["tools"] == ["show_toast"]
    missing = await client.get(f"{url}/versions/9", headers=me.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "agent_version_not_found"

    diff = (await client.get(f"{url}/diff?from=1&to=3", headers=me.headers)).json()
    assert diff["from_version"] == 1 and diff["to_version"] == 3
    assert diff["changes"] == [
        {"field": "greeting", "before": "v1", "after": "v3"},
        {"field": "panels", "before": [], "after": ["slides"]},
    ]
    to_current = (await client.get(f"{url}/diff?from=2", headers=me.headers)).json()
    assert to_current["to_version"] == 3

    rolled = await client.post(f"{url}/rollback", json={"version": 1}, headers=me.headers)
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["version"] == 4 and rolled.json()["greeting"] == "v1"
    assert rolled.json()["panels"] == []
    history = (await client.get(f"{url}/versions", headers=me.headers)).json()["items"]
    assert [v["version"] for v in history] == [4, 3, 2, 1]
    assert history[0]["snapshot"] == history[3]["snapshot"]
    no_changes = (await client.get(f"{url}/diff?from=1&to=4", headers=me.headers)).json()
    assert no_changes["changes"] == []


async def test_versions_are_immutable_rows(
    db: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    me = await caller(db, settings)
    agent = await create_agent(client, me, "solo")
    await client.patch(f"{A}/{agent['id']}", json={"name": "Solo 2"}, headers=me.headers)
    rows = list(
        await db.scalars(
            select(AgentVersion)
            .where(AgentVersion.agent_id == uuid.UUID(agent["id"]))
            .order_by(AgentVersion.version)
        )
    )
    assert [(r.version, r.snapshot["name"]) for r in rows] == [(1, "Solo"), (2, "Solo 2")]


async def test_duplicate_and_starters(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    starters = (await client.get("/api/v1/agent-templates", headers=me.headers)).json()["items"]
    assert {s["id"] for s in starters} >= {"receptionist", "tutor", "code_reviewer", "sales_demo"}
    for starter in starters:
        made = await client.post(
            f"{A}/from-template",
            json={"template": starter["id"], "slug": starter["id"]},
            headers=me.headers,
        )
        assert made.status_code == 201, made.text
        assert made.json()["instructions"] == starter["agent"]["instructions"]
    unknown = await client.post(
        f"{A}/from-template", json={"template": "pirate", "slug": "arr"}, headers=me.headers
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "agent_template_unknown"

    tutor = next(
        a for a in (await client.get(A, headers=me.headers)).json()["items"] if a["slug"] == "tutor"
    )
    copy = await client.post(
        f"{A}/{tutor['id']}/duplicate", json={"slug": "tutor_two"}, headers=me.headers
    )
    assert copy.status_code == 201
    assert copy.json()["name"] == "Tutor (copy)" and copy.json()["version"] == 1
    assert copy.json()["panels"] == tutor["panels"] and copy.json()["id"] != tutor["id"]


async def test_roles(client: httpx.AsyncClient, db: AsyncSession, settings: Settings) -> None:
    admin = await caller(db, settings)
    viewer = await caller(db, settings, Role.VIEWER, org=admin.org)
    await create_agent(client, admin, "ava")
    assert (await client.get(A, headers=viewer.headers)).status_code == 200
    refused = await client.post(A, json=agent_body("nope"), headers=viewer.headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_required"


async def _set(
    client: httpx.AsyncClient, who: Caller, name: str, initial: str, agents: list[str]
) -> httpx.Response:
    return await client.post(
        "/api/v1/agent-sets",
        json={"name": name, "initial_agent": initial, "agents": agents},
        headers=who.headers,
    )


async def test_agent_sets_and_handoff_graph(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    for slug in ("d", "c"):
        await create_agent(client, me, slug)
    plan = {
        "agent": "c",
        "context_policy": "last_n",
        "last_n": 5,
        "variables": [{"name": "topic", "type": "string", "required": True}],
        "reject_when": {
            "conditions": [{"variable": "topic", "op": "eq", "value": "unknown"}],
            "message": "Ask what they need first.",
        },
    }
    await create_agent(client, me, "b", handoffs=[plan])
    await create_agent(client, me, "a", handoffs=[{"agent": "b"}])
    await create_agent(client, me, "outsider")
    # c -> a closes the cycle a -> b -> c -> a; d is reachable from nobody.
    c = next(
        x for x in (await client.get(A, headers=me.headers)).json()["items"] if x["slug"] == "c"
    )
    await client.patch(f"{A}/{c['id']}", json={"handoffs": [{"agent": "a"}]}, headers=me.headers)

    created = await _set(client, me, "Topology", "a", ["a", "b", "c", "d"])
    assert created.status_code == 201, created.text
    graph = (
        await client.get(f"/api/v1/agent-sets/{created.json()['id']}/graph", headers=me.headers)
    ).json()
    assert graph["nodes"] == ["a", "b", "c", "d"]
    assert graph["unreachable"] == ["d"]
    assert graph["cycles"] == [["a", "b", "c", "a"]] and graph["has_cycles"] is True
    assert {(e["source"], e["target"]) for e in graph["edges"]} == {
        ("a", "b"),
        ("b", "c"),
        ("c", "a"),
    }
    # Each edge carries its whole plan: the topology page labels and badges it.
    edges = {(e["source"], e["target"]): e for e in graph["edges"]}
    assert edges[("b", "c")]["context_policy"] == "last_n" and edges[("b", "c")]["last_n"] == 5
    assert [v["name"] for v in edges[("b", "c")]["variables"]] == ["topic"]
    assert edges[("b", "c")]["reject_when"]["message"] == "Ask what they need first."
    assert edges[("a", "b")]["variables"] == [] and edges[("a", "b")]["reject_when"] is None

    bad = await _set(client, me, "Broken", "zed", ["a", "b", "ghost", "a"])
    assert problems(bad) == [
        ("set_agent_unknown", "agents[2]", "Agent 'ghost' is not an agent of this organization."),
        ("set_agent_duplicate", "agents", "Agent 'a' is listed twice."),
        (
            "set_initial_agent_not_member",
            "initial_agent",
            "The initial agent 'zed' is not in the set.",
        ),
        (
            "handoff_target_not_in_set",
            "agents",
            "Agent 'b' hands off to 'c', which is not in the set.",
        ),
    ]
    # An agent in a set may hand off only inside the set.
    a = next(
        x for x in (await client.get(A, headers=me.headers)).json()["items"] if x["slug"] == "a"
    )
    out = await client.patch(
        f"{A}/{a['id']}", json={"handoffs": [{"agent": "outsider"}]}, headers=me.headers
    )
    assert problems(out) == [
        (
            "handoff_target_not_in_set",
            "handoffs[0].agent",
            "Handoff target 'outsider' is not in agent set 'Topology', which 'a' belongs to.",
        )
    ]
    in_use = await client.delete(f"{A}/{a['id']}", headers=me.headers)
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "agent_in_use"
    assert in_use.json()["error"]["details"] == {"agent_sets": ["Topology"], "handoffs_from": ["c"]}


async def test_changes_are_published_for_runtime_caches(
    client: httpx.AsyncClient, app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    pubsub = app.state.redis.pubsub()
    await pubsub.subscribe(CONFIG_INVALIDATE_CHANNEL)
    try:
        await pubsub.get_message(timeout=1.0)  # subscribe confirmation
        agent = await create_agent(client, me, "pub")
        await client.patch(f"{A}/{agent['id']}", json={"greeting": "new"}, headers=me.headers)
        received: list[str] = []
        for _ in range(20):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message:
                received.append(message["data"])
            if len(received) >= 2:
                break
            await asyncio.sleep(0)
        assert received == [agent["id"], agent["id"]]
    finally:
        await pubsub.unsubscribe(CONFIG_INVALIDATE_CHANNEL)
        await pubsub.aclose()
