"""Audio-mode simulations: the simulated user speaks through the real LiveKit server.

A real session of the template is started through the Platform API (an API key with
``sessions:write``), so the worker runs it exactly as for an end user. The user joins the room
as a Python participant, speaks each turn with Piper (the local TTS) on a real-time paced
microphone track, and listens: the agent's audio is recorded per turn and transcribed with
Whisper (the local STT). Latency per turn is end of the user's speech → first agent audio.
Tool calls, handoffs and the speaking agent come from the session's own log, read back with
the participant token after the session ends."""

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any
from uuid import UUID

import httpx
import numpy as np
from livekit import rtc
from pydantic import TypeAdapter
from troupe_contracts.config import Scalar
from troupe_contracts.log import LogEntry, MessageEntry, ToolCallEntry, TransitionEntry
from troupe_contracts.session import SessionConnection, SessionStartResponse
from troupe_contracts.simulation import (
    AgentReply,
    Scenario,
    SimulatedHandoff,
    SimulatedToolCall,
    SimulationMode,
    SimulationResult,
    SimulationTurn,
    SimulationVerdict,
)

from troupe_agent.local_models import LocalModels
from troupe_agent.logging import get_logger
from troupe_agent.providers.local_stt import frames_to_whisper_input
from troupe_agent.simulation.criteria import evaluate
from troupe_agent.simulation.persona import ScriptedUser
from troupe_agent.simulation.runner import Progress, verdict_of
from troupe_agent.simulation.voice_user import LOUD_RMS, RATE, Mic, rms, speech_frames

log = get_logger(__name__)

FIRST_AUDIO_TIMEOUT_S = 60.0
"""Longest wait for the agent to start answering (local models on a busy CPU are slow)."""
REPLY_QUIET_S = 1.5
"""Agent silence that ends its reply."""
REPLY_MAX_S = 60.0
LOG_WAIT_S = 45.0
_ENTRIES = TypeAdapter(list[LogEntry])


@dataclass
class SessionStarter:
    """Starts test sessions of a template through the API (as the dashboard does)."""

    api_url: str
    api_key: str

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.api_url.rstrip("/"), timeout=30)

    async def start(
        self, template_id: UUID, variables: Mapping[str, Scalar] | None = None
    ) -> SessionConnection:
        async with self._client() as client:
            response = await client.post(
                "/api/v1/sessions",
                json={
                    "template_id": str(template_id),
                    "end_user_id": "troupe-simulation",
                    "variables": dict(variables or {}),
                },
                headers={"Authorization": f"Bearer {self.api_key}"},
            )
        if response.status_code != 201:
            raise RuntimeError(
                f"the API refused to start a session: HTTP {response.status_code} {response.text[:300]}"
            )
        return SessionStartResponse.model_validate_json(response.content).connection

    async def log(
        self, connection: SessionConnection, wait_s: float = LOG_WAIT_S
    ) -> list[LogEntry]:
        """The session's log once complete (or what arrived within ``wait_s``)."""
        deadline = time.monotonic() + wait_s
        entries: list[LogEntry] = []
        async with self._client() as client:
            while True:
                response = await client.get(
                    f"/api/v1/sessions/{connection.session_id}/log",
                    headers={"Authorization": f"Bearer {connection.participant_token}"},
                )
                response.raise_for_status()
                body = response.json()
                entries = _ENTRIES.validate_python(body.get("entries", []))
                if body.get("complete") or time.monotonic() > deadline:
                    return entries
                await asyncio.sleep(1.0)


@dataclass
class _Ear:
    """Everything the user hears: agent audio frames with their arrival time."""

    frames: list[tuple[float, rtc.AudioFrame]] = field(default_factory=list)
    loud: list[float] = field(default_factory=list)

    def hear(self, frame: rtc.AudioFrame) -> None:
        now = time.perf_counter()
        self.frames.append((now, frame))
        if rms(np.frombuffer(frame.data, dtype=np.int16)) > LOUD_RMS:
            self.loud.append(now)

    def first_loud_after(self, t: float) -> float | None:
        return next((a for a in self.loud if a > t), None)

    async def reply_after(self, t: float) -> tuple[float | None, list[rtc.AudioFrame]]:
        """Waits for the agent's reply after ``t``: its first audio, then ``REPLY_QUIET_S`` of
        silence. Returns (first audio time, the reply's frames)."""
        deadline = time.perf_counter() + FIRST_AUDIO_TIMEOUT_S
        while (first := self.first_loud_after(t)) is None:
            if time.perf_counter() > deadline:
                return None, []
            await asyncio.sleep(0.02)
        end = first + REPLY_MAX_S
        while time.perf_counter() < end:
            if time.perf_counter() - self.loud[-1] > REPLY_QUIET_S:
                break
            await asyncio.sleep(0.05)
        return first, [f for a, f in self.frames if first - 0.05 <= a <= self.loud[-1] + 0.05]


def _transcribe(model: Any, frames: list[rtc.AudioFrame]) -> str:
    if not frames:
        return ""
    audio = frames_to_whisper_input(frames)
    segments, _ = model.transcribe(
        audio, language="en", beam_size=1, vad_filter=False, condition_on_previous_text=False
    )
    return " ".join(s.text.strip() for s in segments).strip()


def _at(entry: LogEntry) -> float:
    ts = entry.ts if entry.ts.tzinfo else entry.ts.replace(tzinfo=UTC)
    return ts.timestamp()


def assemble(
    heard: list[tuple[str | None, float, float | None, str]], entries: list[LogEntry]
) -> list[SimulationTurn]:
    """Turns from what the user said and heard — (user text, wall start, latency ms, heard
    text) — with the agents, tool calls and handoffs of the log entries inside each turn's
    time window."""
    transitions = sorted((e for e in entries if isinstance(e, TransitionEntry)), key=_at)
    turns: list[SimulationTurn] = []
    for i, (said, start, latency, text) in enumerate(heard):
        end = heard[i + 1][1] if i + 1 < len(heard) else float("inf")
        inside = [e for e in entries if start <= _at(e) < end]
        agent = next(
            (t.to_agent for t in reversed(transitions) if _at(t) < end),
            transitions[0].to_agent if transitions else "agent",
        )
        speaking = [e.agent for e in inside if isinstance(e, MessageEntry) and e.agent]
        turns.append(
            SimulationTurn(
                index=i,
                user_text=said,
                replies=[AgentReply(agent=speaking[-1] if speaking else agent, text=text)]
                if text
                else [],
                tool_calls=[
                    SimulatedToolCall(
                        agent=e.agent,
                        name=e.tool,
                        arguments=e.arguments,
                        output=e.error or e.result or "",
                        is_error=e.error is not None,
                    )
                    for e in inside
                    if isinstance(e, ToolCallEntry)
                ],
                handoffs=[
                    SimulatedHandoff(from_agent=e.from_agent, to_agent=e.to_agent)
                    for e in inside
                    if isinstance(e, TransitionEntry) and e.from_agent is not None
                ],
                agent=agent,
                latency_ms=latency,
            )
        )
    return turns


async def run_audio(
    scenario: Scenario,
    starter: SessionStarter,
    *,
    progress: Progress | None = None,
    models: LocalModels | None = None,
) -> SimulationResult:
    started = time.perf_counter()

    def error(message: str) -> SimulationResult:
        return SimulationResult(
            scenario=scenario.name,
            mode=SimulationMode.AUDIO,
            verdict=SimulationVerdict.ERROR,
            error=message,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    if scenario.template_id is None:
        return error("audio mode needs the scenario's template_id (a real session is started)")
    if not scenario.user.turns:
        return error("audio mode speaks the scripted user turns; the scenario has none")
    models = models or LocalModels()
    voice, whisper = models.piper(), models.whisper()
    driver = ScriptedUser(scenario.user.turns, scenario.max_turns)
    try:
        connection = await starter.start(scenario.template_id, scenario.variables)
    except Exception as e:
        return error(str(e))

    room, mic, ear = rtc.Room(), Mic(), _Ear()
    listeners: set[asyncio.Task[None]] = set()

    @room.on("track_subscribed")
    def _on_track(track: rtc.Track, *_: Any) -> None:
        if track.kind != rtc.TrackKind.KIND_AUDIO:
            return

        async def listen() -> None:
            async for ev in rtc.AudioStream(track, sample_rate=RATE, num_channels=1):
                ear.hear(ev.frame)

        listeners.add(asyncio.create_task(listen()))

    heard: list[tuple[str | None, float, float | None, str]] = []
    user_turns = 0
    try:
        await room.connect(connection.livekit_url, connection.participant_token)
        await room.local_participant.publish_track(
            rtc.LocalAudioTrack.create_audio_track("mic", mic.source),
            rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE),
        )
        mic.start()
        wall, t0 = time.time(), time.perf_counter()
        first, frames = await ear.reply_after(t0)
        if first is None:
            return error(f"the agent did not speak within {FIRST_AUDIO_TIMEOUT_S:.0f} s")
        text = await asyncio.to_thread(_transcribe, whisper, frames)
        heard.append((None, wall - 1.0, None, text))
        if progress:
            progress(f"    agent: {text}")
        while (said := await driver.next_utterance([])) is not None:
            user_turns += 1
            if progress:
                progress(f"  turn {user_turns}: user says {said!r}")
            speech = await asyncio.to_thread(speech_frames, said, voice)
            await asyncio.sleep(0.5)
            wall = time.time()
            end_of_speech = await mic.say(speech)
            first, frames = await ear.reply_after(end_of_speech)
            latency = round((first - end_of_speech) * 1000, 1) if first is not None else None
            text = await asyncio.to_thread(_transcribe, whisper, frames)
            heard.append((said, wall, latency, text))
            if progress:
                progress(f"    agent ({latency} ms): {text}")
    except Exception as e:
        log.exception("audio simulation failed")
        return error(f"{type(e).__name__}: {e}")
    finally:
        await mic.aclose()
        await room.disconnect()
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)

    entries = await starter.log(connection)
    turns = assemble(heard, entries)
    finished = driver.finished
    criteria = evaluate(scenario.criteria, turns, user_turns=user_turns, finished=finished)
    return SimulationResult(
        scenario=scenario.name,
        mode=SimulationMode.AUDIO,
        verdict=verdict_of(criteria),
        turns=turns,
        criteria=criteria,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
        user_turns=user_turns,
        finished=finished,
    )
