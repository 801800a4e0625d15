"""The runtime's session log survives a real API outage: a second ``troupe-api serve`` process
(same database as the stack under test) is the sink's target; it is stopped while the session
goes on and started again. The spooled batches are replayed once it is back, and the API's stored
log holds every seq exactly once, in order, complete."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import httpx
from livekit.agents import llm
from livekit.agents.voice.events import ConversationItemAddedEvent
from troupe_agent.log_sink import SessionLogSink, Spool, replay_all
from troupe_contracts.log import SessionLogBatch

from tests.e2e.support import ApiProcess, env, runtime_client, started_session


def stored_log(session_id: UUID, token: str) -> dict:
    r = httpx.get(
        f"{env('TROUPE_API_URL')}/api/v1/sessions/{session_id}/log",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()


def say(sink: SessionLogSink, text: str) -> None:
    """One assistant line into the sink, through the session event a spoken reply raises."""
    sink.on_conversation_item(
        ConversationItemAddedEvent(item=llm.ChatMessage(role="assistant", content=[text]))
    )


async def test_log_batches_survive_an_api_outage(
    demo: dict[str, str], api_process: ApiProcess, tmp_path: Path
) -> None:
    session_id, token = started_session(demo)
    client = runtime_client(api_process)
    spool_dir = tmp_path / "spool"
    sink = SessionLogSink(session_id, client.post_log, spool_dir, batch_size=500)
    spool = Spool(spool_dir)
    try:
        # 1. API up: delivered at once
        sink.agent_entered("test_agent")
        for i in range(3):
            say(sink, f"before the outage {i}")
        await sink.flush()
        assert spool.pending(session_id) == []
        assert [e["seq"] for e in stored_log(session_id, token)["entries"]] == [0, 1, 2, 3]

        # 2. API down: the session goes on; two batches land in the spool, in order
        api_process.stop()
        for i in range(4):
            say(sink, f"during the outage {i}")
        await sink.flush()
        say(sink, "still down")
        await sink.flush()
        pending = [p.name for p in spool.pending(session_id)]
        assert pending == ["0000000004.json", "0000000008.json"], pending
        assert [e["seq"] for e in stored_log(session_id, token)["entries"]] == [0, 1, 2, 3]

        # a batch the API stored but whose answer was lost (killed mid-request) is spooled
        # too: its replay must not duplicate anything
        first = SessionLogBatch.model_validate(
            {"entries": stored_log(session_id, token)["entries"][:2]}
        )
        spool.put(session_id, first)

        # 3. API back: the next flush replays the spool first, then sends the new entries
        api_process.start()
        say(sink, "after the outage")
        await sink.flush()
        assert spool.pending(session_id) == []
        await sink.aclose("user_ended")
    finally:
        await client.aclose()

    log = stored_log(session_id, token)
    seqs = [e["seq"] for e in log["entries"]]
    assert seqs == list(range(10)), f"lost or duplicated entries: {seqs}"
    texts = [e.get("text") for e in log["entries"] if e["kind"] == "message"]
    assert texts == [
        *(f"before the outage {i}" for i in range(3)),
        *(f"during the outage {i}" for i in range(4)),
        "still down",
        "after the outage",
    ]
    assert log["complete"] is True
    assert log["close_reason"] == "user_ended"


async def test_a_spool_left_by_a_dead_worker_is_delivered_at_the_next_start(
    demo: dict[str, str], api_process: ApiProcess, tmp_path: Path
) -> None:
    """A worker that died while the API was down leaves its spool behind; the next worker's
    ``replay_all`` (run at every job start) delivers it."""
    session_id, token = started_session(demo)
    spool_dir = tmp_path / "spool"
    client = runtime_client(api_process)
    try:
        api_process.stop()
        sink = SessionLogSink(session_id, client.post_log, spool_dir, batch_size=2)
        sink.agent_entered("test_agent")
        for i in range(4):
            say(sink, f"line {i}")
        await sink.aclose("job_shutdown")  # everything spooled, the last batch final
        assert len(Spool(spool_dir).pending(session_id)) >= 2
        assert stored_log(session_id, token)["entries"] == []

        api_process.start()
        assert await replay_all(Spool(spool_dir), client.post_log) == 1
        assert await replay_all(Spool(spool_dir), client.post_log) == 0  # nothing left
    finally:
        await client.aclose()
    log = stored_log(session_id, token)
    assert [e["seq"] for e in log["entries"]] == [0, 1, 2, 3, 4]
    assert log["complete"] is True and log["close_reason"] == "job_shutdown"
