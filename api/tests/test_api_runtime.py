from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from api_factories import (
    bearer_for,
    make_agent,
    make_deployment,
    make_org,
    make_published_session,
    make_session,
    make_template,
    make_user,
)
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.agents.models import Agent
from troupe_api.core.settings import Settings
from troupe_api.organizations.models import Organization, Role
from troupe_api.sessions.models import Session
from troupe_contracts.config import SessionConfig
from troupe_contracts.providers import provider_by_id


async def _session(db: AsyncSession) -> Session:
    return (await make_published_session(db))[1]


async def test_runtime_endpoints_require_the_runtime_token(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    session = await _session(db)
    url = f"/api/v1/runtime/session-config/{session.id}"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        response = await client.get(url, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] == "runtime_token_invalid"
    log = await client.post(f"/api/v1/runtime/sessions/{session.id}/log", json={"entries": []})
    assert log.status_code == 401


async def test_session_config_is_resolved_from_template_and_agents(
    client: httpx.AsyncClient, db: AsyncSession, runtime_headers: dict[str, str]
) -> None:
    session = await _session(db)
    response = await client.get(
        f"/api/v1/runtime/session-config/{session.id}", headers=runtime_headers
    )
    assert response.status_code == 200, response.text
    config = SessionConfig.model_validate(response.json())
    assert config.session_id == session.id
    assert config.organization_id == session.organization_id
    assert config.template_id == session.template_id
    assert config.initial_agent == "ava"
    assert [a.slug for a in config.agents] == ["ava", "max"]
    assert config.agent("ava").handoffs[0].agent == "max"
    assert [p.value for p in config.agent("max").panels] == ["code"]
    assert config.modality_profile == "audio_camera"
    assert config.idle_timeout_s == 60 and config.max_duration_s == 600
    for agent in config.agents:
        for provider in (agent.stt, agent.llm, agent.tts):
            assert provider_by_id(provider) is not None


async def test_session_config_rejects_unknown_provider(
    client: httpx.AsyncClient, db: AsyncSession, runtime_headers: dict[str, str]
) -> None:
    org = await make_org(db)
    await make_agent(db, org, "bad", llm="nonexistent/model", tts="local/whisper-tiny")
    template = await make_template(db, org, ["bad", "ghost"])
    deployment = await make_deployment(db, org, template)
    session = await make_session(db, org, template, deployment, participant_identity="user-x")
    response = await client.get(
        f"/api/v1/runtime/session-config/{session.id}", headers=runtime_headers
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "session_config_invalid"
    problems = " ".join(error["details"]["problems"])
    assert "nonexistent/model" in problems and "ghost" in problems and "stt provider" in problems


async def test_unknown_session(client: httpx.AsyncClient, runtime_headers: dict[str, str]) -> None:
    response = await client.get(
        f"/api/v1/runtime/session-config/{uuid.uuid4()}", headers=runtime_headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "session_not_found"


def _entries(*seqs: int) -> list[dict[str, object]]:
    ts = datetime.now(UTC).isoformat()
    return [
        {
            "kind": "message",
            "seq": s,
            "ts": ts,
            "role": "user" if s % 2 else "assistant",
            "text": f"m{s}",
        }
        for s in seqs
    ]


async def test_log_ingestion_is_idempotent_and_ordered(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    runtime_headers: dict[str, str],
) -> None:
    session = await _session(db)
    url = f"/api/v1/runtime/sessions/{session.id}/log"

    first = await client.post(url, json={"entries": _entries(2, 0, 1)}, headers=runtime_headers)
    assert first.json() == {"accepted": 3, "duplicate": 0, "final": False}
    resend = await client.post(url, json={"entries": _entries(2, 0, 1)}, headers=runtime_headers)
    assert resend.json() == {"accepted": 0, "duplicate": 3, "final": False}
    transition = {
        "kind": "transition",
        "seq": 3,
        "ts": datetime.now(UTC).isoformat(),
        "from_agent": "ava",
        "to_agent": "max",
    }
    final = await client.post(
        url,
        json={"entries": [*_entries(1), transition], "final": True, "close_reason": "user_left"},
        headers=runtime_headers,
    )
    assert final.json() == {"accepted": 1, "duplicate": 1, "final": True}

    viewer = await make_user(db, await db.get(Organization, session.organization_id), Role.VIEWER)
    headers = await bearer_for(db, settings, viewer)
    log = (await client.get(f"/api/v1/sessions/{session.id}/log", headers=headers)).json()
    assert log["complete"] is True and log["close_reason"] == "user_left"
    assert [e["seq"] for e in log["entries"]] == [0, 1, 2, 3]
    assert log["entries"][3]["kind"] == "transition"
    assert log["entries"][0]["text"] == "m0"

    invalid = await client.post(
        url, json={"entries": [{"kind": "nope", "seq": 9}]}, headers=runtime_headers
    )
    assert invalid.status_code == 422


async def test_agent_model_version_bumps_on_change(db: AsyncSession) -> None:
    org = await make_org(db)
    agent: Agent = await make_agent(db, org, "v")
    assert agent.version == 1
    again = await make_agent(db, org, "v")
    assert again.version == 1
    changed = await make_agent(db, org, "v", greeting="new")
    assert changed.version == 2
