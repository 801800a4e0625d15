"""Session lifecycle on the runtime side: the user leaving (wrap up after a grace period),
the user going away (``user_state_changed`` to ``away`` after ``idle_timeout_s``: check in
once, then end), the maximum duration (spoken goodbye), and the graceful end itself
(``SessionEndingEvent``, drain the speech, close the session; the job's shutdown callback then
flushes the session log)."""

import asyncio
import contextlib
from typing import Any

from livekit.agents import AgentSession
from livekit.agents.voice.events import UserStateChangedEvent

from troupe_agent.events import EndingReason, EventPublisher, session_ending_event
from troupe_agent.logging import get_logger

log = get_logger(__name__)

CHECK_IN_PROMPT = (
    "The user has been silent for a while. Ask once, in one short sentence, whether they are "
    "still there."
)
IDLE_GOODBYE = "It seems you have stepped away, so I will end our conversation now. Goodbye!"
MAX_DURATION_GOODBYE = "We have reached the time limit for this conversation. Thank you, goodbye!"
GOODBYE_PLAYOUT_TIMEOUT_S = 15.0


class SessionLifecycle:
    def __init__(
        self,
        session: AgentSession[Any],
        publisher: EventPublisher,
        *,
        max_duration_s: float,
        user_left_grace_s: float = 20.0,
        away_grace_s: float = 30.0,
    ) -> None:
        self._session = session
        self._publisher = publisher
        self.max_duration_s = max_duration_s
        self.user_left_grace_s = user_left_grace_s
        self.away_grace_s = away_grace_s
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._checked_in = False
        self.ended: EndingReason | None = None
        self._ending: asyncio.Task[None] | None = None

    def attach(self) -> None:
        self._session.on("user_state_changed", self.on_user_state)
        self._later("max_duration", self.max_duration_s, self._max_duration)

    # ------------------------------------------------------------------ timers

    def _later(self, name: str, delay: float, fn: Any) -> None:
        self._cancel(name)

        async def run() -> None:
            await asyncio.sleep(delay)
            await fn()

        self._timers[name] = asyncio.get_running_loop().create_task(run(), name=f"troupe.{name}")

    def _cancel(self, name: str) -> None:
        task = self._timers.pop(name, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    # ------------------------------------------------------------------ events

    def on_user_state(self, ev: UserStateChangedEvent) -> None:
        if ev.new_state == "away" and self.ended is None:
            if not self._checked_in:
                self._checked_in = True
                log.info("user away: checking in")
                self._session.generate_reply(instructions=CHECK_IN_PROMPT)
                self._later("away", self.away_grace_s, self._still_away)
        elif ev.new_state == "speaking":
            self._checked_in = False
            self._cancel("away")

    async def _still_away(self) -> None:
        if self._session.user_state != "speaking":
            await self.end("idle", IDLE_GOODBYE)

    def on_user_left(self) -> None:
        log.info("user left; waiting before closing", grace_s=self.user_left_grace_s)
        self._later("user_left", self.user_left_grace_s, self._user_gone)

    def on_user_joined(self) -> None:
        self._cancel("user_left")

    async def _user_gone(self) -> None:
        await self.end("agent", None)

    async def _max_duration(self) -> None:
        await self.end("max_duration", MAX_DURATION_GOODBYE)

    # ------------------------------------------------------------------ ending

    def request_end(self, goodbye: str) -> None:
        """End the call because the agent decided to (the ``end_session`` tool): after the
        current speech, the goodbye is spoken and the session closes. The task is kept."""
        if self.ended is not None or self._ending is not None:
            return
        self._ending = asyncio.get_running_loop().create_task(
            self.end("agent", goodbye.strip() or None), name="troupe.end_session"
        )

    async def end(self, reason: EndingReason, goodbye: str | None) -> None:
        """Say goodbye (if someone is listening), then close the session. Runs once."""
        if self.ended is not None:
            return
        self.ended = reason
        log.info("ending the session", reason=reason)
        self._publisher.send(session_ending_event(reason))
        for name in list(self._timers):
            self._cancel(name)
        if goodbye:
            with contextlib.suppress(Exception):
                handle = self._session.say(goodbye, allow_interruptions=False)
                await asyncio.wait_for(handle.wait_for_playout(), GOODBYE_PLAYOUT_TIMEOUT_S)
        self._session.shutdown(drain=True)

    async def aclose(self) -> None:
        for name in list(self._timers):
            self._cancel(name)
        if self._ending is not None and not self._ending.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._ending), GOODBYE_PLAYOUT_TIMEOUT_S)
