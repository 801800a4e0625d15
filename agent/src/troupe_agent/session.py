"""The per-job conversation: one ``AgentSession`` driven by the agents of a ``SessionConfig``.

Endpointing (``SessionConfig.endpointing``):
- ``smart_turn`` (default): Silero ends speech after 250 ms of silence, Smart Turn v3.2 reads
  the audio, and dynamic endpointing ends a finished sentence after ``SMART_MIN_DELAY_S``
  while a cut-off one waits up to ``SMART_MAX_DELAY_S``;
- ``vad``: plain VAD silence (Silero's 550 ms, then ``VAD_MIN_DELAY_S``), the former default.
A template may set both delays (``endpointing_min_delay_ms`` / ``endpointing_max_delay_ms``).
Preemptive generation starts the LLM on the transcript while the end of turn is still being
confirmed; a user who goes on speaking discards it."""

import os
from typing import Any

from livekit.agents import AgentSession, vad
from livekit.agents.voice.turn import TurnDetectionMode, TurnHandlingOptions
from troupe_contracts.config import SessionConfig

from troupe_agent.settings import env_flag

VAD_MIN_DELAY_S = 0.5
"""Plain VAD endpointing: silence after the VAD's end of speech before the turn is taken as
finished. Silero's ``min_silence_duration`` (0.55 s) comes first and overlaps it."""
VAD_MAX_DELAY_S = 3.0
SMART_MIN_DELAY_S = 0.25
"""Smart Turn: the pause after a sentence the model calls finished (measured from the end of
speech, so it overlaps the VAD's 250 ms)."""
SMART_MAX_DELAY_S = 2.0
"""Smart Turn: the longest wait after a sentence the model calls unfinished."""

ENDPOINTING_MODES = ("smart_turn", "vad")

INTERRUPT_MIN_SPEECH_S = 0.25
"""User speech over the agent that stops it (livekit's default is 0.5 s). A false one (a cough)
is resumed: livekit's ``resume_false_interruption`` stays on. ``TROUPE_INTERRUPT_MIN_SPEECH_S``
overrides it (the bench's baseline uses 0.5)."""


AEC_WARMUP_S: float | None = None
"""livekit's echo-cancellation warm-up (3 s by default) feeds silence to the STT instead of the
user's audio and ignores barge-in for the first seconds the agent speaks: a user talking over the
greeting lost the start of their sentence, and only the fragment after it was transcribed and
answered. The browser cancels the agent's echo itself (WebRTC ``echoCancellation``), so there is
no warm-up: speech over the greeting interrupts it and is transcribed whole."""


def interrupt_min_speech_s() -> float:
    return float(os.environ.get("TROUPE_INTERRUPT_MIN_SPEECH_S", INTERRUPT_MIN_SPEECH_S))


def preemptive_enabled() -> bool:
    """``TROUPE_PREEMPTIVE_GENERATION`` (default on)."""
    return env_flag("TROUPE_PREEMPTIVE_GENERATION")


def preemptive_for(config: SessionConfig) -> bool | None:
    """Preemptive generation for this session: off when an agent adds to the user's turn in
    ``on_user_turn_completed``, after a preemptive reply has started. Camera and screen frames:
    livekit keeps that reply (its chat context still matches), so the agent would answer
    without the frame. Automatic knowledge retrieval: the passages change the context, so
    livekit discards the speculative reply on every turn (a wasted LLM call that competes with
    the real one for the CPU, and a scripted LLM's turn consumed). ``None``: as
    ``TROUPE_PREEMPTIVE_GENERATION`` says."""
    if any(a.vision.enabled for a in config.agents):
        return False
    if any(a.knowledge_bases and a.knowledge_auto_tokens for a in config.agents):
        return False
    return None


def endpointing_delays(config: SessionConfig) -> tuple[float | None, float | None]:
    """The template's (min, max) endpointing delays in seconds; None keeps the mode's."""
    low, high = config.endpointing_min_delay_ms, config.endpointing_max_delay_ms
    return (
        None if low is None else low / 1000.0,
        None if high is None else high / 1000.0,
    )


def turn_handling(
    endpointing: str = "vad",
    detector: TurnDetectionMode | None = None,
    *,
    preemptive: bool | None = None,
    delays: tuple[float | None, float | None] = (None, None),
) -> TurnHandlingOptions:
    """``detector``: the Smart Turn detector for ``smart_turn`` (without one the session
    falls back to plain VAD endpointing). ``delays``: the template's (min, max) seconds, each
    None for the mode's default."""
    low, high = delays
    preemptive = preemptive_enabled() if preemptive is None else preemptive
    options: TurnHandlingOptions = {
        # barge-in by VAD; "adaptive" would call a hosted model
        "interruption": {
            "enabled": True,
            "mode": "vad",
            "min_duration": interrupt_min_speech_s(),
        },
        "preemptive_generation": {"enabled": preemptive, "preemptive_tts": preemptive},
    }
    if endpointing == "smart_turn" and detector is not None:
        options["turn_detection"] = detector
        smart_low = SMART_MIN_DELAY_S if low is None else low
        options["endpointing"] = {
            "mode": "dynamic",
            "min_delay": smart_low,
            "max_delay": max(smart_low, SMART_MAX_DELAY_S if high is None else high),
        }
    else:
        # VAD-silence endpointing: offline and predictable. livekit's default turn detector
        # would download a model from a hub at first use, which we never do at run time.
        options["turn_detection"] = "vad"
        vad_low = VAD_MIN_DELAY_S if low is None else low
        options["endpointing"] = {
            "min_delay": vad_low,
            "max_delay": max(vad_low, VAD_MAX_DELAY_S if high is None else high),
        }
    return options


def build_session(
    session_vad: vad.VAD | None,
    *,
    endpointing: str = "vad",
    detector: TurnDetectionMode | None = None,
    preemptive: bool | None = None,
    delays: tuple[float | None, float | None] = (None, None),
    **kw: Any,
) -> AgentSession[Any]:
    """The session shell; STT/LLM/TTS come from each ``TroupeAgent``. ``preemptive``: None
    follows ``TROUPE_PREEMPTIVE_GENERATION``; ``delays``: ``endpointing_delays(config)``."""
    kw.setdefault("aec_warmup_duration", AEC_WARMUP_S)
    handling = turn_handling(endpointing, detector, preemptive=preemptive, delays=delays)
    return AgentSession(vad=session_vad, turn_handling=handling, **kw)
