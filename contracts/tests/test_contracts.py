"""The contracts are the single source of truth: the generated schema must be fresh and the
models must refuse what they do not define."""

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError
from troupe_contracts import PROTOCOL_VERSION
from troupe_contracts.config import AgentConfig, SessionConfig
from troupe_contracts.events import ActiveAgentEvent, AgentEventAdapter, HandoffEvent
from troupe_contracts.export import render
from troupe_contracts.log import MessageEntry, SessionLogBatch
from troupe_contracts.providers import PROVIDER_CATALOG, ProviderRole, provider_by_id
from troupe_contracts.session import ModalityProfile, TokenMetadata

ROOT = Path(__file__).resolve().parents[2]


def test_generated_schema_is_fresh() -> None:
    committed = (ROOT / "web/src/contracts/schema.json").read_text()
    assert committed == render(), "run `make contracts` and commit web/src/contracts/"


def test_events_round_trip_through_the_union() -> None:
    now = datetime.now(UTC)
    for event in (
        ActiveAgentEvent(ts=now, agent="ava", name="Ava"),
        HandoffEvent(ts=now, from_agent="ava", to_agent="max"),
    ):
        parsed = AgentEventAdapter.validate_json(event.model_dump_json())
        assert parsed == event
        assert parsed.v == PROTOCOL_VERSION


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValidationError):
        AgentEventAdapter.validate_python({"type": "nope", "ts": datetime.now(UTC).isoformat()})


def test_models_forbid_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        TokenMetadata.model_validate(
            {
                "session_id": str(uuid4()),
                "organization_id": str(uuid4()),
                "template_id": None,
                "user_id": "u",
                "modality_profile": "audio",
                "surprise": 1,
            }
        )


def _agent(slug: str) -> AgentConfig:
    return AgentConfig(
        id=uuid4(),
        slug=slug,
        name=slug.title(),
        instructions="be brief",
        stt="local/whisper-tiny",
        llm="fake/echo",
        tts="local/piper-joe",
    )


def test_session_config_finds_agents_by_slug() -> None:
    cfg = SessionConfig(
        session_id=uuid4(),
        organization_id=uuid4(),
        template_id=None,
        initial_agent="ava",
        agents=[_agent("ava"), _agent("max")],
        modality_profile=ModalityProfile.AUDIO,
    )
    assert cfg.agent("max").name == "Max"
    with pytest.raises(KeyError):
        cfg.agent("zed")


def test_agent_slug_is_validated() -> None:
    with pytest.raises(ValidationError):
        _agent("Not A Slug")


def test_log_batch_discriminates_entries_and_caps_size() -> None:
    now = datetime.now(UTC)
    batch = SessionLogBatch.model_validate(
        {
            "entries": [
                {"kind": "message", "seq": 0, "ts": now.isoformat(), "role": "user", "text": "hi"}
            ]
        }
    )
    assert isinstance(batch.entries[0], MessageEntry)
    with pytest.raises(ValidationError):
        SessionLogBatch.model_validate(
            {
                "entries": [
                    {
                        "kind": "message",
                        "seq": -1,
                        "ts": now.isoformat(),
                        "role": "user",
                        "text": "x",
                    }
                ]
            }
        )
    with pytest.raises(ValidationError):
        SessionLogBatch(
            entries=[MessageEntry(seq=i, ts=now, role="user", text="x") for i in range(501)]
        )


def test_provider_catalog_is_consistent() -> None:
    ids = [p.id for p in PROVIDER_CATALOG]
    assert len(ids) == len(set(ids))
    for role in ProviderRole:
        assert any(p.offline and not p.test_only and p.role == role for p in PROVIDER_CATALOG), role
    assert provider_by_id("local/piper-joe") is not None
    assert provider_by_id("nope/x") is None
