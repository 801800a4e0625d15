"""Shared setup of the configuration API tests: an organization with a signed-in user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from api_factories import bearer_for, make_org, make_user
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Organization, Role


@dataclass
class Caller:
    org: Organization
    headers: dict[str, str]


async def caller(
    db: AsyncSession, settings: Settings, role: Role = Role.ADMIN, org: Organization | None = None
) -> Caller:
    org = org or await make_org(db)
    user = await make_user(db, org, role)
    headers = {**await bearer_for(db, settings, user), "X-Troupe-Org": str(org.id)}
    return Caller(org=org, headers=headers)


def agent_body(slug: str, **fields: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": slug.title(),
        "instructions": f"You are {slug}.",
        "greeting": f"Hi from {slug}",
        "voice": "joe",
        **fields,
    }


async def create_agent(client: httpx.AsyncClient, who: Caller, slug: str, **fields: Any) -> Any:
    response = await client.post(
        "/api/v1/agents", json=agent_body(slug, **fields), headers=who.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def problems(response: httpx.Response) -> list[tuple[str, str | None, str]]:
    """(code, field, message) of a ``config_invalid`` answer."""
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "config_invalid", error
    return [(p["code"], p["field"], p["message"]) for p in error["details"]["problems"]]
