"""A template's endpointing (Smart Turn or plain VAD silence, with its delays) reaches the
session through the runtime config."""

from uuid import uuid4

import pytest
from pydantic import ValidationError
from troupe_agent.session import (
    SMART_MAX_DELAY_S,
    SMART_MIN_DELAY_S,
    VAD_MAX_DELAY_S,
    VAD_MIN_DELAY_S,
    build_session,
    endpointing_delays,
    turn_handling,
)
from troupe_contracts.config import SessionConfig
from troupe_contracts.session import ModalityProfile


def config(**endpointing: object) -> SessionConfig:
    return SessionConfig(
        session_id=uuid4(),
        organization_id=uuid4(),
        template_id=None,
        initial_agent="ava",
        agents=[],
        modality_profile=ModalityProfile.AUDIO,
        **endpointing,  # type: ignore[arg-type]
    )


def test_without_delays_each_mode_keeps_its_own() -> None:
    delays = endpointing_delays(config())
    assert delays == (None, None)
    smart = turn_handling("smart_turn", object(), delays=delays)  # type: ignore[arg-type]
    assert smart["endpointing"] == {
        "mode": "dynamic",
        "min_delay": SMART_MIN_DELAY_S,
        "max_delay": SMART_MAX_DELAY_S,
    }
    plain = turn_handling("vad", None, delays=delays)
    assert plain["endpointing"] == {"min_delay": VAD_MIN_DELAY_S, "max_delay": VAD_MAX_DELAY_S}


def test_the_templates_delays_replace_the_modes() -> None:
    vad = config(endpointing="vad", endpointing_min_delay_ms=800, endpointing_max_delay_ms=4000)
    options = turn_handling(vad.endpointing, None, delays=endpointing_delays(vad))
    assert options["turn_detection"] == "vad"
    assert options["endpointing"] == {"min_delay": 0.8, "max_delay": 4.0}

    smart = config(endpointing="smart_turn", endpointing_min_delay_ms=100)
    options = turn_handling("smart_turn", object(), delays=endpointing_delays(smart))  # type: ignore[arg-type]
    assert options["endpointing"]["min_delay"] == 0.1
    assert options["endpointing"]["max_delay"] == SMART_MAX_DELAY_S


def test_a_min_delay_above_the_default_max_raises_the_max_with_it() -> None:
    slow = config(endpointing="vad", endpointing_min_delay_ms=3500)
    options = turn_handling("vad", None, delays=endpointing_delays(slow))
    assert options["endpointing"] == {"min_delay": 3.5, "max_delay": 3.5}


def test_the_config_refuses_a_min_delay_above_the_max() -> None:
    with pytest.raises(ValidationError):
        config(endpointing_min_delay_ms=2000, endpointing_max_delay_ms=1000)
    with pytest.raises(ValidationError):
        config(endpointing="semantic")


async def test_the_session_runs_with_the_templates_delays() -> None:
    vad = config(endpointing="vad", endpointing_min_delay_ms=700, endpointing_max_delay_ms=2500)
    async with build_session(
        None, endpointing=vad.endpointing, delays=endpointing_delays(vad)
    ) as session:
        endpointing = session.options.endpointing
        assert endpointing["min_delay"] == 0.7 and endpointing["max_delay"] == 2.5
