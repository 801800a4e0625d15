"""Handoffs between the agents of a session.

- ``transfer_to_<slug>`` tools are generated from each agent's ``handoffs``; the tool returns
  the next ``TroupeAgent`` and livekit swaps it in; the new agent speaks from ``on_enter``.
- ``HandoffGuard`` refuses loops with a ``ToolError`` the model reads: a bounce straight back to
  the agent just left (within ``bounce_back_s``) or more than ``max_in_window`` handoffs inside
  ``window_s``; and a second transfer in the same tool batch. The first two stop
  agent-initiated ping-pong only: when the user asked for the target in their last turn
  (``user_asked_for``), the transfer goes ahead.
- ``single_voice_on_handoff``: when a handoff shares a tool batch with ordinary tools, livekit
  would let the outgoing agent answer the sibling outputs before the switch (see
  shared/LIVEKIT-AGENTS.md); we cancel that reply so only the new agent speaks."""

import re
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from livekit.agents import AgentSession, ToolError, llm
from livekit.agents.voice.events import FunctionToolsExecutedEvent

from troupe_agent.logging import get_logger

log = get_logger(__name__)

Clock = Any  # Callable[[], float]; kept loose to avoid an import cycle with tools.base


@dataclass(frozen=True)
class HandoffRecord:
    from_agent: str
    to_agent: str
    at: float


class HandoffGuard:
    def __init__(
        self,
        *,
        window_s: float = 60.0,
        max_in_window: int = 3,
        bounce_back_s: float = 20.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.window_s = window_s
        self.max_in_window = max_in_window
        self.bounce_back_s = bounce_back_s
        self._clock = clock
        self.history: deque[HandoffRecord] = deque(maxlen=100)
        self._batch_turn: str | None = None

    def check(
        self,
        from_agent: str,
        to_agent: str,
        *,
        turn_id: str | None = None,
        user_asked: bool = False,
    ) -> None:
        """Raise ``ToolError`` when this handoff must not happen; otherwise record it.
        ``user_asked``: the user asked for ``to_agent`` in their last turn, so the loop checks
        (bounce-back, handoffs per window) do not apply: they are for agents ping-ponging."""
        now = self._clock()
        if to_agent == from_agent:
            raise ToolError("You are already this agent; keep helping the user yourself.")
        if turn_id is not None and turn_id == self._batch_turn:
            raise ToolError("A transfer is already under way; do not transfer twice at once.")
        recent = [h for h in self.history if now - h.at < self.window_s]
        last = self.history[-1] if self.history else None
        if user_asked:
            log.info("handoff asked for by the user", from_agent=from_agent, to_agent=to_agent)
            self.history.append(HandoffRecord(from_agent, to_agent, now))
            self._batch_turn = turn_id
            return
        if (
            last is not None
            and last.to_agent == from_agent
            and last.from_agent == to_agent
            and now - last.at < self.bounce_back_s
        ):
            raise ToolError(
                f"Transfer refused: the user was just transferred to you from {to_agent} "
                f"{now - last.at:.0f} seconds ago, and sending them straight back would loop. "
                "Help the user yourself, or tell them plainly what you cannot do."
            )
        if len(recent) >= self.max_in_window:
            raise ToolError(
                f"Transfer refused: there were already {len(recent)} transfers in the last "
                f"{self.window_s:.0f} seconds. Stay with the user and help them yourself."
            )
        self.history.append(HandoffRecord(from_agent, to_agent, now))
        self._batch_turn = turn_id


_BACK = re.compile(
    r"\b(go|going|get|take|send|put|switch|transfer|bring|connect)\b(\s+\w+){0,3}\s+back\b"
    r"|\bback to\b|\bprevious (agent|person|one)\b|\bthe (other|first) (agent|person|one)\b",
    re.IGNORECASE,
)


def last_user_text(items: Iterable[llm.ChatItem]) -> str:
    """The text of the user's last message ('' when there is none)."""
    for item in reversed(list(items)):
        if isinstance(item, llm.ChatMessage) and item.role == "user":
            return item.text_content or ""
    return ""


def user_asked_for(text: str, *, name: str, slug: str, returning: bool) -> bool:
    """Whether the user's words ask for this agent: they name it (its name or slug), or,
    when ``returning`` (the target is the agent they just came from), they ask to go back."""
    words = text.lower()
    for label in {name.lower(), slug.lower(), slug.replace("_", " ").lower()}:
        if label and re.search(rf"\b{re.escape(label)}\b", words):
            return True
    return returning and _BACK.search(text) is not None


def single_voice_on_handoff(ev: FunctionToolsExecutedEvent) -> None:
    """Session listener: a batch with a handoff gets no reply from the outgoing agent."""
    if ev.has_agent_handoff and ev.has_tool_reply:
        log.info(
            "handoff shares a tool batch; the outgoing agent stays silent",
            tools=[c.name for c in ev.function_calls],
        )
        ev.cancel_tool_reply()


def attach(session: AgentSession[Any]) -> None:
    session.on("function_tools_executed", single_voice_on_handoff)
