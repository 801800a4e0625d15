"""Walks every route of the OpenAPI spec as anonymous, viewer, member, admin and the admin of
another organization, and compares each answer with ``access_matrix.MATRIX``. Every id in a
path names a real object of organization A (created for the route), so the other
organization's admin is refused a real object, not a missing one."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from access_matrix import MATRIX, ROLES, Expected
from api_factories import bearer_for, make_org, make_published_template, make_user
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.apikeys import service as apikeys
from troupe_api.apikeys.models import Scope
from troupe_api.core.settings import Settings
from troupe_api.invitations import service as invitations
from troupe_api.knowledge.models import KnowledgeBase, KnowledgeDocument
from troupe_api.main import create_app
from troupe_api.models import WebhookDelivery
from troupe_api.organizations.models import Role
from troupe_api.sessions import service as sessions

METHODS = ("get", "post", "put", "patch", "delete")


def _routes() -> list[tuple[str, str, str]]:
    # Settings() rather than get_settings(): collection must not replace the cached object.
    spec = create_app(Settings()).openapi()
    return sorted(
        (op["operationId"], method.upper(), path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    )


ROUTES = _routes()


def test_every_route_is_in_the_matrix() -> None:
    missing = [rid for rid, _, _ in ROUTES if rid not in MATRIX]
    assert not missing, (
        f"add this route to the access matrix (api/tests/access_matrix.py): {missing}"
    )
    stale = set(MATRIX) - {rid for rid, _, _ in ROUTES}
    assert not stale, f"remove routes that no longer exist from the access matrix: {stale}"
    for rid, entry in MATRIX.items():
        assert set(entry["expect"]) == set(ROLES), rid


@dataclass
class World:
    org_id: str
    ids: dict[str, str]
    headers: dict[str, dict[str, str]]
    secrets: list[str]
    """Strings of organization A that no answer to ``anon`` or ``other`` may contain."""


async def _world(db: AsyncSession, settings: Settings) -> World:
    org, template, deployment = await make_published_template(db)
    other_org = await make_org(db, "Other")
    viewer = await make_user(db, org, Role.VIEWER)
    member = await make_user(db, org, Role.MEMBER)
    admin = await make_user(db, org, Role.ADMIN)
    target = await make_user(db, org, Role.MEMBER)
    other = await make_user(db, other_org, Role.ADMIN)
    session = await sessions.create(
        db=db,
        organization_id=org.id,
        template_id=template.id,
        deployment_id=None,
        end_user_id="eu",
        participant_identity="user-x",
        metadata={
            "session_id": "00000000-0000-0000-0000-000000000000",
            "organization_id": str(org.id),
            "template_id": str(template.id),
            "user_id": "eu",
            "modality_profile": "audio",
        },
    )
    session.metadata_ = {**session.metadata_, "session_id": str(session.id)}
    invitation, _ = await invitations.create(
        db=db,
        organization_id=org.id,
        email="invitee@example.com",
        role=Role.VIEWER,
        invited_by=admin.id,
        ttl_s=3600,
    )
    key, _ = await apikeys.create(
        db=db,
        organization_id=org.id,
        created_by=admin.id,
        name="k",
        scopes=[Scope.SESSIONS_READ],
        expires_at=None,
    )
    base = KnowledgeBase(
        organization_id=org.id, name="Handbook", embedding_model="all-MiniLM-L6-v2"
    )
    db.add(base)
    await db.flush()
    document = KnowledgeDocument(
        organization_id=org.id,
        knowledge_base_id=base.id,
        filename="handbook.md",
        declared_type="text/markdown",
        size_bytes=1,
        sha256="0" * 64,
        storage_key=f"knowledge/{org.id}/{base.id}/doc",
        status="queued",
    )
    db.add(document)
    await db.commit()
    headers = {"anon": {}}
    for role, user in (("viewer", viewer), ("member", member), ("admin", admin), ("other", other)):
        headers[role] = await bearer_for(db, settings, user)
    ids = {
        "session_id": str(session.id),
        "user_id": str(target.id),
        "invitation_id": str(invitation.id),
        "api_key_id": str(key.id),
        "template_id": str(template.id),
        "embed_key": deployment.embed_key,
        "deployment_id": str(deployment.id),
        "provider": "unknown-provider",
        "key_provider": "deepgram",
        "base_id": str(base.id),
        "document_id": str(document.id),
    }
    secrets_ = [str(org.id), str(session.id), str(template.id), org.slug, session.room_name]
    secrets_ += [str(deployment.id)]
    secrets_ += [str(base.id), str(document.id)]
    secrets_ += [u.email for u in (viewer, member, admin, target)]
    return World(org_id=str(org.id), ids=ids, headers=headers, secrets=secrets_)


async def _created(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> str:
    response = await client.request(method, url, **kwargs)
    assert response.status_code in (200, 201, 202), (url, response.text)
    return str(response.json()["id"])


async def _add_objects(
    client: httpx.AsyncClient, db: AsyncSession, world: World, params: set[str]
) -> None:
    """Real objects of organization A for the path parameters the route names, created by A's
    admin through the API (a delivery has no creating route: stored like the worker does)."""
    admin = world.headers["admin"]
    ids = world.ids
    if params & {"endpoint_id", "delivery_id"}:
        ids["endpoint_id"] = await _created(
            client,
            "POST",
            "/api/v1/webhook-endpoints",
            json={"url": "https://hooks.example/a", "events": ["session.ended"]},
            headers=admin,
        )
        endpoint_id = uuid.UUID(ids["endpoint_id"])
        delivery = WebhookDelivery(
            organization_id=uuid.UUID(world.org_id),
            endpoint_id=endpoint_id,
            event_id=f"evt_{uuid.uuid4().hex}",
            event_type="session.ended",
            payload={"type": "session.ended"},
            status="failed",
        )
        db.add(delivery)
        await db.commit()
        ids["delivery_id"] = str(delivery.id)
    if params & {"scenario_id", "run_id"}:
        ids["scenario_id"] = await _created(
            client,
            "POST",
            "/api/v1/simulations/scenarios",
            json={"name": "A scenario", "template_id": ids["template_id"]},
            headers=admin,
        )
        ids["run_id"] = await _created(
            client,
            "POST",
            f"/api/v1/simulations/scenarios/{ids['scenario_id']}/runs",
            json={"mode": "text"},
            headers=admin,
        )
    if "price_id" in params:
        ids["price_id"] = await _created(
            client,
            "PUT",
            "/api/v1/usage/prices",
            json={"provider": "openai", "model": "gpt-a", "llm_input_per_mtok_micros": 7},
            headers=admin,
        )
    if params & {"agent_id", "version"}:
        ids["agent_id"] = await _created(
            client,
            "POST",
            "/api/v1/agents",
            json={"slug": "zed", "name": "Zed", "instructions": "Be brief."},
            headers=admin,
        )
        ids["version"] = "1"
    if "set_id" in params:
        ids["set_id"] = await _created(
            client,
            "POST",
            "/api/v1/agent-sets",
            json={"name": "A set", "initial_agent": "ava", "agents": ["ava", "max"]},
            headers=admin,
        )
    if "tool_id" in params:
        ids["tool_id"] = await _created(
            client,
            "POST",
            "/api/v1/tools",
            json={"name": "a_hook", "description": "d", "url": "https://hooks.invalid/x"},
            headers=admin,
        )
    if "share_id" in params:
        partner = await make_org(db, "Partner")
        await db.commit()
        ids["share_id"] = await _created(
            client,
            "POST",
            f"/api/v1/session-templates/{ids['template_id']}/shares",
            json={"organization": partner.slug},
            headers=admin,
        )
    world.secrets += [
        ids[p] for p in params if p in ids and p not in ("provider", "key_provider", "version")
    ]


def _fill(value: Any, world: World, role: str) -> Any:
    if isinstance(value, str):
        return value.replace("{role}", role).format_map(world.ids) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, world, role) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world, role) for v in value]
    return value


def _matches(expected: Expected, status: int) -> bool:
    if isinstance(expected, int):
        return status == expected
    return str(status)[0] == expected[0]


@pytest.mark.parametrize(("route_id", "method", "path"), ROUTES, ids=[r[0] for r in ROUTES])
async def test_route_access(
    route_id: str,
    method: str,
    path: str,
    client: httpx.AsyncClient,
    app: FastAPI,
    db: AsyncSession,
    settings: Settings,
) -> None:
    entry = MATRIX.get(route_id)
    if entry is None:
        pytest.fail(f"add this route to the access matrix: {route_id} ({method} {path})")
    world = await _world(db, settings)
    await _add_objects(client, db, world, set(re.findall(r"\{(\w+)\}", path)))
    url = re.sub(r"\{(\w+)\}", lambda m: world.ids.get(m.group(1), str(uuid.uuid4())), path)
    if entry.get("query"):
        url += "?" + entry["query"]
    failures = []
    # Destructive successes last: admin after everyone else.
    for role in ("anon", "other", "viewer", "member", "admin"):
        kwargs: dict[str, Any] = {"headers": world.headers[role]}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = _fill(entry.get("body", {}), world, role)
        response = await client.request(method, url, **kwargs)
        expected = entry["expect"][role]
        if not _matches(expected, response.status_code):
            failures.append(
                f"{role}: expected {expected}, got {response.status_code} {response.text[:200]}"
            )
        if response.status_code >= 400 and response.content:
            body = response.json()
            assert set(body) == {"error"} and "code" in body["error"], (role, body)
        if role in ("anon", "other"):
            leaked = [
                s for s in world.secrets if s in response.text + json.dumps(dict(response.headers))
            ]
            assert not leaked, f"{route_id} as {role} leaked organization A's data: {leaked}"
    assert not failures, f"{route_id} ({method} {path}):\n" + "\n".join(failures)
