"""Watching a live ``AgentSession`` from a test: what the assistant said, and waiting (bounded)
for a condition instead of sleeping."""

import asyncio
from collections.abc import Callable
from typing import Any

from livekit.agents import AgentSession


def assistant_texts(session: AgentSession[Any]) -> list[str]:
    return [m.text_content or "" for m in session.history.messages() if m.role == "assistant"]


async def wait_for(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Return once ``predicate()`` is true; ``TimeoutError`` after ``timeout`` seconds."""

    async def loop() -> None:
        while not predicate():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(loop(), timeout)
