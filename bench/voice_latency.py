"""End-to-end voice check and latency bench against a real LiveKit server.

Starts a stand-in for the API's runtime endpoints (session config + session log), optionally
spawns the worker (`troupe-agent start`), joins the room as a user with an explicit agent
dispatch in the token, waits for the greeting, then speaks Piper-rendered sentences into the
room and measures, per turn, end of user speech → first agent audio. Prints a JSON report.

    LIVEKIT_URL=ws://127.0.0.1:17880 LIVEKIT_API_KEY=devkey LIVEKIT_API_SECRET=secret \
        uv run python bench/voice_latency.py --spawn-worker --llm fake/echo
"""

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import time
from datetime import timedelta
from typing import Any
from uuid import uuid4

import numpy as np
from aiohttp import web
from livekit import api, rtc
from troupe_contracts import AGENT_NAME, TOPIC_EVENTS
from troupe_contracts.config import AgentConfig, SessionConfig
from troupe_contracts.session import ModalityProfile, TokenMetadata

SENTENCES = [
    "What is the weather like in Paris today?",
    "Please tell me a short story about a brave little cat.",
    "How far away is the moon from the earth?",
]
RATE = 48000


def speech_frames(text: str) -> list[rtc.AudioFrame]:
    from troupe_agent.local_models import LocalModels

    voice = LocalModels().piper()
    pcm = b"".join(c.audio_int16_bytes for c in voice.synthesize(text))
    frame = rtc.AudioFrame(pcm, voice.config.sample_rate, 1, len(pcm) // 2)
    resampler = rtc.AudioResampler(voice.config.sample_rate, RATE, num_channels=1)
    audio = rtc.combine_audio_frames([*resampler.push(frame), *resampler.flush()])
    samples = np.frombuffer(audio.data, dtype=np.int16)
    step = RATE // 100  # 10 ms frames
    return [
        rtc.AudioFrame(samples[i : i + step].tobytes(), RATE, 1, len(samples[i : i + step]))
        for i in range(0, len(samples) - step + 1, step)
    ]


def silence(seconds: float) -> list[rtc.AudioFrame]:
    step = RATE // 100
    return [rtc.AudioFrame(b"\x00\x00" * step, RATE, 1, step) for _ in range(int(seconds * 100))]


class FakeRuntimeApi:
    def __init__(self, config: SessionConfig) -> None:
        self.config = config
        self.batches: list[dict[str, Any]] = []

    async def session_config(self, request: web.Request) -> web.Response:
        if request.match_info["session_id"] != str(self.config.session_id):
            return web.Response(status=404)
        return web.Response(text=self.config.model_dump_json(), content_type="application/json")

    async def log(self, request: web.Request) -> web.Response:
        self.batches.append(await request.json())
        return web.json_response({"ok": True})

    async def start(self, port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/api/v1/runtime/session-config/{session_id}", self.session_config)
        app.router.add_post("/api/v1/runtime/sessions/{session_id}/log", self.log)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner


async def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--llm", default="fake/echo")
    p.add_argument("--turns", type=int, default=3)
    p.add_argument("--api-port", type=int, default=18990)
    p.add_argument("--spawn-worker", action="store_true")
    args = p.parse_args()

    url, key, secret = (
        os.environ["LIVEKIT_URL"],
        os.environ["LIVEKIT_API_KEY"],
        os.environ["LIVEKIT_API_SECRET"],
    )
    session_id = uuid4()
    config = SessionConfig(
        session_id=session_id,
        organization_id=uuid4(),
        template_id=None,
        initial_agent="joe",
        modality_profile=ModalityProfile.AUDIO,
        agents=[
            AgentConfig(
                id=uuid4(),
                slug="joe",
                name="Joe",
                instructions="You are Joe, a helpful assistant.",
                greeting="Hello, I am Joe. How can I help?",
                stt="local/whisper-tiny",
                llm=args.llm,
                tts="local/piper-joe",
            )
        ],
    )
    fake_api = FakeRuntimeApi(config)
    runner = await fake_api.start(args.api_port)

    worker = None
    if args.spawn_worker:
        env = {
            **os.environ,
            "TROUPE_API_URL": f"http://127.0.0.1:{args.api_port}",
            "TROUPE_RUNTIME_TOKEN": "bench-token",
            "TROUPE_ENABLE_TEST_PROVIDERS": "true",
            "TROUPE_AGENT_HEALTH_PORT": "18991",
            "TROUPE_AGENT_NUM_IDLE_PROCESSES": "1",
        }
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "troupe_agent.worker",
            "start",
            env=env,
            stdout=open("/tmp/troupe-worker.log", "w"),
            stderr=asyncio.subprocess.STDOUT,
        )
        await asyncio.sleep(12)  # registration + prewarm of the idle process

    metadata = TokenMetadata(
        session_id=session_id,
        organization_id=config.organization_id,
        template_id=None,
        user_id="user-bench",
        modality_profile=ModalityProfile.AUDIO,
    )
    token = (
        api.AccessToken(key, secret)
        .with_identity("user-bench")
        .with_name("Bench")
        .with_grants(api.VideoGrants(room_join=True, room=f"bench-{session_id}"))
        .with_metadata(metadata.model_dump_json())
        .with_ttl(timedelta(minutes=10))
        .with_room_config(
            api.RoomConfiguration(
                agents=[
                    api.RoomAgentDispatch(
                        agent_name=AGENT_NAME, metadata=metadata.model_dump_json()
                    )
                ]
            )
        )
        .to_jwt()
    )

    room = rtc.Room()
    transcripts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    agent_audio: list[tuple[float, float]] = []  # (arrival time, rms)
    tasks: set[asyncio.Task[Any]] = set()

    def on_text(topic: str, sink: list[dict[str, Any]]) -> Any:
        def handler(reader: rtc.TextStreamReader, identity: str) -> None:
            async def read() -> None:
                text = await reader.read_all()
                sink.append(
                    {"from": identity, "text": text, "attrs": dict(reader.info.attributes or {})}
                )

            t = asyncio.create_task(read())
            tasks.add(t)

        return handler

    room.register_text_stream_handler("lk.transcription", on_text("lk.transcription", transcripts))
    room.register_text_stream_handler(TOPIC_EVENTS, on_text(TOPIC_EVENTS, events))

    @room.on("track_subscribed")
    def on_track(track: rtc.Track, *_: Any) -> None:
        if track.kind == rtc.TrackKind.KIND_AUDIO:

            async def listen() -> None:
                async for ev in rtc.AudioStream(track, sample_rate=RATE, num_channels=1):
                    s = np.frombuffer(ev.frame.data, dtype=np.int16).astype(np.float32)
                    agent_audio.append(
                        (time.perf_counter(), float(np.sqrt(np.mean(s * s))) if len(s) else 0.0)
                    )

            t = asyncio.create_task(listen())
            tasks.add(t)

    await room.connect(url, token)
    source = rtc.AudioSource(RATE, 1)
    await room.local_participant.publish_track(
        rtc.LocalAudioTrack.create_audio_track("mic", source),
        rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE),
    )

    def agent() -> rtc.RemoteParticipant | None:
        return next(
            (
                p
                for p in room.remote_participants.values()
                if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
            ),
            None,
        )

    async def wait_state(state: str, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            a = agent()
            if a and a.attributes.get("lk.agent.state") == state:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"agent never reached {state!r}")

    async def play(frames: list[rtc.AudioFrame]) -> None:
        start = time.perf_counter()
        for i, f in enumerate(frames):
            await source.capture_frame(f)
            await asyncio.sleep(max(0.0, start + (i + 1) * 0.01 - time.perf_counter()))

    report: dict[str, Any] = {"llm": args.llm, "turns": []}
    try:
        await wait_state("speaking", 60)  # the greeting
        report["greeting_heard"] = True
        await wait_state("listening", 30)
        for text in SENTENCES[: args.turns]:
            await asyncio.sleep(1.0)
            frames = speech_frames(text)
            feeder = asyncio.create_task(play(frames + silence(3.0)))
            await asyncio.sleep(len(frames) * 0.01)
            end_of_speech = time.perf_counter()
            first = None
            deadline = end_of_speech + 20
            while first is None and time.perf_counter() < deadline:
                first = next((t for t, rms in agent_audio if t > end_of_speech and rms > 200), None)
                await asyncio.sleep(0.01)
            await feeder
            await wait_state("listening", 30)
            report["turns"].append(
                {
                    "said": text,
                    "first_audio_ms": round((first - end_of_speech) * 1000) if first else None,
                }
            )
        await asyncio.sleep(1.0)
        a = agent()
        report["agent_attributes"] = dict(a.attributes) if a else {}
        report["transcripts"] = transcripts
        report["events"] = [json.loads(e["text"]) for e in events]
        lat = [t["first_audio_ms"] for t in report["turns"] if t["first_audio_ms"] is not None]
        if lat:
            report["first_audio_ms"] = {
                "min": min(lat),
                "median": statistics.median(lat),
                "max": max(lat),
            }
    finally:
        await room.disconnect()
        await asyncio.sleep(4)  # session closes on disconnect; the final log batch follows
        report["log_batches"] = len(fake_api.batches)
        report["log_final"] = any(b.get("final") for b in fake_api.batches)
        report["log_kinds"] = sorted({e["kind"] for b in fake_api.batches for e in b["entries"]})
        for t in tasks:
            t.cancel()
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                report["worker_exit"] = await asyncio.wait_for(worker.wait(), 30)
            except TimeoutError:
                worker.kill()
                report["worker_exit"] = "killed"
        await runner.cleanup()
    print(json.dumps(report, indent=2, default=str))
    ok = (
        report.get("greeting_heard")
        and all(t["first_audio_ms"] for t in report["turns"])
        and report["log_final"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
