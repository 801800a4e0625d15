"""End-to-end voice latency bench against a real LiveKit server, one comparison table per run.

With nothing running, it starts everything it needs and stops it at the end:
- its own ``livekit-server`` (``.tools/bin/livekit-server``) on free loopback ports with a
  generated key/secret (or uses ``LIVEKIT_URL``/``LIVEKIT_API_KEY``/``LIVEKIT_API_SECRET`` with
  ``--external-livekit``);
- a stand-in for the API's runtime endpoints (session config + session log);
- the worker, ``troupe-agent start`` (test providers on, ``TROUPE_AGENT_LOAD_THRESHOLD=inf``),
  restarted when a variant needs other engine flags.

Each **variant** is a provider set (``fake``: fake/instant + fake/echo + fake/tone, the
platform's own overhead; ``local``: Whisper tiny + SmolLM2 + Piper) with each engine
optimisation on or off (``--variants``, see ``VARIANTS``), so a gain is a ratio measured side
by side in one run. A Python participant joins with an explicit agent dispatch, listens, and
speaks Piper-rendered sentences. Measured in the room:
  (a) session start (before the user's join, which dispatches the agent) → first greeting
      audio frame;
  (b) end of user speech → first agent audio frame, ``--turns`` per session. The end of speech
      is when the last speech frame *leaves* the client's audio queue. A turn spoken while an
      earlier reply was still playing is reported apart ("cut in"); a turn that got no audio
      is a failure; agent audio starting while the user speaks is counted ("agent barged in");
  (c) interruption: the user speaks over a reply; user speech start → last agent audio frame.
From the session log (the agent's own ``ChatMessage.metrics``): end-of-turn wait, STT, LLM first
token, LLM first sentence/clause, TTS first byte, agent e2e, and e2e minus the end-of-turn wait
(the agent's own overhead). Sessions run only on prewarmed job processes (the bench waits for an
idle one), so no model loads inside a measured session. Figures go to
``bench/results/voice_latency-<UTC time>.json`` with the machine, its load average and the git
revision; the machine may be shared, so read the load average with the figures.

    uv run python bench/voice_latency.py                       # the default variants
    uv run python bench/voice_latency.py --variants fake,local --sessions 3 --turns 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import numpy as np
from aiohttp import web
from livekit import api, rtc

# the simulated user's voice, shared with the audio-mode simulations
from troupe_agent.simulation.voice_user import LOUD_RMS, RATE, Mic, rms, speech_frames
from troupe_contracts import AGENT_NAME
from troupe_contracts.config import AgentConfig, SessionConfig
from troupe_contracts.session import ModalityProfile, TokenMetadata

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for tests/
from tests.localhost import (
    Process,
    free_port,
    spawn,
)
from tests.localhost import start_livekit as start_livekit_server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SENTENCES = [
    "What is the weather like in Paris today?",
    "How far away is the moon from the earth?",
    "Please tell me a short story about a brave little cat.",
    "Can you book a table for two at seven tonight?",
]
GREETING = "Hello, I am Joe. How can I help?"
STAGES = (
    ("end_of_utterance_delay_ms", "end-of-turn wait"),
    ("transcription_delay_ms", "STT delay"),
    ("llm_ttft_ms", "LLM first token"),
    ("llm_ttfs_ms", "LLM first clause"),
    ("tts_ttfb_ms", "TTS first byte"),
    ("e2e_latency_ms", "e2e (agent)"),
    ("overhead_ms", "e2e - end-of-turn wait"),
)
SETTLE_S = 4.0
"""Pause between sessions (not measured)."""
INTERRUPT_AFTER_S = 0.1
"""The interruption turn starts speaking this long after the reply's first audio (the fake
tone lasts 0.3 s per sentence: its figure is bounded by the tone's own end; read the local
variants' figure)."""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    v = sorted(values)
    return float(v[max(0, math.ceil(q / 100 * len(v)) - 1)])


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "mean": round(statistics.fmean(values), 1) if values else None,
    }


# ------------------------------------------------------------------------ stand-in API


class FakeRuntimeApi:
    def __init__(self) -> None:
        self.configs: dict[str, SessionConfig] = {}
        self.batches: dict[str, list[dict[str, Any]]] = {}

    async def session_config(self, request: web.Request) -> web.Response:
        config = self.configs.get(request.match_info["session_id"])
        if config is None:
            return web.Response(status=404)
        return web.Response(text=config.model_dump_json(), content_type="application/json")

    async def log(self, request: web.Request) -> web.Response:
        self.batches.setdefault(request.match_info["session_id"], []).append(await request.json())
        return web.json_response({"ok": True})

    def entries(self, session_id: str, kind: str) -> list[dict[str, Any]]:
        entries = {
            e["seq"]: e
            for b in self.batches.get(session_id, [])
            for e in b["entries"]
            if e["kind"] == kind
        }
        return [entries[k] for k in sorted(entries)]

    def final(self, session_id: str) -> bool:
        return any(b.get("final") for b in self.batches.get(session_id, []))

    async def start(self, port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/api/v1/runtime/session-config/{session_id}", self.session_config)
        app.router.add_post("/api/v1/runtime/sessions/{session_id}/log", self.log)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner


# ---------------------------------------------------------------------- child processes


async def start_livekit(run_dir: Path) -> tuple[Process, str, str, str]:
    # as deploy/livekit.yaml: always offer jobs to the one local worker, however busy
    server = await start_livekit_server(
        run_dir / "livekit.log",
        key=f"bench{secrets.token_hex(4)}",
        extra_config="agents:\n  target_load: 1000\n",
        args=["--dev"],
        env=os.environ,
    )
    return server.process, server.url, server.key, server.secret


class WorkerLog:
    """Reads the worker's JSON log lines: process pool readiness, resolutions, warnings."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> list[dict[str, Any]]:
        out = []
        with contextlib.suppress(FileNotFoundError):
            for line in self.path.read_text(errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    rec = json.loads(line)
                    if isinstance(rec, dict):
                        out.append(rec)
        return out

    def count(self, message: str) -> int:
        return sum(1 for r in self.records() if r.get("message") == message)

    def processes_ready(self) -> int:
        """Job processes (or, with the thread executor, job runners) initialized so far."""
        return self.count("process initialized") + self.count("job runner initialized")

    def for_session(self, session_id: str) -> list[dict[str, Any]]:
        return [r for r in self.records() if r.get("session_id") == session_id]


# ----------------------------------------------------------------------------- sessions


@dataclass
class ProviderSet:
    name: str
    stt: str
    llm: str
    tts: str
    note: str = ""
    endpointing: str = "smart_turn"
    env: dict[str, str] = field(default_factory=dict)
    """Engine flags for the worker (it is restarted when they change between variants)."""


@dataclass
class SessionResult:
    provider_set: str
    session_id: str
    greeting_ms: float | None = None
    agent_joined_ms: float | None = None
    turns: list[dict[str, Any]] = field(default_factory=list)
    interruptions: list[dict[str, Any]] = field(default_factory=list)
    turn_metrics: list[dict[str, Any]] = field(default_factory=list)
    greeting_metrics: dict[str, Any] | None = None
    resolved_providers: list[str] | None = None
    provider_warnings: list[str] = field(default_factory=list)
    transcripts: list[str] = field(default_factory=list)
    log_final: bool = False
    error: str | None = None


def session_config(ps: ProviderSet) -> SessionConfig:
    return SessionConfig(
        session_id=uuid4(),
        organization_id=uuid4(),
        template_id=None,
        initial_agent="joe",
        modality_profile=ModalityProfile.AUDIO,
        endpointing=ps.endpointing,
        agents=[
            AgentConfig(
                id=uuid4(),
                slug="joe",
                name="Joe",
                instructions="You are Joe, a helpful assistant. Answer in one short sentence.",
                greeting=GREETING,
                stt=ps.stt,
                llm=ps.llm,
                tts=ps.tts,
            )
        ],
    )


def user_token(key: str, secret: str, config: SessionConfig, identity: str) -> str:
    metadata = TokenMetadata(
        session_id=config.session_id,
        organization_id=config.organization_id,
        template_id=None,
        user_id=identity,
        modality_profile=ModalityProfile.AUDIO,
    ).model_dump_json()
    return (
        api.AccessToken(key, secret)
        .with_identity(identity)
        .with_name("Bench")
        .with_grants(api.VideoGrants(room_join=True, room=f"bench-{config.session_id}"))
        .with_metadata(metadata)
        .with_ttl(timedelta(minutes=10))
        .with_room_config(
            api.RoomConfiguration(
                agents=[api.RoomAgentDispatch(agent_name=AGENT_NAME, metadata=metadata)]
            )
        )
        .to_jwt()
    )


async def run_session(
    ps: ProviderSet,
    url: str,
    key: str,
    secret: str,
    fake_api: FakeRuntimeApi,
    worker_log: WorkerLog,
    speech: list[tuple[str, list[rtc.AudioFrame]]],
    turns: int,
    reply_wait_s: float,
    interruptions: int = 0,
) -> SessionResult:
    config = session_config(ps)
    sid = str(config.session_id)
    fake_api.configs[sid] = config
    res = SessionResult(ps.name, sid)
    room = rtc.Room()
    mic = Mic()
    agent_audio: list[tuple[float, float]] = []  # (arrival perf_counter, rms), loud frames only
    transcripts: list[str] = []
    tasks: set[asyncio.Task[Any]] = set()
    joined: list[float] = []

    @room.on("participant_connected")
    def on_participant(p: rtc.RemoteParticipant) -> None:
        if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
            joined.append(time.perf_counter())

    @room.on("track_subscribed")
    def on_track(track: rtc.Track, *_: Any) -> None:
        if track.kind != rtc.TrackKind.KIND_AUDIO:
            return

        async def listen() -> None:
            async for ev in rtc.AudioStream(track, sample_rate=RATE, num_channels=1):
                level = rms(np.frombuffer(ev.frame.data, dtype=np.int16))
                if level > LOUD_RMS:
                    agent_audio.append((time.perf_counter(), level))

        t = asyncio.create_task(listen())
        tasks.add(t)

    def on_transcription(reader: rtc.TextStreamReader, identity: str) -> None:
        async def read() -> None:
            transcripts.append(f"{identity}: {await reader.read_all()}")

        t = asyncio.create_task(read())
        tasks.add(t)

    room.register_text_stream_handler("lk.transcription", on_transcription)

    def agent_state() -> str | None:
        for p in room.remote_participants.values():
            if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
                return p.attributes.get("lk.agent.state")
        return None

    async def wait_for(pred: Any, timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if pred():
                return True
            await asyncio.sleep(0.01)
        return False

    def first_audio_after(t: float) -> float | None:
        return next((a for a, _ in agent_audio if a > t), None)

    def audio_between(t0: float, t1: float) -> list[float]:
        return [a for a, _ in agent_audio if t0 < a <= t1]

    def quiet_for(seconds: float) -> bool:
        return not agent_audio or time.perf_counter() - agent_audio[-1][0] > seconds

    try:
        t0 = time.perf_counter()  # session start: the user joins; the token dispatches the agent
        await room.connect(url, user_token(key, secret, config, f"user-{sid[:8]}"))
        await room.local_participant.publish_track(
            rtc.LocalAudioTrack.create_audio_track("mic", mic.source),
            rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE),
        )
        mic.start()
        if not await wait_for(lambda: first_audio_after(t0) is not None, 60):
            raise TimeoutError("no greeting audio within 60 s")
        res.greeting_ms = round((first_audio_after(t0) - t0) * 1000, 1)  # type: ignore[operator]
        res.agent_joined_ms = round((joined[0] - t0) * 1000, 1) if joined else None
        await wait_for(lambda: agent_state() == "listening" and quiet_for(0.3), 20)
        for n in range(turns):
            text, frames = speech[n % len(speech)]
            await asyncio.sleep(0.5)
            # a reply still playing when the user starts: this turn cuts into it
            cut_in = not quiet_for(0.25)
            end_of_speech = await mic.say(frames)
            speech_start = mic.speech_started_at or end_of_speech - len(frames) * 0.01
            during = audio_between(speech_start, end_of_speech)
            barged = bool(during) and not cut_in and during[0] > speech_start + 0.3
            got = await wait_for(lambda e=end_of_speech: first_audio_after(e) is not None, 20)
            first = first_audio_after(end_of_speech)
            res.turns.append(
                {
                    "said": text,
                    "first_audio_ms": round((first - end_of_speech) * 1000, 1)
                    if got and first
                    else None,
                    "cut_in": cut_in,
                    "agent_barged_in": barged,
                }
            )
            # let the reply finish (bounded: a long local reply is cut into by the next turn)
            res.turns[-1]["reply_finished"] = await wait_for(
                lambda: agent_state() == "listening" and quiet_for(0.3), reply_wait_s
            )
        for n in range(interruptions):
            # the user speaks over a reply: how long does the agent's audio go on?
            await wait_for(lambda: agent_state() == "listening" and quiet_for(0.3), reply_wait_s)
            await asyncio.sleep(0.5)
            text, frames = speech[(turns + n) % len(speech)]
            end_prompt = await mic.say(frames)
            if not await wait_for(lambda e=end_prompt: first_audio_after(e) is not None, 20):
                res.interruptions.append({"stop_ms": None, "error": "no reply to interrupt"})
                continue
            await asyncio.sleep(INTERRUPT_AFTER_S)
            playing = not quiet_for(0.1)
            _text2, frames2 = speech[(turns + n + 1) % len(speech)]
            end2 = await mic.say(frames2)
            start2 = mic.speech_started_at or end2 - len(frames2) * 0.01
            after = audio_between(start2, end2)
            # the agent audio heard after the user started, up to the first 300 ms gap
            last = start2
            for a in after:
                if a - last > 0.3:
                    break
                last = a
            stopped = not after or after[-1] - last > 0.3 or end2 - last > 0.3
            res.interruptions.append(
                {
                    "reply_was_playing": playing,
                    "stop_ms": round((last - start2) * 1000, 1) if stopped else None,
                    "error": None if stopped else "agent audio went on over the user's speech",
                }
            )
            await wait_for(lambda e=end2: first_audio_after(e) is not None, 20)
        await asyncio.sleep(0.5)
    except Exception as e:
        res.error = f"{type(e).__name__}: {e}"
        log(f"  session {sid[:8]} failed: {res.error}")
    finally:
        await mic.aclose()
        await room.disconnect()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    # the session closes on the user's disconnect; its final log batch follows
    deadline = time.perf_counter() + 15
    while time.perf_counter() < deadline and not fake_api.final(sid):
        await asyncio.sleep(0.1)
    res.log_final = fake_api.final(sid)
    metrics = fake_api.entries(sid, "turn_metrics")
    res.turn_metrics = [m for m in metrics if m.get("end_of_utterance_delay_ms") is not None]
    for m in res.turn_metrics:
        if m.get("e2e_latency_ms") is not None:
            m["overhead_ms"] = round(m["e2e_latency_ms"] - m["end_of_utterance_delay_ms"], 1)
    res.greeting_metrics = next(
        (m for m in metrics if m.get("end_of_utterance_delay_ms") is None), None
    )
    res.transcripts = transcripts
    for rec in worker_log.for_session(sid):
        if rec.get("message") == "session started":
            res.resolved_providers = rec.get("providers")
        elif rec.get("message") == "provider unavailable, using the offline default":
            res.provider_warnings.append(
                f"{rec.get('requested')} -> {rec.get('fallback')}: {rec.get('reason')}"
            )
    return res


# ------------------------------------------------------------------------------- report


def aggregate(results: list[SessionResult]) -> dict[str, Any]:
    greeting = [r.greeting_ms for r in results if r.greeting_ms is not None]
    all_turns = [t for r in results for t in r.turns]
    clean = [t for t in all_turns if not t["cut_in"]]
    cut_in = [t for t in all_turns if t["cut_in"]]
    stages = {
        k: summary([m[k] for r in results for m in r.turn_metrics if m.get(k) is not None])
        for k, _ in STAGES
    }
    interruptions = [i for r in results for i in r.interruptions]
    measured = [i for i in interruptions if i.get("reply_was_playing")]
    return {
        "sessions": len(results),
        "failed_sessions": sum(1 for r in results if r.error),
        "greeting_ms": summary(greeting),
        # the variant's first session: a fresh worker, its greeting cache empty
        "greeting_first_ms": results[0].greeting_ms if results else None,
        # end of speech -> first agent audio, turns spoken into silence only
        "turn_first_audio_ms": summary([t["first_audio_ms"] for t in clean if t["first_audio_ms"]]),
        "turns": len(all_turns),
        "turns_failed_no_audio": sum(1 for t in all_turns if not t["first_audio_ms"]),
        "turns_cut_in": len(cut_in),
        "cut_in_first_audio_ms": summary(
            [t["first_audio_ms"] for t in cut_in if t["first_audio_ms"]]
        ),
        "turns_agent_barged_in": sum(1 for t in all_turns if t["agent_barged_in"]),
        "interruption_stop_ms": summary(
            [i["stop_ms"] for i in measured if i["stop_ms"] is not None]
        ),
        "interruptions": len(interruptions),
        "interruptions_failed": sum(1 for i in interruptions if i.get("error")),
        "agent_stages_ms": stages,
        "greeting_tts_ttfb_ms": summary(
            [
                r.greeting_metrics["tts_ttfb_ms"]
                for r in results
                if r.greeting_metrics and r.greeting_metrics.get("tts_ttfb_ms") is not None
            ]
        ),
        "resolved_providers": sorted({",".join(r.resolved_providers or []) for r in results}),
        "provider_warnings": sorted({w for r in results for w in r.provider_warnings}),
        "log_final_all": all(r.log_final for r in results),
    }


def fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def pp(s: dict[str, Any]) -> str:
    """``p50/p95`` of a summary."""
    return f"{fmt(s['p50'])}/{fmt(s['p95'])}"


COLUMNS: tuple[tuple[str, Any], ...] = (
    ("greeting", lambda a: pp(a["greeting_ms"])),
    ("greeting 1st session", lambda a: fmt(a.get("greeting_first_ms"))),
    ("room e2e", lambda a: pp(a["turn_first_audio_ms"])),
    ("eot wait", lambda a: pp(a["agent_stages_ms"]["end_of_utterance_delay_ms"])),
    ("STT", lambda a: pp(a["agent_stages_ms"]["transcription_delay_ms"])),
    ("LLM 1st tok", lambda a: pp(a["agent_stages_ms"]["llm_ttft_ms"])),
    ("LLM 1st clause", lambda a: pp(a["agent_stages_ms"]["llm_ttfs_ms"])),
    ("TTS 1st byte", lambda a: pp(a["agent_stages_ms"]["tts_ttfb_ms"])),
    ("agent e2e", lambda a: pp(a["agent_stages_ms"]["e2e_latency_ms"])),
    ("e2e-eot", lambda a: pp(a["agent_stages_ms"]["overhead_ms"])),
    ("interrupt stop", lambda a: pp(a["interruption_stop_ms"])),
    (
        "turns ok/all (cut-in, barge-in)",
        lambda a: (
            f"{a['turns'] - a['turns_failed_no_audio']}/{a['turns']} "
            f"({a['turns_cut_in']}, {a['turns_agent_barged_in']})"
        ),
    ),
)


def table(sets: list[ProviderSet], agg: dict[str, dict[str, Any]]) -> str:
    """One row per variant, p50/p95 in ms; the last column compares room e2e p50 with the
    first variant of the same provider family (``fake``/``local``) in this run."""
    names = [ps.name for ps in sets]
    width = max(len(n) for n in names) + 2
    cells = [[label for label, _ in COLUMNS] + ["room p50 vs base"]]
    base: dict[str, float | None] = {}
    for ps in sets:
        a = agg[ps.name]
        family = ps.name.split("-")[0]
        p50 = a["turn_first_audio_ms"]["p50"]
        base.setdefault(family, p50)
        b = base[family]
        ratio = f"{p50 / b:.2f}x" if p50 and b else "-"
        cells.append([get(a) for _, get in COLUMNS] + [ratio])
    widths = [max(len(row[i]) for row in cells) + 2 for i in range(len(cells[0]))]
    lines = [
        f"{'variant':<{width}}"
        + "".join(f"{c:>{w}}" for c, w in zip(cells[0], widths, strict=True))
    ]
    lines.append("-" * len(lines[0]))
    for name, row in zip(names, cells[1:], strict=True):
        lines.append(
            f"{name:<{width}}" + "".join(f"{c:>{w}}" for c, w in zip(row, widths, strict=True))
        )
    lines.append(
        "ms, p50/p95. room e2e: end of user speech (last frame out of the client queue) -> first "
        "agent audio in the room, turns into silence only; eot wait .. e2e-eot: the agent's own "
        "ChatMessage.metrics; interrupt stop: user speech start -> last agent audio frame."
    )
    for ps in sets:
        a = agg[ps.name]
        lines.append(
            f"{ps.name}: {ps.note}; endpointing={ps.endpointing} flags={ps.env or 'defaults'}; "
            f"{a['sessions']} sessions ({a['failed_sessions']} failed), interruptions "
            f"{a['interruptions'] - a['interruptions_failed']}/{a['interruptions']} stopped, "
            f"final log batches {'all' if a['log_final_all'] else 'NOT all'} received"
        )
        lines.append(f"  providers: {'; '.join(a['resolved_providers'])}")
        for w in a["provider_warnings"]:
            lines.append(f"  FALLBACK: {w}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------- main

OFF = {
    "TROUPE_PREEMPTIVE_GENERATION": "0",
    "TROUPE_TTS_FIRST_CLAUSE": "0",
    "TROUPE_STT_VAD_FLUSH": "false",
    "TROUPE_INTERRUPT_MIN_SPEECH_S": "0.5",
    "TROUPE_STT_SPECULATIVE_PAUSE_MS": "0",
    "TROUPE_LLM_PREFILL": "0",
    "TROUPE_STT_WINDOW": "full",
    "TROUPE_TTS_GREETING_CACHE": "0",
    "TROUPE_AGENT_WARM_UP": "0",
    "TROUPE_AGENT_PREWARM_NICE": "0",
}
"""Every engine optimisation that is a worker flag switched off (the engine before issue 17)."""


def variants() -> dict[str, ProviderSet]:
    has_llama = importlib.util.find_spec("llama_cpp") is not None
    local_llm = "local/smollm2" if has_llama else "fake/echo"
    local_note = "Whisper tiny + SmolLM2 + Piper" if has_llama else "Whisper + fake/echo + Piper"
    fake = ("fake/instant", "fake/echo", "fake/tone")
    local = ("local/whisper-tiny", local_llm, "local/piper-joe")

    def all_on_but(name: str, what: str, **env: str) -> dict[str, ProviderSet]:
        """A local variant with every optimisation on but the flags in ``env``."""
        return {name: ProviderSet(name, *local, f"all on but {what}", env=env)}

    return {
        "fake-off": ProviderSet("fake-off", *fake, "instant fakes, all off", "vad", OFF),
        "fake": ProviderSet("fake", *fake, "instant fakes, all on"),
        "fake-vad": ProviderSet("fake-vad", *fake, "instant fakes, VAD-silence endpointing", "vad"),
        "local-off": ProviderSet("local-off", *local, f"{local_note}, all off", "vad", OFF),
        "local": ProviderSet("local", *local, f"{local_note}, all on"),
        "local-vad": ProviderSet("local-vad", *local, "all on but VAD-silence endpointing", "vad"),
        **all_on_but(
            "local-no-preemptive",
            "preemptive generation",
            TROUPE_PREEMPTIVE_GENERATION="0",
        ),
        **all_on_but(
            "local-no-clause",
            "first clause to TTS (whole sentences)",
            TROUPE_TTS_FIRST_CLAUSE="0",
        ),
        **all_on_but(
            "local-no-spec",
            "speculative transcription (Whisper only after the flush)",
            TROUPE_STT_SPECULATIVE_PAUSE_MS="0",
        ),
        **all_on_but(
            "local-no-prefill",
            "the local LLM's prompt prefill after the greeting",
            TROUPE_LLM_PREFILL="0",
        ),
        **all_on_but(
            "local-full-window",
            "Whisper's fitted encoder window (faster-whisper's 30 s window)",
            TROUPE_STT_WINDOW="full",
        ),
        **all_on_but(
            "local-no-greeting-cache",
            "the greeting cache (Piper renders every greeting)",
            TROUPE_TTS_GREETING_CACHE="0",
        ),
        **all_on_but(
            "local-no-warm-up",
            "the audio models' warm-up inference at prewarm",
            TROUPE_AGENT_WARM_UP="0",
        ),
        **all_on_but(
            "local-prewarm-nice-0",
            "the next idle process loading its models at normal priority",
            TROUPE_AGENT_PREWARM_NICE="0",
        ),
        "local-spec-100": ProviderSet(
            "local-spec-100",
            *local,
            "all on, speculative transcription after 100 ms of quiet (default 150)",
            env={"TROUPE_STT_SPECULATIVE_PAUSE_MS": "100"},
        ),
        **all_on_but(
            "local-stt-vad",
            "the STT's own second VAD (StreamAdapter)",
            TROUPE_STT_VAD_FLUSH="false",
        ),
    }


DEFAULT_VARIANTS = (
    "fake-off,fake-vad,fake,local-off,local-vad,local-no-preemptive,local-no-clause,"
    "local-stt-vad,local-no-spec,local-no-prefill,local-full-window,local-no-greeting-cache,local-no-warm-up,local-prewarm-nice-0,local"
)


def provider_sets(names: list[str]) -> list[ProviderSet]:
    """Kept for bench/load.py: ``fake`` and ``local`` with every optimisation on."""
    known = variants()
    return [known[n] for n in names]


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_mb": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "shared": "other work may run on this machine: read the load average with the figures",
    }


def git_revision() -> dict[str, Any]:
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip()

    return {
        "sha": git("rev-parse", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--", "agent", "bench")),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def wait_idle_process(worker_log: WorkerLog, jobs_started: int, timeout: float) -> bool:
    """Waits until the worker has a prewarmed process that no job has taken yet."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if worker_log.processes_ready() > jobs_started:
            return True
        await asyncio.sleep(0.2)
    return False


async def start_worker(
    run_dir: Path,
    n: int,
    url: str,
    key: str,
    secret: str,
    api_port: int,
    spool: Path,
    flags: dict[str, str],
) -> tuple[Process, WorkerLog]:
    worker_log = WorkerLog(run_dir / f"worker-{n}.log")
    exe = shutil.which("troupe-agent", path=str(Path(sys.executable).parent)) or ""
    argv = [exe, "start"] if exe else [sys.executable, "-m", "troupe_agent.worker", "start"]
    env = {
        **os.environ,
        "LIVEKIT_URL": url,
        "LIVEKIT_API_KEY": key,
        "LIVEKIT_API_SECRET": secret,
        "TROUPE_API_URL": f"http://127.0.0.1:{api_port}",
        "TROUPE_RUNTIME_TOKEN": "bench-token",
        "TROUPE_ENABLE_TEST_PROVIDERS": "true",
        "TROUPE_AGENT_HEALTH_PORT": str(free_port()),
        "TROUPE_AGENT_NUM_IDLE_PROCESSES": "1",
        "TROUPE_AGENT_LOAD_THRESHOLD": "inf",
        "TROUPE_AGENT_SPOOL_DIR": str(spool),
        "TROUPE_TTS_CACHE_DIR": str(spool / f"tts-cache-{n}"),  # every worker starts cold
        "TROUPE_FAKE_STT_SCRIPT": json.dumps(SENTENCES),
        "TROUPE_SIMULATIONS_ENABLED": "false",
        **flags,
    }
    child = await spawn("worker", argv, worker_log.path, env)
    log(f"worker spawned with {flags or 'default flags'}; waiting for a prewarmed process")
    deadline = time.perf_counter() + 180
    while not (worker_log.count("registered worker") and await wait_idle_process(worker_log, 0, 1)):
        if time.perf_counter() > deadline or child.proc.returncode is not None:
            await child.stop(10)
            raise RuntimeError(f"worker never got ready; see {worker_log.path}")
    return child, worker_log


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--variants",
        "--sets",
        default=DEFAULT_VARIANTS,
        help=f"in order; known: {', '.join(variants())}",
    )
    p.add_argument("--sessions", type=int, default=2, help="sessions per variant")
    p.add_argument("--turns", type=int, default=3, help="user turns per session")
    p.add_argument("--interruptions", type=int, default=1, help="interruption turns per session")
    p.add_argument("--reply-wait", type=float, default=8.0, help="max s to let a reply finish")
    p.add_argument(
        "--external-livekit",
        action="store_true",
        help="use LIVEKIT_URL/LIVEKIT_API_KEY/LIVEKIT_API_SECRET instead of starting a server",
    )
    p.add_argument("--name", default="voice_latency", help="report name: <name>-<UTC time>.json")
    p.add_argument("--out", type=Path, default=None, help="JSON report path")
    args = p.parse_args()
    known = variants()
    sets = [known[n.strip()] for n in args.variants.split(",") if n.strip()]

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    run_dir = RESULTS / f"run-{stamp}"
    run_dir.mkdir()
    out = args.out or RESULTS / f"{args.name}-{stamp}.json"
    children: list[Process] = []
    worker: Process | None = None
    runner: web.AppRunner | None = None
    spool = Path(tempfile.mkdtemp(prefix="troupe-bench-spool-"))
    report: dict[str, Any] = {
        "started_at": stamp,
        "machine": machine(),
        "load_average_start": load_average(),
        "git": git_revision(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "variants": [ps.__dict__ for ps in sets],
    }
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    t_start = time.perf_counter()
    rc = 1
    results: dict[str, list[SessionResult]] = {ps.name: [] for ps in sets}
    load_by_variant: dict[str, list[float]] = {}
    try:
        if args.external_livekit:
            url, key, secret = (
                os.environ["LIVEKIT_URL"],
                os.environ["LIVEKIT_API_KEY"],
                os.environ["LIVEKIT_API_SECRET"],
            )
        else:
            lk, url, key, secret = await start_livekit(run_dir)
            children.append(lk)
            log(f"livekit-server on {url}")
        fake_api = FakeRuntimeApi()
        api_port = free_port()
        runner = await fake_api.start(api_port)

        log("rendering user speech with Piper")
        speech = [(s, speech_frames(s)) for s in SENTENCES]
        report["speech_s"] = {s: len(f) / 100 for s, f in speech}

        flags: dict[str, str] | None = None
        worker_log: WorkerLog | None = None
        jobs = 0
        workers = 0
        for ps in sets:
            if ps.env != flags:  # other engine flags: a fresh worker
                if worker is not None:
                    report.setdefault("shutdown", {})[f"worker-{workers}"] = await worker.stop(40)
                workers += 1
                worker, worker_log = await start_worker(
                    run_dir, workers, url, key, secret, api_port, spool, ps.env
                )
                flags, jobs = ps.env, 0
            assert worker_log is not None
            log(f"variant {ps.name}: {ps.stt} + {ps.llm} + {ps.tts} ({ps.note})")
            for i in range(args.sessions):
                if stop.is_set():
                    raise KeyboardInterrupt
                # never measure a session on a process still loading models
                if not await wait_idle_process(worker_log, jobs, 120):
                    log("  no idle prewarmed process after 120 s; starting anyway")
                # the worker reports its load to LiveKit every few seconds; right after a job
                # it still counts as busy and LiveKit would not dispatch the next one
                await asyncio.sleep(SETTLE_S)
                jobs += 1
                r = await run_session(
                    ps,
                    url,
                    key,
                    secret,
                    fake_api,
                    worker_log,
                    speech,
                    args.turns,
                    args.reply_wait,
                    args.interruptions,
                )
                results[ps.name].append(r)
                log(
                    f"  session {i + 1}/{args.sessions}: greeting {fmt(r.greeting_ms)} ms, "
                    f"turns {[t['first_audio_ms'] for t in r.turns]} ms, interruption "
                    f"{[x['stop_ms'] for x in r.interruptions]} ms"
                    + (f", error {r.error}" if r.error else "")
                )
            load_by_variant[ps.name] = load_average()
        rc = report_results(report, sets, results, load_by_variant)
    except KeyboardInterrupt:
        log("interrupted; the table covers the sessions run so far")
        rc = report_results(report, sets, results, load_by_variant)
    except Exception as e:
        log(f"bench failed: {type(e).__name__}: {e}")
        report["error"] = f"{type(e).__name__}: {e}"
    finally:
        if worker is not None:
            report.setdefault("shutdown", {})["worker"] = await worker.stop(40)
        for child in reversed(children):
            report.setdefault("shutdown", {})[child.name] = await child.stop(10)
        if runner is not None:
            await runner.cleanup()
        shutil.rmtree(spool, ignore_errors=True)
        report["wall_s"] = round(time.perf_counter() - t_start, 1)
        out.write_text(json.dumps(report, indent=2, default=str))
        log(
            f"report: {out} (logs in {run_dir}); {report['wall_s']} s; shutdown {report.get('shutdown')}"
        )
    return rc


def report_results(
    report: dict[str, Any],
    sets: list[ProviderSet],
    results: dict[str, list[SessionResult]],
    load_by_variant: dict[str, list[float]],
) -> int:
    """Aggregates, prints the comparison table and fills ``report``; the exit code."""
    sets = [ps for ps in sets if results.get(ps.name)]
    if not sets:
        return 1
    agg = {ps.name: aggregate(results[ps.name]) for ps in sets}
    for n, a in agg.items():
        a["load_average_after"] = load_by_variant.get(n)
    report["aggregate"] = agg
    report["sessions"] = {n: [r.__dict__ for r in rs] for n, rs in results.items()}
    report["load_average_end"] = load_average()
    text = table(sets, agg)
    text += (
        f"\nload average (1/5/15 min) at start {report['load_average_start']}, "
        f"at end {report['load_average_end']}; {machine()['cpus']} CPUs; "
        f"git {report['git']['sha'][:10]}{' (dirty)' if report['git']['dirty'] else ''}"
    )
    report["table"] = text
    print(text)
    ok = all(
        a["failed_sessions"] == 0 and a["turns_failed_no_audio"] == 0 and a["log_final_all"]
        for a in agg.values()
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
