"""The session log sink against a small local HTTP server standing in for the API."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest
from aiohttp import web
from livekit.agents import llm
from livekit.agents.metrics import AgentSessionUsage, LLMModelUsage, TTSModelUsage
from livekit.agents.voice.events import ConversationItemAddedEvent, SessionUsageUpdatedEvent
from support.session import wait_for
from troupe_agent.api_client import RuntimeApiClient
from troupe_agent.log_sink import SessionLogSink, Spool, replay_all
from troupe_agent.settings import Settings
from troupe_contracts.log import SessionLogBatch


class FakeApi:
    def __init__(self) -> None:
        self.batches: list[SessionLogBatch] = []
        self.auth: list[str] = []
        self.fail_next = 0
        self.down = False

    async def handle(self, request: web.Request) -> web.Response:
        if self.down or self.fail_next > 0:
            self.fail_next = max(0, self.fail_next - 1)
            return web.Response(status=503)
        self.auth.append(request.headers.get("Authorization", ""))
        self.batches.append(SessionLogBatch.model_validate(await request.json()))
        return web.json_response({"accepted": True})

    @property
    def seqs(self) -> list[int]:
        return [e.seq for b in self.batches for e in b.entries]


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[tuple[FakeApi, Settings]]:
    fake = FakeApi()
    app = web.Application()
    app.router.add_post("/api/v1/runtime/sessions/{session_id}/log", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield fake, settings.model_copy(update={"troupe_api_url": f"http://127.0.0.1:{port}"})
    await runner.cleanup()


def message(role: str, text: str, **metrics: float) -> ConversationItemAddedEvent:
    return ConversationItemAddedEvent(
        item=llm.ChatMessage(role=role, content=[text], metrics=metrics)  # type: ignore[arg-type]
    )


def make_sink(settings: Settings, client: RuntimeApiClient, **kw: object) -> SessionLogSink:
    return SessionLogSink(uuid4(), client.post_log, settings.troupe_agent_spool_dir, **kw)  # type: ignore[arg-type]


async def test_entries_are_batched_with_increasing_seq(api: tuple[FakeApi, Settings]) -> None:
    fake, settings = api
    client = RuntimeApiClient(settings, max_wait_s=0.05)
    sink = make_sink(settings, client, batch_size=3)
    sink.agent_entered("host")
    sink.on_conversation_item(message("assistant", "Hi, I am Host."))
    sink.on_conversation_item(
        message("user", "hello", transcription_delay=0.3, end_of_turn_delay=0.5)
    )
    sink.on_conversation_item(
        message(
            "assistant",
            "You said: hello",
            llm_node_ttft=0.1,
            llm_node_ttfs=0.15,
            tts_node_ttfb=0.2,
            e2e_latency=1.1,
        )
    )
    sink.on_usage(
        SessionUsageUpdatedEvent(
            usage=AgentSessionUsage(
                model_usage=[
                    LLMModelUsage(provider="fake", model="echo", input_tokens=10, output_tokens=4),
                    TTSModelUsage(
                        provider="local", model="piper-joe", characters_count=30, audio_duration=2.0
                    ),
                ]
            )
        )
    )
    await wait_for(lambda: fake.batches)  # the first full batch of 3 is sent on its own
    await sink.aclose("participant_disconnected")
    await client.aclose()

    assert fake.seqs == list(range(len(fake.seqs)))
    assert fake.batches[0].final is False and len(fake.batches[0].entries) >= 3
    final = fake.batches[-1]
    assert final.final is True and final.close_reason == "participant_disconnected"
    kinds = [e.kind for b in fake.batches for e in b.entries]
    assert kinds == [
        "transition",
        "message",
        "message",
        "message",
        "turn_metrics",
        "usage",
        "usage",
    ]
    assistant = [
        e for b in fake.batches for e in b.entries if e.kind == "message" and e.role == "assistant"
    ]
    assert assistant[0].agent == "host"
    metrics = next(e for b in fake.batches for e in b.entries if e.kind == "turn_metrics")
    assert (metrics.transcription_delay_ms, metrics.end_of_utterance_delay_ms) == (300.0, 500.0)
    assert (metrics.llm_ttft_ms, metrics.tts_ttfb_ms, metrics.e2e_latency_ms) == (
        100.0,
        200.0,
        1100.0,
    )
    assert metrics.llm_ttfs_ms == 150.0  # the wait for the first sentence/clause
    assert set(fake.auth) == {"Bearer test-token"}


async def test_transient_failures_are_retried(api: tuple[FakeApi, Settings]) -> None:
    fake, settings = api
    fake.fail_next = 2
    client = RuntimeApiClient(settings, max_attempts=4, max_wait_s=0.05)
    sink = make_sink(settings, client)
    sink.error("llm", "boom", recoverable=False)
    await sink.aclose("error")
    await client.aclose()
    assert len(fake.batches) == 1 and fake.batches[0].entries[0].kind == "error"
    assert not Spool(settings.troupe_agent_spool_dir).sessions()


async def test_api_outage_spools_and_replays_in_order(api: tuple[FakeApi, Settings]) -> None:
    fake, settings = api
    fake.down = True
    client = RuntimeApiClient(settings, max_attempts=2, max_wait_s=0.01)
    sink = make_sink(settings, client, batch_size=2)
    for i in range(5):
        sink.on_conversation_item(message("user", f"utterance {i}"))
    await sink.flush()
    sink.on_conversation_item(message("user", "last words"))
    await sink.aclose("job_shutdown")

    spool = Spool(settings.troupe_agent_spool_dir)
    files = spool.pending(sink.session_id)
    assert fake.batches == [] and len(files) >= 2
    assert json.loads(files[-1].read_text())["final"] is True

    fake.down = False
    assert await replay_all(spool, client.post_log) == 1
    await client.aclose()
    assert fake.seqs == list(range(6))
    assert fake.batches[-1].final is True
    assert not spool.sessions()
    assert not any(Path(settings.troupe_agent_spool_dir).rglob("*.json"))


async def test_a_new_batch_waits_behind_spooled_ones(api: tuple[FakeApi, Settings]) -> None:
    fake, settings = api
    client = RuntimeApiClient(settings, max_attempts=1)
    sink = make_sink(settings, client)
    fake.down = True
    sink.on_conversation_item(message("user", "first"))
    await sink.flush()
    fake.down = False
    sink.on_conversation_item(message("user", "second"))
    await sink.aclose("job_shutdown")
    await client.aclose()
    assert fake.seqs == [0, 1]
