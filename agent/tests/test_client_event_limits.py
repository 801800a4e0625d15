"""Client events (browser -> agent on TOPIC_CLIENT_EVENTS) are bounded: an oversized stream is
dropped unread (closed after the limit, never buffered whole, never logged), and once the user
said hello no other identity speaks for the browser."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

from troupe_agent.browser import MAX_CLIENT_EVENT_CHARS, ClientChannel, ClientState
from troupe_agent.log_sink import SessionLogSink
from troupe_contracts.log import PanelEventEntry

HELLO = json.dumps({"type": "hello", "rpc_methods": [], "panels": ["notepad"]})


def _event(text: str) -> str:
    return json.dumps(
        {
            "type": "panel_event",
            "panel": "notepad",
            "event": "content_changed",
            "data": {"text": text},
            "ts": "2026-01-01T00:00:00Z",
        }
    )


class _Reader:
    """A text stream as LiveKit hands it over: chunks, then the end; records how far it was
    read and whether it was closed."""

    def __init__(self, text: str, chunk: int = 15_000) -> None:
        self.chunks = [text[i : i + chunk] for i in range(0, len(text), chunk)]
        self.read = 0
        self.closed = False

    def __aiter__(self) -> AsyncIterator[str]:
        return self._iter()

    async def _iter(self) -> AsyncIterator[str]:
        for c in self.chunks:
            if self.closed:
                return
            self.read += 1
            yield c

    def close(self) -> None:
        self.closed = True


def _channel(tmp_path: Path) -> tuple[ClientChannel, ClientState, SessionLogSink]:
    async def post(*_: Any) -> None:
        return None

    sink = SessionLogSink(uuid4(), post, tmp_path)
    state = ClientState()
    return ClientChannel(state, sink), state, sink


def _logged(sink: SessionLogSink) -> list[Any]:
    return [e for e in sink.entries if isinstance(e, PanelEventEntry)]


async def test_an_oversized_client_event_is_dropped_unread(tmp_path: Path) -> None:
    channel, _, sink = _channel(tmp_path)
    channel.handle(HELLO, "user-1")
    huge = _Reader(_event("x" * (MAX_CLIENT_EVENT_CHARS * 20)))
    await channel._read(huge, "user-1")  # type: ignore[arg-type]
    assert huge.closed and huge.read < len(huge.chunks)
    channel.handle(_event("y" * MAX_CLIENT_EVENT_CHARS), "user-1")
    assert _logged(sink) == []

    fine = _Reader(_event("hello"))
    await channel._read(fine, "user-1")  # type: ignore[arg-type]
    assert not fine.closed and [e.data["text"] for e in _logged(sink)] == ["hello"]


async def test_only_the_user_who_said_hello_sends_client_events(tmp_path: Path) -> None:
    channel, state, sink = _channel(tmp_path)
    channel.handle(HELLO, "user-1")
    channel.handle(_event("from another user identity"), "user-2")
    channel.handle(HELLO, "user-2")
    assert state.user_identity == "user-1" and _logged(sink) == []
    channel.handle(_event("mine"), "user-1")
    assert [e.data["text"] for e in _logged(sink)] == ["mine"]
