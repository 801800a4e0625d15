"""A simulation scenario sets session variables: checked against its template's declared
variables as a session start checks them (422 ``session_variables_invalid``), and the claimed
run's session config carries them (template defaults applied)."""

from __future__ import annotations

from typing import Any

import httpx
from config_helpers import caller
from sqlalchemy.ext.asyncio import AsyncSession
from test_api_session_variables import _template
from troupe_api.core.settings import Settings
from troupe_contracts.simulation import SimulationClaim

BASE = "/api/v1/simulations"
CLAIM = "/api/v1/runtime/simulation-runs/claim"


def scenario(template_id: str, variables: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "greets the caller by name",
        "template_id": template_id,
        "user": {"turns": ["hello"]},
        "variables": variables,
    }


async def test_scenario_variables_are_checked_and_reach_the_claimed_config(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    me = await caller(db, settings)
    template = await _template(client, me)
    bad = await client.post(
        f"{BASE}/scenarios",
        json=scenario(template["id"], {"seats": "many", "nope": 1}),
        headers=me.headers,
    )
    assert bad.status_code == 422, bad.text
    error = bad.json()["error"]
    assert error["code"] == "session_variables_invalid"
    assert {(p["code"], p["name"]) for p in error["details"]["problems"]} == {
        ("variable_unknown", "nope"),
        ("variable_type", "seats"),
        ("variable_required", "customer_name"),
    }

    created = await client.post(
        f"{BASE}/scenarios",
        json=scenario(template["id"], {"customer_name": "Sam", "seats": 3}),
        headers=me.headers,
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert created.json()["scenario"]["variables"] == {"customer_name": "Sam", "seats": 3}

    # an update is checked the same way
    update = await client.put(
        f"{BASE}/scenarios/{sid}",
        json=scenario(template["id"], {"customer_name": 7}),
        headers=me.headers,
    )
    assert update.status_code == 422
    assert update.json()["error"]["code"] == "session_variables_invalid"

    while (await client.post(CLAIM, headers=runtime_headers)).status_code == 200:
        pass  # other tests' queued runs
    queued = await client.post(f"{BASE}/scenarios/{sid}/runs", json={}, headers=me.headers)
    assert queued.status_code == 202, queued.text
    claimed = await client.post(CLAIM, headers=runtime_headers)
    assert claimed.status_code == 200, claimed.text
    claim = SimulationClaim.model_validate(claimed.json())
    assert claim.error is None and claim.config is not None
    assert claim.config.variables == {
        "customer_name": "Sam",
        "seats": 3,
        "plan": "basic",
        "vip": False,
    }
