"""Regressions the authenticated schemathesis run (test_api_fuzz_authenticated.py) found: each
request here answered 5xx before its fix."""

from __future__ import annotations

import httpx
from api_factories import bearer_for, make_published_template, make_user
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
