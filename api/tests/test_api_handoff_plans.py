"""Handoff context plans, variables and rejection rules through the agents API: stored and read
back, every mistake reported with its own code and field, legacy ``preserve``/``reset`` and
old export documents still accepted, and the runtime config carrying the plan."""

from __future__ import annotations

from typing import Any

import httpx
from config_helpers import agent_body, caller, create_agent, problems
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.redaction import EMAIL_TOKEN, redact_entry
from troupe_api.core.settings import Settings

A = "/api/v1/agents"

PLAN: dict[str, Any] = {
    "agent": "billing",
    "context_policy": "last_n",
    "description": "the caller asks about a charge",
    "last_n": 4,
    "variables": [
        {
            "name": "customer_name",
            "description": "The caller's name",
            "type": "string",
            "required": True,
        },
        {"name": "amount", "description": "", "type": "number", "required": False},
        {"name": "verified", "description": "", "type": "boolean", "required": False},
    ],
    "reject_when": {
        "match": "all",
        "conditions": [
            {"variable": "verified", "op": "eq", "value": False},
            {"variable": "amount", "op": "gte", "value": 100},
        ],
        "message": "Verify the caller before a large refund.",
    },
}


async def test_a_full_plan_is_stored_versioned_and_read_back(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    await create_agent(client, me, "billing")
    created = await create_agent(client, me, "host", handoffs=[PLAN])
    assert created["handoffs"] == [PLAN]
    got = (await client.get(f"{A}/{created['id']}", headers=me.headers)).json()
    assert got["handoffs"] == [PLAN]

    summary = {**PLAN, "context_policy": "summary", "last_n": None, "reject_when": None}
    patched = await client.patch(
        f"{A}/{created['id']}", json={"handoffs": [summary]}, headers=me.headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["handoffs"] == [summary] and patched.json()["version"] == 2
    diff = (await client.get(f"{A}/{created['id']}/diff?from=1&to=2", headers=me.headers)).json()
    assert [c["field"] for c in diff["changes"]] == ["handoffs"]


async def test_every_plan_and_the_legacy_names_are_accepted(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    await create_agent(client, me, "billing")
    for i, policy in enumerate(["all", "conversation", "none", "summary", "preserve", "reset"]):
        agent = await create_agent(
            client, me, f"a{i}", handoffs=[{"agent": "billing", "context_policy": policy}]
        )
        assert agent["handoffs"][0]["context_policy"] == policy
        assert (
            agent["handoffs"][0]["variables"] == [] and agent["handoffs"][0]["reject_when"] is None
        )


async def test_plan_mistakes_each_get_a_stable_code(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    await create_agent(client, me, "billing")
    await create_agent(client, me, "tech")
    variable = {"name": "plan", "type": "string"}
    handoffs = [
        {"agent": "billing", "context_policy": "last_n", "variables": [variable, variable]},
        {
            "agent": "tech",
            "variables": [{"name": "vip", "type": "boolean"}],
            "reject_when": {
                "conditions": [
                    {"variable": "vip", "op": "eq", "value": "yes"},
                    {"variable": "age", "op": "lt", "value": "eighteen"},
                    {"variable": "plan", "op": "in", "value": "free"},
                    {"variable": "plan", "op": "exists", "value": "free"},
                    {"variable": "plan", "op": "ne"},
                ],
                "message": "No.",
            },
        },
    ]
    response = await client.post(A, json=agent_body("host", handoffs=handoffs), headers=me.headers)
    conditions = "handoffs[1].reject_when.conditions"
    assert problems(response) == [
        (
            "handoff_last_n_required",
            "handoffs[0].last_n",
            "The last_n plan needs last_n, the number of messages to pass.",
        ),
        (
            "handoff_variable_duplicate",
            "handoffs[0].variables",
            "Variable 'plan' is declared twice.",
        ),
        (
            "handoff_rule_value_invalid",
            f"{conditions}[0].value",
            "Condition on 'vip': 'vip' is declared as boolean; compare it with one.",
        ),
        (
            "handoff_rule_value_invalid",
            f"{conditions}[1].value",
            "Condition on 'age': 'lt' compares numbers and needs a number.",
        ),
        (
            "handoff_rule_value_invalid",
            f"{conditions}[2].value",
            "Condition on 'plan': 'in' needs a non-empty list of values.",
        ),
        (
            "handoff_rule_value_invalid",
            f"{conditions}[3].value",
            "Condition on 'plan': 'exists' takes no value.",
        ),
        (
            "handoff_rule_value_invalid",
            f"{conditions}[4].value",
            "Condition on 'plan': 'ne' needs one value.",
        ),
    ]


async def test_rule_and_variable_limits(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    await create_agent(client, me, "billing")
    many = [{"name": f"v{i}"} for i in range(21)]
    condition = {"variable": "v0", "op": "exists"}
    too_large = {"conditions": [condition] * 11, "message": "No."}
    response = await client.post(
        A,
        json=agent_body(
            "host", handoffs=[{"agent": "billing", "variables": many, "reject_when": too_large}]
        ),
        headers=me.headers,
    )
    assert [(c, f) for c, f, _ in problems(response)] == [
        ("handoff_variables_too_many", "handoffs[0].variables"),
        ("handoff_rule_too_large", "handoffs[0].reject_when.conditions"),
    ]
    empty = {"conditions": [], "message": "No."}
    response = await client.post(
        A,
        json=agent_body("host", handoffs=[{"agent": "billing", "reject_when": empty}]),
        headers=me.headers,
    )
    assert [(c, f) for c, f, _ in problems(response)] == [
        ("handoff_rule_empty", "handoffs[0].reject_when.conditions")
    ]


async def test_malformed_fields_are_validation_errors(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    await create_agent(client, me, "billing")
    for bad in [
        {"agent": "billing", "context_policy": "everything"},
        {"agent": "billing", "context_policy": "last_n", "last_n": 0},
        {"agent": "billing", "variables": [{"name": "Customer Name"}]},
        {"agent": "billing", "variables": [{"name": "x", "type": "date"}]},
        {"agent": "billing", "reject_when": {"conditions": [], "message": ""}},
        {
            "agent": "billing",
            "reject_when": {"conditions": [{"variable": "x", "op": "matches"}], "message": "m"},
        },
        {"agent": "billing", "reject_when": {"conditions": [], "message": "m", "code": "eval()"}},
    ]:
        response = await client.post(A, json=agent_body("host", handoffs=[bad]), headers=me.headers)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_error", bad


async def test_an_export_from_before_plans_still_imports(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    old_style = [{"agent": "billing", "context_policy": "reset", "description": "bills"}]
    document = {
        "format": "troupe.config",
        "version": 1,
        "tools": [],
        "agents": [
            agent_body(
                "billing", stt="local/whisper-tiny", llm="local/smollm2", tts="local/piper-joe"
            ),
            agent_body(
                "host",
                stt="local/whisper-tiny",
                llm="local/smollm2",
                tts="local/piper-joe",
                handoffs=old_style,
            ),
        ],
        "agent_sets": [],
    }
    imported = await client.post("/api/v1/import", json=document, headers=me.headers)
    assert imported.status_code == 200, imported.text
    exported = (await client.get("/api/v1/export", headers=me.headers)).json()
    host = next(a for a in exported["agents"] if a["slug"] == "host")
    assert host["handoffs"] == [
        {**old_style[0], "last_n": None, "variables": [], "reject_when": None}
    ]


def test_redaction_covers_handoff_variables_in_the_log() -> None:
    entry = {
        "kind": "transition",
        "seq": 3,
        "from_agent": "host",
        "to_agent": "billing",
        "context_policy": "summary",
        "variables": {"email": "ada@example.com", "amount": 42},
        "summary_method": "extractive",
    }
    redacted = redact_entry(entry)
    assert redacted["variables"] == {"email": EMAIL_TOKEN, "amount": 42}
    assert {k: v for k, v in redacted.items() if k != "variables"} == {
        k: v for k, v in entry.items() if k != "variables"
    }
