"""End-to-end voice latency bench against a real LiveKit server.

With nothing running, it starts everything it needs and stops it at the end:
- its own ``livekit-server`` (``.tools/bin/livekit-server``) on free loopback ports with a
  generated key/secret (or uses ``LIVEKIT_URL``/``LIVEKIT_API_KEY``/``LIVEKIT_API_SECRET`` with
  ``--external-livekit``);
- a stand-in for the API's runtime endpoints (session config + session log);
- the worker, ``troupe-agent start`` (test providers on, ``TROUPE_AGENT_LOAD_THRESHOLD=inf``).

For each provider set (``fake``: fake/instant + fake/echo + fake/tone, the platform's own
overhead; ``local``: local/whisper-tiny + local/smollm2 (fake/echo when llama_cpp is missing) +
local/piper-joe) it runs ``--sessions`` sessions. A Python participant joins with an explicit
agent dispatch in its token, listens, and speaks Piper-rendered sentences, measuring
  (a) session start (before the user's join, which dispatches the agent) → first greeting
      audio frame received, and
  (b) end of user speech → first agent audio frame received, ``--turns`` per session,
and reads the agent's own per-turn metrics from the session log batches the stand-in API
receives (``TurnMetricsEntry``). Prints a table and writes JSON under bench/results/.

    uv run python bench/voice_latency.py                    # fake + local, 3 sessions x 2 turns
    uv run python bench/voice_latency.py --sets fake --sessions 5 --turns 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import numpy as np
from aiohttp import web
from livekit import api, rtc

# the simulated user's voice, shared with the audio-mode simulations
from troupe_agent.simulation.voice_user import LOUD_RMS, RATE, Mic, rms, speech_frames
from troupe_contracts import AGENT_NAME
from troupe_contracts.config import AgentConfig, SessionConfig
from troupe_contracts.session import ModalityProfile, TokenMetadata

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LIVEKIT_BIN = ROOT / ".tools" / "bin" / "livekit-server"
SENTENCES = [
    "What is the weather like in Paris today?",
    "How far away is the moon from the earth?",
    "Please tell me a short story about a brave little cat.",
    "Can you book a table for two at seven tonight?",
]
GREETING = "Hello, I am Joe. How can I help?"
STAGES = (
    ("end_of_utterance_delay_ms", "end of utterance"),
    ("transcription_delay_ms", "STT delay"),
    ("llm_ttft_ms", "LLM TTFT"),
    ("tts_ttfb_ms", "TTS TTFB"),
    ("e2e_latency_ms", "e2e (agent)"),
)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@dataclass
class Child:
    name: str
    proc: asyncio.subprocess.Process
    log_path: Path

    async def stop(self, timeout: float) -> str:
        if self.proc.returncode is not None:
            return f"exited {self.proc.returncode}"
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        try:
            return f"exited {await asyncio.wait_for(self.proc.wait(), timeout)}"
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own group: it and its children
            await self.proc.wait()
            return "killed"


async def spawn(name: str, argv: list[str], env: dict[str, str], log_path: Path) -> Child:
    with open(log_path, "w") as out:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # our Ctrl-C goes to us; we stop the children ourselves
        )
    return Child(name, proc, log_path)


async def start_livekit(run_dir: Path) -> tuple[Child, str, str, str]:
    port, tcp_port, udp_port = free_port(), free_port(), free_port()
    key, secret = f"bench{secrets.token_hex(4)}", secrets.token_hex(24)
    config = (
        f"port: {port}\n"
        "bind_addresses: ['127.0.0.1']\n"
        f"rtc:\n  tcp_port: {tcp_port}\n  udp_port: {udp_port}\n  use_external_ip: false\n"
        f"keys:\n  {key}: {secret}\n"
        # as deploy/livekit.yaml: always offer jobs to the one local worker, however busy
        "agents:\n  target_load: 1000\n"
        "logging:\n  level: info\n"
    )
    child = await spawn(
        "livekit-server",
        [str(LIVEKIT_BIN), "--dev", "--config-body", config],
        dict(os.environ),
        run_dir / "livekit.log",
    )
    deadline = time.perf_counter() + 20
    async with aiohttp.ClientSession() as http:
        while time.perf_counter() < deadline:
            if child.proc.returncode is not None:
                raise RuntimeError(f"livekit-server exited; see {child.log_path}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with http.get(f"http://127.0.0.1:{port}/") as r:
                    if r.status == 200:
                        return child, f"ws://127.0.0.1:{port}", key, secret
            await asyncio.sleep(0.2)
    await child.stop(5)
    raise RuntimeError("livekit-server did not become ready in 20 s")


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


@dataclass
class SessionResult:
    provider_set: str
    session_id: str
    greeting_ms: float | None = None
    agent_joined_ms: float | None = None
    turns: list[dict[str, Any]] = field(default_factory=list)
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
        await wait_for(lambda: agent_state() == "listening", 20)
        for n in range(turns):
            text, frames = speech[n % len(speech)]
            await asyncio.sleep(0.5)
            speech_start = time.perf_counter()
            end_of_speech = await mic.say(frames)
            overlapped = any(speech_start < a < end_of_speech for a, _ in agent_audio)
            got = await wait_for(lambda e=end_of_speech: first_audio_after(e) is not None, 20)
            first = first_audio_after(end_of_speech)
            res.turns.append(
                {
                    "said": text,
                    "first_audio_ms": round((first - end_of_speech) * 1000, 1)
                    if got and first
                    else None,
                    "agent_audio_during_user_speech": overlapped,
                }
            )
            # let the reply finish (bounded: a long local reply is barged in by the next turn)
            res.turns[-1]["reply_finished"] = await wait_for(
                lambda: (
                    agent_state() == "listening"
                    and (not agent_audio or time.perf_counter() - agent_audio[-1][0] > 0.3)
                ),
                reply_wait_s,
            )
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
    turns = [t["first_audio_ms"] for r in results for t in r.turns if t["first_audio_ms"]]
    stages = {
        k: summary([m[k] for r in results for m in r.turn_metrics if m.get(k) is not None])
        for k, _ in STAGES
    }
    return {
        "sessions": len(results),
        "failed_sessions": sum(1 for r in results if r.error),
        "greeting_ms": summary(greeting),
        "turn_first_audio_ms": summary(turns),
        "turns_missing_audio": sum(1 for r in results for t in r.turns if not t["first_audio_ms"]),
        "turns_with_agent_audio_during_speech": sum(
            1 for r in results for t in r.turns if t["agent_audio_during_user_speech"]
        ),
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


def table(sets: list[ProviderSet], agg: dict[str, dict[str, Any]]) -> str:
    names = [ps.name for ps in sets]
    ratio = len(names) == 2
    head = f"{'metric (ms)':<34}" + "".join(f"{n + ' p50':>11}{n + ' p95':>11}" for n in names)
    if ratio:
        head += f"{names[1] + '/' + names[0] + ' p50':>18}"
    lines = [head, "-" * len(head)]

    def row(label: str, get: Any) -> None:
        vals = [get(agg[n]) for n in names]
        line = f"{label:<34}" + "".join(f"{fmt(v['p50']):>11}{fmt(v['p95']):>11}" for v in vals)
        if ratio:
            a, b = vals[0]["p50"], vals[1]["p50"]
            line += f"{(f'{b / a:.2f}x' if a and b is not None else '-'):>18}"
        lines.append(line)

    row("(a) start -> first greeting audio", lambda a: a["greeting_ms"])
    row("(b) end of speech -> first audio", lambda a: a["turn_first_audio_ms"])
    lines.append("agent per-turn metrics (session log):")
    for k, label in STAGES:
        row(f"  {label}", lambda a, k=k: a["agent_stages_ms"][k])
    row("  greeting TTS TTFB", lambda a: a["greeting_tts_ttfb_ms"])
    lines.append("")
    for n in names:
        a = agg[n]
        lines.append(
            f"{n}: {a['sessions']} sessions ({a['failed_sessions']} failed), "
            f"n(a)={a['greeting_ms']['n']} n(b)={a['turn_first_audio_ms']['n']} "
            f"(missing {a['turns_missing_audio']}, agent audio during user speech "
            f"{a['turns_with_agent_audio_during_speech']}), final log batches "
            f"{'all' if a['log_final_all'] else 'NOT all'} received"
        )
        lines.append(f"  providers: {'; '.join(a['resolved_providers'])}")
        for w in a["provider_warnings"]:
            lines.append(f"  FALLBACK: {w}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------- main


def provider_sets(names: list[str]) -> list[ProviderSet]:
    has_llama = importlib.util.find_spec("llama_cpp") is not None
    known = {
        "fake": ProviderSet("fake", "fake/instant", "fake/echo", "fake/tone", "instant fakes"),
        "local": ProviderSet(
            "local",
            "local/whisper-tiny",
            "local/smollm2" if has_llama else "fake/echo",
            "local/piper-joe",
            "local STT/LLM/TTS" if has_llama else "local STT/TTS, fake/echo LLM (no llama_cpp)",
        ),
    }
    return [known[n] for n in names]


async def wait_idle_process(worker_log: WorkerLog, jobs_started: int, timeout: float) -> bool:
    """Waits until the worker has a prewarmed process that no job has taken yet."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if worker_log.count("process initialized") > jobs_started:
            return True
        await asyncio.sleep(0.2)
    return False


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sets", default="fake,local", help="provider sets, in order (fake,local)")
    p.add_argument("--sessions", type=int, default=3, help="sessions per provider set")
    p.add_argument("--turns", type=int, default=2, help="user turns per session")
    p.add_argument("--reply-wait", type=float, default=8.0, help="max s to let a reply finish")
    p.add_argument(
        "--external-livekit",
        action="store_true",
        help="use LIVEKIT_URL/LIVEKIT_API_KEY/LIVEKIT_API_SECRET instead of starting a server",
    )
    p.add_argument("--no-worker", action="store_true", help="a worker is already registered")
    p.add_argument("--out", type=Path, default=None, help="JSON report path")
    args = p.parse_args()
    sets = provider_sets([s.strip() for s in args.sets.split(",") if s.strip()])

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    run_dir = RESULTS / f"run-{stamp}"
    run_dir.mkdir()
    out = args.out or RESULTS / f"voice_latency-{stamp}.json"
    children: list[Child] = []
    runner: web.AppRunner | None = None
    spool = Path(tempfile.mkdtemp(prefix="troupe-bench-spool-"))
    report: dict[str, Any] = {
        "started_at": stamp,
        "machine": {"cpus": os.cpu_count()},
        "args": {k: str(v) for k, v in vars(args).items()},
        "provider_sets": [ps.__dict__ for ps in sets],
    }
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    t_start = time.perf_counter()
    rc = 1
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

        worker_log = WorkerLog(run_dir / "worker.log")
        if not args.no_worker:
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
                "TROUPE_FAKE_STT_SCRIPT": json.dumps(SENTENCES),
            }
            children.append(await spawn("worker", argv, env, worker_log.path))
            log("worker spawned; waiting for its first prewarmed process")
            if not await wait_idle_process(worker_log, 0, 120):
                raise RuntimeError(f"worker never got a process ready; see {worker_log.path}")

        log("rendering user speech with Piper")
        speech = [(s, speech_frames(s)) for s in SENTENCES]
        report["speech_s"] = {s: len(f) / 100 for s, f in speech}

        results: dict[str, list[SessionResult]] = {ps.name: [] for ps in sets}
        jobs = 0
        for ps in sets:
            log(f"provider set {ps.name}: {ps.stt} + {ps.llm} + {ps.tts} ({ps.note})")
            for i in range(args.sessions):
                if stop.is_set():
                    raise KeyboardInterrupt
                if not args.no_worker and not await wait_idle_process(worker_log, jobs, 60):
                    log("  no idle prewarmed process after 60 s; starting anyway")
                jobs += 1
                r = await run_session(
                    ps, url, key, secret, fake_api, worker_log, speech, args.turns, args.reply_wait
                )
                results[ps.name].append(r)
                log(
                    f"  session {i + 1}/{args.sessions}: greeting {fmt(r.greeting_ms)} ms, "
                    f"turns {[t['first_audio_ms'] for t in r.turns]} ms"
                    + (f", error {r.error}" if r.error else "")
                )
        agg = {n: aggregate(rs) for n, rs in results.items()}
        report["aggregate"] = agg
        if len(sets) == 2:
            a, b = (agg[ps.name] for ps in sets)
            report["ratio_p50"] = {
                m: (round(b[m]["p50"] / a[m]["p50"], 2) if a[m]["p50"] and b[m]["p50"] else None)
                for m in ("greeting_ms", "turn_first_audio_ms")
            }
        report["sessions"] = {n: [r.__dict__ for r in rs] for n, rs in results.items()}
        print(table(sets, agg))
        ok = all(
            a["failed_sessions"] == 0 and a["turns_missing_audio"] == 0 and a["log_final_all"]
            for a in agg.values()
        )
        rc = 0 if ok else 1
    except KeyboardInterrupt:
        log("interrupted")
    except Exception as e:
        log(f"bench failed: {type(e).__name__}: {e}")
        report["error"] = f"{type(e).__name__}: {e}"
    finally:
        for child in reversed(children):  # the worker first, then LiveKit
            report.setdefault("shutdown", {})[child.name] = await child.stop(
                40 if child.name == "worker" else 10
            )
        if runner is not None:
            await runner.cleanup()
        shutil.rmtree(spool, ignore_errors=True)
        report["wall_s"] = round(time.perf_counter() - t_start, 1)
        out.write_text(json.dumps(report, indent=2, default=str))
        log(
            f"report: {out} (logs in {run_dir}); {report['wall_s']} s; shutdown {report.get('shutdown')}"
        )
    return rc


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
