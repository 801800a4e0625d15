"""Text-mode simulations: the scenario's simulated user talks to the REAL runtime agents.

The agents are built by the same ``AgentFactory`` the worker uses (instructions, tools,
handoff tools, context policies, loop guard, the single-voice rule), inside an ``AgentSession``
without a room: ``session.run(user_input=...)`` gives each turn's events (messages, tool calls
and outputs, handoffs). Tools named in the scenario's ``mocks`` are intercepted with
livekit's ``mock_tools`` (the model still sees the real schema; a tool the agent lacks stays
missing). There is no audio: agents get no STT and a silent TTS that is never used."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import AgentSession, ToolError, llm, stt, tts
from livekit.agents.voice.run_result import (
    AgentHandoffEvent,
    ChatMessageEvent,
    FunctionCallEvent,
    FunctionCallOutputEvent,
    RunEvent,
    RunResult,
    mock_tools,
)
from troupe_contracts.config import SessionConfig
from troupe_contracts.simulation import (
    AgentReply,
    CriterionResult,
    CriterionStatus,
    Scenario,
    SimulatedHandoff,
    SimulatedToolCall,
    SimulationMode,
    SimulationResult,
    SimulationTurn,
    SimulationVerdict,
    ToolMock,
)

from troupe_agent import handoff
from troupe_agent.agents import AgentFactory, Providers, TroupeAgent
from troupe_agent.logging import get_logger
from troupe_agent.providers.fake import FakeTTS
from troupe_agent.runtime import SessionRuntime
from troupe_agent.session import turn_handling
from troupe_agent.simulation.criteria import evaluate
from troupe_agent.simulation.persona import PersonaUser, ScriptedUser, SimulatedUserDriver, judge

log = get_logger(__name__)

TURN_TIMEOUT_S = 120.0
"""Longest an agent may take to finish answering one user turn (local models are slow)."""

LLMSource = Callable[[str], llm.LLM[Any] | None]
"""A ``provider/model`` id → an LLM, or None when that provider is unavailable here."""
Progress = Callable[[str], None]


class TextModeProviders:
    """The worker's providers with the audio stages taken out: no STT, a silent TTS that a
    room-less session never calls. The LLMs are the configured ones."""

    def __init__(self, inner: Providers) -> None:
        self._inner = inner
        self._silent = FakeTTS(seconds_per_char=0.0)

    def stt(self, provider_id: str, *, language: str = "en") -> stt.STT[Any] | None:
        return None

    def llm(self, provider_id: str, *, agent: str | None = None) -> llm.LLM[Any]:
        return self._inner.llm(provider_id, agent=agent)

    def tts(
        self, provider_id: str, *, voice: str | None = None, language: str = "en"
    ) -> tts.TTS[Any]:
        return self._silent

    def sees_images(self, provider_id: str) -> bool:
        sees = getattr(self._inner, "sees_images", None)
        return bool(sees(provider_id)) if sees is not None else False


def mock_callable(mock: ToolMock) -> Callable[[], Awaitable[str]]:
    async def mocked() -> str:
        if mock.error is not None:
            raise ToolError(mock.error)
        return mock.result or ""

    return mocked


@dataclass
class _TurnRecorder:
    """Folds one run's events into a ``SimulationTurn``, following the active agent."""

    index: int
    agent: str
    user_text: str | None
    started_wall: float
    mocked: frozenset[str]
    replies: list[AgentReply] = field(default_factory=list)
    calls: dict[str, SimulatedToolCall] = field(default_factory=dict)
    handoffs: list[SimulatedHandoff] = field(default_factory=list)
    first_reply_at: float | None = None

    def add(self, events: list[RunEvent]) -> None:
        for ev in events:
            if isinstance(ev, AgentHandoffEvent):
                new = ev.item.new_agent_id
                if ev.item.old_agent_id is not None:  # None: the session's first agent
                    self.handoffs.append(
                        SimulatedHandoff(from_agent=ev.item.old_agent_id, to_agent=new)
                    )
                self.agent = new
            elif isinstance(ev, ChatMessageEvent):
                if ev.item.role != "assistant":
                    continue
                text = (ev.item.text_content or "").strip()
                if not text:
                    continue
                if self.first_reply_at is None:
                    self.first_reply_at = ev.item.created_at
                self.replies.append(AgentReply(agent=self.agent, text=text))
            elif isinstance(ev, FunctionCallEvent):
                try:
                    arguments = json.loads(ev.item.arguments or "{}")
                except json.JSONDecodeError:
                    arguments = {"_raw": ev.item.arguments}
                self.calls[ev.item.call_id] = SimulatedToolCall(
                    agent=self.agent,
                    name=ev.item.name,
                    arguments=arguments if isinstance(arguments, dict) else {"_value": arguments},
                    mocked=ev.item.name in self.mocked,
                )
            elif isinstance(ev, FunctionCallOutputEvent):
                # livekit reports a call of a tool the agent lacks by its output alone
                call = self.calls.get(ev.item.call_id) or SimulatedToolCall(
                    agent=self.agent, name=ev.item.name, mocked=False
                )
                self.calls[ev.item.call_id] = call.model_copy(
                    update={"output": ev.item.output, "is_error": ev.item.is_error}
                )

    def turn(self) -> SimulationTurn:
        latency = (
            round((self.first_reply_at - self.started_wall) * 1000, 1)
            if self.first_reply_at is not None
            else None
        )
        return SimulationTurn(
            index=self.index,
            user_text=self.user_text,
            replies=self.replies,
            tool_calls=list(self.calls.values()),
            handoffs=self.handoffs,
            agent=self.agent,
            latency_ms=latency,
        )


def verdict_of(criteria: list[CriterionResult]) -> SimulationVerdict:
    failed = any(c.status == CriterionStatus.FAILED for c in criteria)
    return SimulationVerdict.FAILED if failed else SimulationVerdict.PASSED


def user_driver(scenario: Scenario, llm_source: LLMSource | None) -> SimulatedUserDriver:
    """The persona LLM when the scenario names one and it is available, else the script."""
    if scenario.user.persona_llm and llm_source is not None:
        persona_llm = llm_source(scenario.user.persona_llm)
        if persona_llm is not None:
            return PersonaUser(scenario, persona_llm)
        log.info("persona LLM unavailable, using the scripted turns", llm=scenario.user.persona_llm)
    if not scenario.user.turns:
        raise ValueError(
            "the scenario has no scripted user turns and its persona LLM is unavailable"
        )
    return ScriptedUser(scenario.user.turns, scenario.max_turns)


def with_scenario_variables(config: SessionConfig, scenario: Scenario) -> SessionConfig:
    """The session's variables with the scenario's over them (the API resolved and checked
    them already for a claimed run; a CLI run of a template's scenarios gets them here)."""
    if not scenario.variables:
        return config
    return config.model_copy(update={"variables": {**config.variables, **scenario.variables}})


async def run_text(
    scenario: Scenario,
    config: SessionConfig,
    providers: Providers,
    *,
    llm_source: LLMSource | None = None,
    progress: Progress | None = None,
    turn_timeout_s: float = TURN_TIMEOUT_S,
) -> SimulationResult:
    """Run ``scenario`` against the agents of ``config``. Never raises for a problem of the
    scenario or the agents: those give an ``error`` verdict with the reason."""
    started = time.perf_counter()
    turns: list[SimulationTurn] = []
    user_turns = 0
    finished = False

    def done(
        verdict: SimulationVerdict, criteria: list[CriterionResult], error: str | None
    ) -> SimulationResult:
        return SimulationResult(
            scenario=scenario.name,
            mode=SimulationMode.TEXT,
            verdict=verdict,
            turns=turns,
            criteria=criteria,
            error=error,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            user_turns=user_turns,
            finished=finished,
        )

    config = with_scenario_variables(config, scenario)
    runtime = SessionRuntime(config)
    try:
        driver = user_driver(scenario, llm_source)
        factory = AgentFactory(config, TextModeProviders(providers), runtime=runtime)
        factory.validate()
        initial = factory.build_initial()
    except Exception as e:  # a broken template is a result, not a crash of the runner
        await runtime.aclose()
        return done(SimulationVerdict.ERROR, [], f"the agents could not be built: {e}")

    mocked = frozenset(scenario.mocks)
    # no audio, so no VAD: turns are the runner's own (``manual``), interruptions are off
    session: AgentSession[Any] = AgentSession(
        turn_handling={
            **turn_handling(),
            "turn_detection": "manual",
            "interruption": {"enabled": False},
        },
        userdata=runtime.state,
    )
    handoff.attach(session)
    mock_tools(
        TroupeAgent,
        {name: mock_callable(m) for name, m in scenario.mocks.items()},
        session=session,
    )
    try:
        async with session:
            opening = _TurnRecorder(0, initial.slug, None, time.time(), mocked)
            run = await asyncio.wait_for(session.start(initial, capture_run=True), turn_timeout_s)
            await asyncio.wait_for(run, turn_timeout_s)
            opening.add(run.events)
            turns.append(opening.turn())
            agent = opening.agent
            while (said := await driver.next_utterance(turns)) is not None:
                user_turns += 1
                if progress:
                    progress(f"  turn {user_turns}: user says {said!r}")
                recorder = _TurnRecorder(user_turns, agent, said, time.time(), mocked)
                result: RunResult[None] = await asyncio.wait_for(
                    session.run(user_input=said), turn_timeout_s
                )
                recorder.add(result.events)
                turn = recorder.turn()
                turns.append(turn)
                agent = turn.agent
                if progress:
                    for reply in turn.replies:
                        progress(f"    {reply.agent}: {reply.text}")
            finished = driver.finished
    except TimeoutError:
        await runtime.aclose()
        return done(
            SimulationVerdict.ERROR,
            [],
            f"the agents did not finish a turn within {turn_timeout_s:.0f} s",
        )
    except Exception as e:
        log.exception("simulation failed")
        await runtime.aclose()
        return done(SimulationVerdict.ERROR, [], f"{type(e).__name__}: {e}")
    await runtime.aclose()

    criteria = evaluate(scenario.criteria, turns, user_turns=user_turns, finished=finished)
    if scenario.judge is not None:
        criteria.append(await judge(scenario.judge, turns, llm_source))
    return done(verdict_of(criteria), criteria, None)
