"""Import/export: a non-trivial topology (5 agents, a cycle, webhook tools) round-trips
exactly; dry runs write nothing; invalid documents report every problem."""

from __future__ import annotations

from typing import Any

import httpx
from config_helpers import caller
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings


def _agent(slug: str, **fields: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": slug.title(),
        "instructions": f"You are {slug}.",
        "greeting": "",
        "stt": "local/whisper-tiny",
        "llm": "local/smollm2",
        "tts": "local/piper-joe",
        "voice": "joe",
        "tools": [],
        "handoffs": [],
        "modalities": [],
        "panels": [],
        "vision": {
            "enabled": False,
            "detail": "low",
            "fps_speaking": 1.0,
            "fps_silent": 0.2,
            "max_size": 1024,
        },
        "language": "en",
        "knowledge_bases": [],
        "knowledge_auto_tokens": 0,
        **fields,
    }


def _handoff(target: str, policy: str = "preserve", **plan: Any) -> dict[str, Any]:
    return {
        "agent": target,
        "context_policy": policy,
        "description": f"to {target}",
        "last_n": None,
        "variables": [],
        "reject_when": None,
        **plan,
    }


BILLING_PLAN: dict[str, Any] = {
    "last_n": 6,
    "variables": [
        {
            "name": "customer_name",
            "description": "The caller's name",
            "type": "string",
            "required": True,
        },
        {"name": "amount", "description": "", "type": "number", "required": False},
    ],
    "reject_when": {
        "match": "any",
        "conditions": [
            {"variable": "plan", "op": "in", "value": ["free", "trial"]},
            {"variable": "amount", "op": "gt", "value": 5000},
        ],
        "message": "Billing cannot take this; help the caller yourself.",
    },
}


def _tool(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name} webhook",
        "url": f"https://hooks.example.com/{name}",
        "method": "POST",
        "headers": {"X-Team": "support"},
        "secret_headers": {},
        "parameters": {
            "type": "object",
            "properties": {"q": {"type": "string"}},
            "required": ["q"],
        },
        "timeout_s": 8.0,
        **fields,
    }


DOCUMENT: dict[str, Any] = {
    "format": "troupe.config",
    "version": 1,
    "tools": [_tool("crm_lookup", method="GET"), _tool("ticket_create")],
    # Agents reference each other and tools defined in the same document; sorted by slug.
    "agents": [
        _agent("billing", tools=["ticket_create"], handoffs=[_handoff("frontdesk")]),
        _agent(
            "frontdesk",
            tools=["crm_lookup", "show_toast"],
            handoffs=[_handoff("billing", "last_n", **BILLING_PLAN), _handoff("tech", "reset")],
            panels=["notepad"],
        ),
        _agent("greeter", handoffs=[_handoff("frontdesk")]),
        _agent(
            "supervisor",
            modalities=["screen"],
            vision={
                "enabled": True,
                "detail": "high",
                "fps_speaking": 2.0,
                "fps_silent": 0.5,
                "max_size": 768,
            },
        ),
        _agent(
            "tech",
            tools=["crm_lookup", "ticket_create", "request_screen_share"],
            handoffs=[_handoff("frontdesk"), _handoff("supervisor")],
            modalities=["screen"],
            panels=["code", "whiteboard"],
        ),
    ],
    "agent_sets": [
        {
            "name": "Support desk",
            "description": "frontdesk <-> billing, frontdesk <-> tech -> supervisor",
            "initial_agent": "frontdesk",
            "agents": ["frontdesk", "billing", "tech", "supervisor", "greeter"],
        }
    ],
}


async def test_import_export_round_trip(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    dry = await client.post("/api/v1/import?dry_run=true", json=DOCUMENT, headers=me.headers)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["valid"] is True and report["dry_run"] is True
    assert report["created"]["agents"] == ["billing", "frontdesk", "greeter", "supervisor", "tech"]
    assert (await client.get("/api/v1/agents", headers=me.headers)).json()["items"] == []
    assert (await client.get("/api/v1/export", headers=me.headers)).json()["agents"] == []

    imported = await client.post("/api/v1/import", json=DOCUMENT, headers=me.headers)
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"]["tools"] == ["crm_lookup", "ticket_create"]
    exported = (await client.get("/api/v1/export", headers=me.headers)).json()
    assert exported == DOCUMENT

    # Into a second, empty organization: the same document again.
    other = await caller(db, settings)
    assert (
        await client.post("/api/v1/import", json=exported, headers=other.headers)
    ).status_code == 200
    assert (await client.get("/api/v1/export", headers=other.headers)).json() == DOCUMENT

    # Re-importing is a no-op; the set's graph shows the cycle and the unreachable greeter.
    again = (await client.post("/api/v1/import", json=exported, headers=me.headers)).json()
    assert again["created"] == {"tools": [], "agents": [], "agent_sets": []}
    assert again["unchanged"]["agents"] == ["billing", "frontdesk", "greeter", "supervisor", "tech"]
    sets = (await client.get("/api/v1/agent-sets", headers=me.headers)).json()["items"]
    graph = (
        await client.get(f"/api/v1/agent-sets/{sets[0]['id']}/graph", headers=me.headers)
    ).json()
    assert graph["unreachable"] == ["greeter"]
    assert graph["cycles"] == [
        ["frontdesk", "billing", "frontdesk"],
        ["frontdesk", "tech", "frontdesk"],
    ]


async def test_import_reports_every_problem_and_writes_nothing(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    bad = {
        "tools": [_tool("show_toast")],
        "agents": [
            _agent("a", tools=["missing_tool"], handoffs=[_handoff("nobody")]),
            _agent("a"),
        ],
        "agent_sets": [{"name": "S", "initial_agent": "a", "agents": ["a", "ghost"]}],
    }
    dry = (await client.post("/api/v1/import?dry_run=true", json=bad, headers=me.headers)).json()
    assert dry["valid"] is False
    codes = [(p["code"], p["field"]) for p in dry["problems"]]
    assert codes == [
        ("import_duplicate", "agents"),
        ("tool_name_reserved", "tools[0].name"),
        ("tool_unknown", "agents[0].tools[0]"),
        ("handoff_target_unknown", "agents[0].handoffs[0].agent"),
        ("set_agent_unknown", "agent_sets[0].agents[1]"),
    ]
    real = await client.post("/api/v1/import", json=bad, headers=me.headers)
    assert real.status_code == 422 and real.json()["error"]["code"] == "config_invalid"
    assert (await client.get("/api/v1/export", headers=me.headers)).json() == {
        "format": "troupe.config",
        "version": 1,
        "tools": [],
        "agents": [],
        "agent_sets": [],
    }


async def test_masked_secrets_import_as_unset_with_a_warning(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    document = {"tools": [_tool("crm", secret_headers={"Authorization": "********"})]}
    report = (await client.post("/api/v1/import", json=document, headers=me.headers)).json()
    assert [w["code"] for w in report["warnings"]] == ["secret_header_unset"]
    exported = (await client.get("/api/v1/export", headers=me.headers)).json()
    assert exported["tools"][0]["secret_headers"] == {"Authorization": "********"}
