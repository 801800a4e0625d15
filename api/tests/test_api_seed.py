from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.agents.models import Agent
from troupe_api.core.settings import Settings
from troupe_api.deployments.models import Deployment
from troupe_api.organizations.models import Membership, Organization
from troupe_api.seed import (
    HANDOFF_EXPERT_GREETING,
    HANDOFF_FRONT_GREETING,
    TEST_AGENT_GREETING,
    seed,
)
from troupe_api.users import service as users
from troupe_api.users.models import User
from troupe_contracts.config import SessionConfig
from troupe_contracts.session import PanelType


async def _counts(db: AsyncSession) -> tuple[int, ...]:
    return tuple(
        [
            await db.scalar(select(func.count()).select_from(model)) or 0
            for model in (Organization, User, Membership, Agent, Deployment)
        ]
    )


async def test_seed_is_idempotent(db: AsyncSession, settings: Settings) -> None:
    first = await seed(db=db, settings=settings)
    counts = await _counts(db)
    second = await seed(db=db, settings=settings)
    assert second == first
    assert await _counts(db) == counts
    assert first.embed_key.startswith("pk_")

    user = await users.get_by_email(db=db, email=settings.demo_email)
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert users.verify_password(user.password_hash, settings.demo_password)

    deployment = await db.scalar(select(Deployment).where(Deployment.embed_key == first.embed_key))
    assert deployment is not None
    assert set(settings.embed_origins) <= set(deployment.allowed_origins)


async def test_seeded_templates_resolve_to_valid_configs(
    db: AsyncSession, settings: Settings, client: httpx.AsyncClient, runtime_headers: dict[str, str]
) -> None:
    result = await seed(db=db, settings=settings)
    keys = [(result.embed_key, "ava")]
    if settings.enable_test_providers:
        assert result.test_embed_key is not None
        keys.append((result.test_embed_key, "test_agent"))
        assert set(result.demo_json()) == {
            "embed_key",
            "template_id",
            "email",
            "test_embed_key",
            "test_template_id",
            "handoff_embed_key",
            "handoff_template_id",
            *(f"panel_{p.value}_embed_key" for p in PanelType),
            "vision_embed_key",
        }
        assert result.handoff_embed_key is not None
        keys.append((result.handoff_embed_key, "test_front"))
        keys += [(key, f"test_{panel}") for panel, key in result.panel_embed_keys]
        assert result.vision_embed_key is not None
        keys.append((result.vision_embed_key, "test_vision"))
    for embed_key, initial in keys:
        started = await client.post(
            "/api/v1/sessions",
            json={"embed_key": embed_key},
            headers={"Origin": settings.web_url},
        )
        assert started.status_code == 201, started.text
        session_id = started.json()["session"]["id"]
        response = await client.get(
            f"/api/v1/runtime/session-config/{session_id}", headers=runtime_headers
        )
        assert response.status_code == 200, response.text
        config = SessionConfig.model_validate(response.json())
        assert config.initial_agent == initial
        if initial == "test_agent":
            agent = config.agent("test_agent")
            assert (agent.stt, agent.llm, agent.tts) == (
                "local/whisper-tiny",
                "fake/echo",
                "local/piper-joe",
            )
            assert agent.greeting == TEST_AGENT_GREETING
        elif initial == "test_front":
            assert {a.slug for a in config.agents} == {"test_front", "test_expert"}
            front, expert = config.agent("test_front"), config.agent("test_expert")
            assert (front.llm, expert.llm) == ("fake/scripted", "fake/scripted")
            assert (front.stt, front.tts) == ("local/whisper-tiny", "local/piper-joe")
            assert [t.name for t in front.tools] == ["log_observation"]
            assert [(h.agent, h.context_policy.value) for h in front.handoffs] == [
                ("test_expert", "summary")
            ]
            assert [v.name for v in front.handoffs[0].variables] == ["topic"]
            assert front.handoffs[0].reject_when is not None
            assert "{{topic}}" in expert.instructions
            assert (front.greeting, expert.greeting) == (
                HANDOFF_FRONT_GREETING,
                HANDOFF_EXPERT_GREETING,
            )
        elif initial.removeprefix("test_") in set(PanelType):
            panel = PanelType(initial.removeprefix("test_"))
            agent = config.agent(initial)
            assert [a.slug for a in config.agents] == [initial]
            assert config.enabled_panels == [panel]
            assert agent.panels == [panel]
            assert (agent.stt, agent.llm, agent.tts) == (
                "local/whisper-tiny",
                "fake/scripted",
                "local/piper-joe",
            )
            # the whiteboard agent sees: read_whiteboard gives it the board as an image
            assert agent.vision.enabled == (panel == PanelType.WHITEBOARD)
        elif initial == "test_vision":
            agent = config.agent("test_vision")
            assert config.modality_profile == "audio_camera_screen"
            assert agent.vision.enabled and agent.llm == "fake/scripted"
            assert [t.name for t in agent.tools] == [
                "request_camera",
                "request_screen_share",
                "share_notes",
            ]
        else:
            assert {a.slug for a in config.agents} == {"ava", "max"}
            assert config.agent("ava").handoffs[0].agent == "max"
