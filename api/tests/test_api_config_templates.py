"""Session templates: validation, environment overrides, pinned versions, clone, share and
revoke, and the runtime session config resolved from agents, versions and tools."""

from __future__ import annotations

from typing import Any

import httpx
from config_helpers import Caller, caller, create_agent, problems
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings
from troupe_api.sessions import service as sessions
from troupe_contracts.config import SessionConfig

S = "/api/v1/session-templates"


async def _world(client: httpx.AsyncClient, me: Caller) -> dict[str, Any]:
    """ava (camera, notepad) <-> max (code); a webhook tool; a set of both."""
    tool = await client.post(
        "/api/v1/tools",
        json={
            "name": "crm_lookup",
            "description": "Find a customer.",
            "url": "https://crm.example.com/find",
            "secret_headers": {"X-Api-Key": "crm-secret"},
            "headers": {"X-Plain": "p"},
        },
        headers=me.headers,
    )
    assert tool.status_code == 201
    await create_agent(client, me, "max", panels=["code"])
    ava = await create_agent(
        client,
        me,
        "ava",
        modalities=["camera"],
        panels=["notepad"],
        tools=["crm_lookup", "show_toast"],
        handoffs=[{"agent": "max", "description": "Tech."}],
    )
    agent_set = await client.post(
        "/api/v1/agent-sets",
        json={"name": "Duo", "initial_agent": "ava", "agents": ["ava", "max"]},
        headers=me.headers,
    )
    assert agent_set.status_code == 201, agent_set.text
    return {"set": agent_set.json(), "ava": ava}


def _template(set_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": "Support",
        "agent_set_id": set_id,
        "modality_profile": "audio_camera",
        "enabled_panels": ["notepad", "code"],
        "idle_timeout_s": 60,
        "max_duration_s": 900,
        **fields,
    }


async def test_template_crud_and_validation(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    me = await caller(db, settings)
    world = await _world(client, me)
    set_id = world["set"]["id"]
    created = await client.post(S, json=_template(set_id), headers=me.headers)
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["initial_agent"] == "ava", "defaults to the set's initial agent"
    assert template["agents"] == ["ava", "max"]

    bad = await client.post(
        S,
        json=_template(
            set_id,
            name="Bad",
            initial_agent="ghost",
            modality_profile="audio",
            enabled_panels=["notepad", "whiteboard", "hologram"],
            pinned_versions={"max": 7, "nobody": 1},
        ),
        headers=me.headers,
    )
    assert problems(bad) == [
        (
            "initial_agent_not_in_set",
            "initial_agent",
            "The initial agent 'ghost' is not in the template's agent set.",
        ),
        ("pinned_version_unknown", "pinned_versions.max", "Agent 'max' has no version 7."),
        (
            "pinned_agent_not_in_set",
            "pinned_versions.nobody",
            "Pinned agent 'nobody' is not in the template's agent set.",
        ),
        (
            "modality_not_allowed",
            "modality_profile",
            "Agent 'ava' needs the camera, which modality profile 'audio' does not allow.",
        ),
        (
            "panel_not_allowed",
            "enabled_panels[1]",
            "Panel 'whiteboard' is enabled but no agent of the set may use it.",
        ),
        (
            "panel_unknown",
            "enabled_panels[2]",
            "'hologram' is not a panel type (slides, notepad, code, whiteboard, document).",
        ),
    ]
    no_set = await client.post(
        S, json=_template("00000000-0000-0000-0000-000000000000", name="X"), headers=me.headers
    )
    assert problems(no_set) == [
        ("agent_set_unknown", "agent_set_id", "The agent set does not exist in this organization.")
    ]
    override = await client.patch(
        f"{S}/{template['id']}",
        json={"environment_overrides": {"staging": {"modality_profile": "audio_screen"}}},
        headers=me.headers,
    )
    assert problems(override) == [
        (
            "modality_not_allowed",
            "environment_overrides.staging.modality_profile",
            "Agent 'ava' needs the camera, which modality profile 'audio_screen' does not allow.",
        )
    ]
    dup = await client.post(S, json=_template(set_id), headers=me.headers)
    assert dup.status_code == 409
    assert dup.json()["error"]["code"] == "session_template_name_taken"

    in_use = await client.delete(f"/api/v1/agent-sets/{set_id}", headers=me.headers)
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "agent_set_in_use"
    assert (await client.delete(f"{S}/{template['id']}", headers=me.headers)).status_code == 204


async def _session_config(
    client: httpx.AsyncClient,
    db: AsyncSession,
    me: Caller,
    template_id: str,
    runtime_headers: dict[str, str],
) -> httpx.Response:
    import uuid

    session = await sessions.create(
        db=db,
        organization_id=me.org.id,
        template_id=uuid.UUID(template_id),
        deployment_id=None,
        end_user_id=None,
        participant_identity="user-r",
        metadata={},
    )
    await db.commit()
    return await client.get(f"/api/v1/runtime/session-config/{session.id}", headers=runtime_headers)


async def test_runtime_config_resolves_versions_tools_panels_and_environment(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    me = await caller(db, settings)
    world = await _world(client, me)
    ava_url = f"/api/v1/agents/{world['ava']['id']}"
    await client.patch(ava_url, json={"greeting": "Version two"}, headers=me.headers)
    template = (
        await client.post(
            S,
            json=_template(
                world["set"]["id"],
                pinned_versions={"ava": 1, "max": "latest"},
                environment_overrides={
                    "dev": {"idle_timeout_s": 30, "enabled_panels": ["code"]},
                    "production": {"pinned_versions": {"ava": "latest"}},
                },
            ),
            headers=me.headers,
        )
    ).json()
    assert template["pinned_versions"] == {"ava": 1}
    staging = (await client.get(f"{S}/{template['id']}?environment=dev", headers=me.headers)).json()
    assert staging["idle_timeout_s"] == 30 and staging["environment"] == "dev"

    response = await _session_config(client, db, me, template["id"], runtime_headers)
    assert response.status_code == 200, response.text
    config = SessionConfig.model_validate(response.json())
    # Tests run with TROUPE_ENV=test: the "dev" override applies.
    assert config.idle_timeout_s == 30 and [p.value for p in config.enabled_panels] == ["code"]
    ava = config.agent("ava")
    assert ava.version == 1 and ava.greeting == "Hi from ava", "pinned to version 1"
    tools = {t.name: t for t in ava.tools}
    assert set(tools) == {"crm_lookup", "show_toast"}, "notepad is not enabled in dev"
    assert tools["crm_lookup"].kind == "webhook"
    assert tools["crm_lookup"].headers == {"X-Plain": "p", "X-Api-Key": "crm-secret"}
    assert tools["show_toast"].kind == "builtin"
    max_tools = {t.name for t in config.agent("max").tools}
    assert max_tools == {"open_code", "control_code", "read_code", "close_code"}
    assert ava.handoffs[0].agent == "max" and ava.handoffs[0].description == "Tech."

    original = settings.config_environment
    try:
        settings.config_environment = "production"
        prod = SessionConfig.model_validate(
            (await _session_config(client, db, me, template["id"], runtime_headers)).json()
        )
    finally:
        settings.config_environment = original
    assert prod.agent("ava").greeting == "Version two" and prod.agent("ava").version == 2
    assert prod.idle_timeout_s == 60
    assert {t.name for t in prod.agent("ava").tools} >= {"open_notepad", "crm_lookup"}


async def test_clone_share_and_revoke(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    owner = await caller(db, settings)
    world = await _world(client, owner)
    template = (
        await client.post(S, json=_template(world["set"]["id"]), headers=owner.headers)
    ).json()
    analysis = {
        "schema": {"type": "object", "properties": {"order_id": {"type": "string"}}},
        "criteria": [{"name": "has_order", "field": "order_id"}],
    }
    experiment = {"arms": [{"name": "a", "weight": 1}, {"name": "b", "weight": 1}]}
    owner.org.plan = "enterprise"
    await db.commit()
    for part, body in (("analysis", analysis), ("experiment", experiment)):
        put = await client.put(f"{S}/{template['id']}/{part}", json=body, headers=owner.headers)
        assert put.status_code == 200, put.text
    copy = await client.post(f"{S}/{template['id']}/clone", json={}, headers=owner.headers)
    assert copy.status_code == 201, copy.text
    assert copy.json()["name"] == "Support (copy)"
    assert copy.json()["agent_set_id"] == template["agent_set_id"]
    copy_url = f"{S}/{copy.json()['id']}"
    copied_analysis = (await client.get(f"{copy_url}/analysis", headers=owner.headers)).json()
    assert copied_analysis["schema"] == analysis["schema"]
    copied_experiment = (await client.get(f"{copy_url}/experiment", headers=owner.headers)).json()
    assert [a["name"] for a in copied_experiment["arms"]] == ["a", "b"]

    guest = await caller(db, settings)
    url = f"{S}/{template['id']}"
    assert (await client.get(url, headers=guest.headers)).status_code == 404
    assert (await client.post(f"{url}/clone", json={}, headers=guest.headers)).status_code == 404

    shared = await client.post(
        f"{url}/shares", json={"organization": guest.org.slug}, headers=owner.headers
    )
    assert shared.status_code == 201, shared.text
    share = shared.json()
    assert share["target_organization_id"] == str(guest.org.id) and share["revoked_at"] is None
    self_share = await client.post(
        f"{url}/shares", json={"organization": str(owner.org.id)}, headers=owner.headers
    )
    assert self_share.json()["error"]["code"] == "share_target_invalid"

    listed = (await client.get(f"{S}/shared", headers=guest.headers)).json()["items"]
    assert [t["id"] for t in listed] == [template["id"]] and listed[0]["shared"] is True
    read = await client.get(url, headers=guest.headers)
    assert read.status_code == 200 and read.json()["shared"] is True
    # The guest cannot change it.
    patch = await client.patch(url, json={"description": "x"}, headers=guest.headers)
    assert patch.status_code == 404

    cloned = await client.post(f"{url}/clone", json={"name": "Mine"}, headers=guest.headers)
    assert cloned.status_code == 201, cloned.text
    mine = cloned.json()
    assert mine["organization_id"] == str(guest.org.id) and mine["agents"] == ["ava", "max"]
    mine_url = f"{S}/{mine['id']}"
    guest_analysis = (await client.get(f"{mine_url}/analysis", headers=guest.headers)).json()
    assert guest_analysis["schema"] == analysis["schema"]
    # the owner's arms name the owner's agent sets: no experiment in the guest's copy
    guest_experiment = (await client.get(f"{mine_url}/experiment", headers=guest.headers)).json()
    assert guest_experiment["enabled"] is False and guest_experiment["arms"] == []
    guest_export = (await client.get("/api/v1/export", headers=guest.headers)).json()
    assert [a["slug"] for a in guest_export["agents"]] == ["ava", "max"]
    assert guest_export["tools"][0]["name"] == "crm_lookup"
    assert guest_export["tools"][0]["secret_headers"] == {"X-Api-Key": "********"}

    revoked = await client.delete(f"{url}/shares/{share['id']}", headers=owner.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert (await client.get(url, headers=guest.headers)).status_code == 404
    assert (await client.get(f"{S}/shared", headers=guest.headers)).json()["items"] == []
    assert (await client.post(f"{url}/clone", json={}, headers=guest.headers)).status_code == 404
    # The clone stays the guest's own.
    assert (await client.get(f"{S}/{mine['id']}", headers=guest.headers)).status_code == 200
    shares = (await client.get(f"{url}/shares", headers=owner.headers)).json()["items"]
    assert len(shares) == 1 and shares[0]["revoked_at"] is not None
