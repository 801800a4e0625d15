"""Simulations API: scenario CRUD with tenancy and roles, the run lifecycle (queue → claim by
the runtime → result → diff against the previous run)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from api_factories import bearer_for, make_org, make_published_template, make_user
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Organization, Role
from troupe_api.simulations import service
from troupe_api.simulations.models import SimulationRun
from troupe_api.templates.models import SessionTemplate
from troupe_contracts.config import SessionConfig
from troupe_contracts.simulation import SimulationClaim

BASE = "/api/v1/simulations"


def scenario_body(template_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "billing handoff",
        "goal": "get to billing",
        "template_id": template_id,
        "user": {"turns": ["I have a billing question"]},
        "mocks": {"lookup_order": {"result": "refunded"}},
        "criteria": [
            {"type": "handoff", "to_agent": "max"},
            {"type": "must_not_say", "pattern": "sorry"},
        ],
        **extra,
    }


def result_body(verdict: str, *, handoff: str, reply: str) -> dict[str, Any]:
    return {
        "scenario": "billing handoff",
        "mode": "text",
        "verdict": verdict,
        "turns": [
            {"index": 0, "agent": "ava", "replies": [{"agent": "ava", "text": "Hi from ava"}]},
            {
                "index": 1,
                "user_text": "I have a billing question",
                "agent": "max",
                "replies": [{"agent": "max", "text": reply}],
                "handoffs": [{"from_agent": "ava", "to_agent": "max"}],
                "latency_ms": 12.5,
            },
        ],
        "criteria": [
            {
                "criterion": {"type": "handoff", "to_agent": "max"},
                "name": "hands off to max",
                "status": handoff,
                "reason": "ava handed off to max in turn 1",
            }
        ],
        "duration_ms": 42.0,
        "user_turns": 1,
        "finished": True,
    }


async def member_scenario(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> tuple[Organization, SessionTemplate, dict[str, str], str]:
    """An org with a published template, a member's headers and the member's scenario id."""
    org, template, _ = await make_published_template(db)
    member = await bearer_for(db, settings, await make_user(db, org, Role.MEMBER))
    created = await client.post(
        f"{BASE}/scenarios", json=scenario_body(str(template.id)), headers=member
    )
    assert created.status_code == 201, created.text
    return org, template, member, created.json()["id"]


async def drain_claims(client: httpx.AsyncClient, runtime_headers: dict[str, str]) -> None:
    """Claims every queued run (other tests' runs may be queued) until none is left."""
    while (
        await client.post("/api/v1/runtime/simulation-runs/claim", headers=runtime_headers)
    ).status_code == 200:
        pass


async def test_scenario_crud_roles_and_tenancy(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    org, template, _ = await make_published_template(db)
    member = await bearer_for(db, settings, await make_user(db, org, Role.MEMBER))
    viewer = await bearer_for(db, settings, await make_user(db, org, Role.VIEWER))
    other_org = await make_org(db, "Other")
    other = await bearer_for(db, settings, await make_user(db, other_org, Role.ADMIN))

    created = await client.post(
        f"{BASE}/scenarios", json=scenario_body(str(template.id)), headers=member
    )
    assert created.status_code == 201, created.text
    scenario = created.json()
    assert scenario["template_id"] == str(template.id)
    assert scenario["scenario"]["criteria"][0] == {"type": "handoff", "to_agent": "max"}
    sid = scenario["id"]

    # viewers read, cannot write
    listed = await client.get(
        f"{BASE}/scenarios", params={"template_id": str(template.id)}, headers=viewer
    )
    assert [s["id"] for s in listed.json()["items"]] == [sid]
    refused = await client.put(
        f"{BASE}/scenarios/{sid}", json=scenario_body(str(template.id)), headers=viewer
    )
    assert refused.status_code == 403
    assert (
        await client.post(f"{BASE}/scenarios/{sid}/runs", json={}, headers=viewer)
    ).status_code == 403

    # another organization sees nothing and cannot aim a scenario at this template
    assert (await client.get(f"{BASE}/scenarios/{sid}", headers=other)).status_code == 404
    assert (await client.get(f"{BASE}/scenarios", headers=other)).json()["items"] == []
    stolen = await client.post(
        f"{BASE}/scenarios", json=scenario_body(str(template.id)), headers=other
    )
    assert stolen.status_code == 404
    assert stolen.json()["error"]["code"] == "session_template_not_found"

    # validation: a bad regex, a mock with both result and error, no template
    for body in (
        scenario_body(str(template.id), criteria=[{"type": "must_not_say", "pattern": "("}]),
        scenario_body(str(template.id), mocks={"t": {"result": "a", "error": "b"}}),
        {**scenario_body(str(template.id)), "template_id": None},
    ):
        bad = await client.post(f"{BASE}/scenarios", json=body, headers=member)
        assert bad.status_code == 422, body
        assert bad.json()["error"]["code"] == "validation_error"

    updated = await client.put(
        f"{BASE}/scenarios/{sid}",
        json=scenario_body(str(template.id), name="renamed", max_turns=3),
        headers=member,
    )
    assert updated.status_code == 200
    assert updated.json()["name"] == "renamed" and updated.json()["scenario"]["max_turns"] == 3

    assert (await client.delete(f"{BASE}/scenarios/{sid}", headers=other)).status_code == 404
    assert (await client.delete(f"{BASE}/scenarios/{sid}", headers=member)).status_code == 204
    assert (await client.get(f"{BASE}/scenarios/{sid}", headers=member)).status_code == 404


async def test_run_lifecycle_claim_result_and_diff(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    _, _, member, sid = await member_scenario(client, db, settings)
    other = await bearer_for(db, settings, await make_user(db, await make_org(db, "B"), Role.ADMIN))

    # nothing of ours queued yet (other tests' runs may be; drain them first)
    await drain_claims(client, runtime_headers)

    queued = await client.post(
        f"{BASE}/scenarios/{sid}/runs", json={"mode": "text"}, headers=member
    )
    assert queued.status_code == 202, queued.text
    run = queued.json()
    assert run["status"] == "queued" and run["verdict"] is None and run["result"] is None
    assert run["scenario"]["name"] == "billing handoff"
    assert (await client.get(f"{BASE}/runs/{run['id']}", headers=other)).status_code == 404

    # the runtime token is required to claim
    assert (await client.post("/api/v1/runtime/simulation-runs/claim")).status_code == 401
    # an audio runner does not get a text run
    audio_only = await client.post(
        "/api/v1/runtime/simulation-runs/claim", params={"mode": "audio"}, headers=runtime_headers
    )
    assert audio_only.status_code == 204

    claimed = await client.post("/api/v1/runtime/simulation-runs/claim", headers=runtime_headers)
    assert claimed.status_code == 200, claimed.text
    claim = SimulationClaim.model_validate(claimed.json())
    assert str(claim.run_id) == run["id"] and claim.error is None
    assert isinstance(claim.config, SessionConfig)
    assert [a.slug for a in claim.config.agents] == ["ava", "max"]
    assert claim.scenario.mocks["lookup_order"].result == "refunded"
    # claimed once: nobody else gets it
    again = await client.post("/api/v1/runtime/simulation-runs/claim", headers=runtime_headers)
    assert again.status_code == 204
    running = (await client.get(f"{BASE}/runs/{run['id']}", headers=member)).json()
    assert running["status"] == "running" and running["claimed_at"] is not None

    posted = await client.post(
        f"/api/v1/runtime/simulation-runs/{run['id']}/result",
        json=result_body("passed", handoff="passed", reply="Max here, about your bill."),
        headers=runtime_headers,
    )
    assert posted.status_code == 200, posted.text
    twice = await client.post(
        f"/api/v1/runtime/simulation-runs/{run['id']}/result",
        json=result_body("passed", handoff="passed", reply="x"),
        headers=runtime_headers,
    )
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "simulation_run_not_running"

    done = (await client.get(f"{BASE}/runs/{run['id']}", headers=member)).json()
    assert done["status"] == "completed" and done["verdict"] == "passed"
    assert done["duration_ms"] == 42.0
    assert done["result"]["turns"][1]["handoffs"] == [{"from_agent": "ava", "to_agent": "max"}]
    first_diff = (await client.get(f"{BASE}/runs/{run['id']}/diff", headers=member)).json()
    assert first_diff["previous_run_id"] is None and first_diff["verdict_before"] is None

    # a second run that regresses
    second = (await client.post(f"{BASE}/scenarios/{sid}/runs", json={}, headers=member)).json()
    assert (
        await client.post("/api/v1/runtime/simulation-runs/claim", headers=runtime_headers)
    ).json()["run_id"] == second["id"]
    await client.post(
        f"/api/v1/runtime/simulation-runs/{second['id']}/result",
        json=result_body("failed", handoff="failed", reply="Sorry, I cannot."),
        headers=runtime_headers,
    )
    d = (await client.get(f"{BASE}/runs/{second['id']}/diff", headers=member)).json()
    assert d["previous_run_id"] == run["id"]
    assert (d["verdict_before"], d["verdict_after"]) == ("passed", "failed")
    assert d["regressions"] == ["hands off to max"]
    assert "-max: Max here, about your bill." in d["transcript"]
    assert "+max: Sorry, I cannot." in d["transcript"]

    runs = (await client.get(f"{BASE}/runs", params={"scenario_id": sid}, headers=member)).json()
    assert [r["id"] for r in runs["items"]] == [second["id"], run["id"]]
    scenarios = (await client.get(f"{BASE}/scenarios", headers=member)).json()["items"]
    assert scenarios[0]["last_run"]["id"] == second["id"]
    assert scenarios[0]["last_run"]["verdict"] == "failed"


async def test_a_lost_claim_is_claimed_again_then_given_up(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    _, _, member, sid = await member_scenario(client, db, settings)
    await drain_claims(client, runtime_headers)
    run_id = (await client.post(f"{BASE}/scenarios/{sid}/runs", json={}, headers=member)).json()[
        "id"
    ]

    for attempt in range(1, service.MAX_ATTEMPTS + 1):
        claimed = await client.post(
            "/api/v1/runtime/simulation-runs/claim", headers=runtime_headers
        )
        assert claimed.json()["run_id"] == run_id, attempt
        # the runner died: its lease runs out
        run = await db.get(SimulationRun, run_id)
        assert run is not None
        await db.refresh(run)
        run.claimed_at = datetime.now(UTC) - timedelta(seconds=service.CLAIM_LEASE_S + 1)
        await db.commit()

    gone = await client.post("/api/v1/runtime/simulation-runs/claim", headers=runtime_headers)
    assert gone.status_code == 204
    final = (await client.get(f"{BASE}/runs/{run_id}", headers=member)).json()
    assert final["status"] == "completed" and final["verdict"] == "error"
    assert "no result after 3 attempts" in final["result"]["error"]


async def test_an_unrunnable_template_is_claimed_with_the_problem(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    _, template, member, sid = await member_scenario(client, db, settings)
    template.agent_slugs = ["ava", "ghost"]
    await db.commit()
    await drain_claims(client, runtime_headers)
    run_id = (await client.post(f"{BASE}/scenarios/{sid}/runs", json={}, headers=member)).json()[
        "id"
    ]
    claim = SimulationClaim.model_validate(
        (await client.post("/api/v1/runtime/simulation-runs/claim", headers=runtime_headers)).json()
    )
    assert str(claim.run_id) == run_id and claim.config is None
    assert claim.error is not None and "ghost" in claim.error
