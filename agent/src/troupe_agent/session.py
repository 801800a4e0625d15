"""The per-job conversation: one ``AgentSession`` driven by the agents of a ``SessionConfig``."""

from typing import Any

from livekit.agents import AgentSession, vad
from livekit.agents.voice.turn import TurnHandlingOptions

MIN_ENDPOINTING_DELAY_S = 0.5
"""Silence after the VAD's end of speech before the turn is taken as finished. Silero's own
``min_silence_duration`` (0.55 s) comes first, so the user waits about a second in all; lower
cuts people off mid-sentence, higher feels sluggish. Smart Turn may replace it later."""

MAX_ENDPOINTING_DELAY_S = 3.0


def turn_handling() -> TurnHandlingOptions:
    return {
        # VAD-silence endpointing: offline and predictable. livekit's default turn detector
        # would download a model from a hub at first use, which we never do at run time.
        "turn_detection": "vad",
        "endpointing": {"min_delay": MIN_ENDPOINTING_DELAY_S, "max_delay": MAX_ENDPOINTING_DELAY_S},
        # barge-in by VAD; "adaptive" would call a hosted model
        "interruption": {"enabled": True, "mode": "vad"},
        "preemptive_generation": {"enabled": False},
    }


def build_session(session_vad: vad.VAD | None, **kw: Any) -> AgentSession[Any]:
    """The session shell; STT/LLM/TTS come from each ``TroupeAgent``."""
    return AgentSession(vad=session_vad, turn_handling=turn_handling(), **kw)
