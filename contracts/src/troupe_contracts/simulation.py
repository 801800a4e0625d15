"""Simulations: scenario tests of a session template's agents.

A ``Scenario`` describes a simulated user (goal, persona, scripted turns or an LLM persona),
the template under test, optional mocked tool results and success criteria that are checked
deterministically against the transcript (plus an optional judge-model verdict). Running it
gives a ``SimulationResult``: the per-turn transcript, each criterion's verdict with a reason,
the overall verdict and the duration.

Who produces what: the dashboard and the ``troupe simulate`` CLI write scenarios; the agent
package's runner (text mode: the real agents without a room; audio mode: through LiveKit)
produces results; the API stores both (``/api/v1/simulations``)."""

import re
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, model_validator

from troupe_contracts.base import Contract
from troupe_contracts.config import SessionConfig
from troupe_contracts.session import StartVariableName, StartVariableValue

MAX_SCENARIO_TURNS = 50
"""Upper bound on the user turns of one simulation (scripted or persona)."""


class SimulationMode(StrEnum):
    TEXT = "text"
    """The simulated user exchanges text with the real runtime agents (no room, no audio)."""
    AUDIO = "audio"
    """The simulated user speaks through the real LiveKit server and listens through the STT."""


class SimulatedUser(Contract):
    """Who talks to the agents. Offline default: the scripted ``turns``, said in order. With
    ``persona_llm`` (a ``provider/model`` id) and that provider's key available, an LLM plays
    the persona towards the goal instead, for at most the scenario's ``max_turns``."""

    turns: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        default_factory=list, max_length=MAX_SCENARIO_TURNS
    )
    persona_llm: str | None = Field(default=None, max_length=120)


class ToolMock(Contract):
    """What a tool returns in the simulation instead of running: a ``result`` the model reads,
    or an ``error`` it reacts to (as a ``ToolError``). Exactly one of the two."""

    result: str | None = Field(default=None, max_length=8000)
    error: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _one_of(self) -> "ToolMock":
        if (self.result is None) == (self.error is None):
            raise ValueError("a tool mock has exactly one of result or error")
        return self


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"invalid regular expression {pattern!r}: {e}") from e
    return pattern


class HandoffCriterion(Contract):
    """The conversation must reach agent ``to_agent`` through a handoff."""

    type: Literal["handoff"] = "handoff"
    to_agent: str = Field(min_length=1, max_length=48)


class ToolCallCriterion(Contract):
    """Some agent must call tool ``tool`` with arguments that contain ``arguments`` (subset
    match: every given key equal) and whose values match ``argument_patterns`` (regular
    expressions searched in the value's text, case-insensitive)."""

    type: Literal["tool_call"] = "tool_call"
    tool: str = Field(min_length=1, max_length=64)
    arguments: dict[str, Any] = Field(default_factory=dict)
    argument_patterns: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _patterns(self) -> "ToolCallCriterion":
        for pattern in self.argument_patterns.values():
            _check_regex(pattern)
        return self


class MustNotSayCriterion(Contract):
    """No agent message may match ``pattern`` (a regular expression, case-insensitive)."""

    type: Literal["must_not_say"] = "must_not_say"
    pattern: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _pattern(self) -> "MustNotSayCriterion":
        _check_regex(self.pattern)
        return self


class MustSayCriterion(Contract):
    """Some agent message must match ``pattern`` (a regular expression, case-insensitive)."""

    type: Literal["must_say"] = "must_say"
    pattern: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _pattern(self) -> "MustSayCriterion":
        _check_regex(self.pattern)
        return self


class MaxTurnsCriterion(Contract):
    """The conversation must finish within ``turns`` user turns: the script ran out, or the
    persona declared its goal reached, by then."""

    type: Literal["max_turns"] = "max_turns"
    turns: int = Field(ge=1, le=MAX_SCENARIO_TURNS)


Criterion = Annotated[
    HandoffCriterion
    | ToolCallCriterion
    | MustNotSayCriterion
    | MustSayCriterion
    | MaxTurnsCriterion,
    Field(discriminator="type"),
]


class JudgeSpec(Contract):
    """An optional judge-model verdict: the LLM ``llm`` reads the transcript and says whether
    the agents did ``intent``. Skipped (not failed) when that provider is unavailable."""

    llm: str = Field(min_length=1, max_length=120)
    intent: str = Field(min_length=1, max_length=2000)


class Scenario(Contract):
    name: str = Field(min_length=1, max_length=200)
    goal: str = Field(default="", max_length=2000)
    """What the simulated user wants (the persona LLM works towards it)."""
    persona: str = Field(default="", max_length=2000)
    """Who the simulated user is and how they talk."""
    template_id: UUID | None = None
    """The session template under test (the CLI may run an inline config instead)."""
    user: SimulatedUser = Field(default_factory=SimulatedUser)
    mocks: dict[str, ToolMock] = Field(default_factory=dict)
    """Tool name → mocked result or error, replacing the real tool's effect."""
    criteria: list[Criterion] = Field(default_factory=list, max_length=50)
    judge: JudgeSpec | None = None
    max_turns: int = Field(default=10, ge=1, le=MAX_SCENARIO_TURNS)
    """Hard stop for the simulated user (a script longer than this is cut)."""
    variables: dict[StartVariableName, StartVariableValue] = Field(
        default_factory=dict,
        max_length=32,
        description=(
            "Session variables the simulated session starts with: the template's declared "
            "variables, checked as a session start checks them (session_variables_invalid)."
        ),
    )


class ScenarioFile(Scenario):
    """A scenario as the CLI reads it from YAML or JSON: optionally with the resolved
    ``config`` inline, so it runs with no API at all."""

    config: SessionConfig | None = None


# ------------------------------------------------------------------------------- results


class SimulatedToolCall(Contract):
    agent: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    output: str = ""
    is_error: bool = False
    mocked: bool = False


class SimulatedHandoff(Contract):
    from_agent: str | None
    to_agent: str


class AgentReply(Contract):
    agent: str
    text: str


class SimulationTurn(Contract):
    """One exchange: what the simulated user said (``None`` for the opening, before the user
    speaks) and everything the agents did until they were done answering."""

    index: int = Field(ge=0)
    user_text: str | None = None
    replies: list[AgentReply] = Field(default_factory=list)
    tool_calls: list[SimulatedToolCall] = Field(default_factory=list)
    handoffs: list[SimulatedHandoff] = Field(default_factory=list)
    agent: str
    """The agent active at the end of the turn."""
    latency_ms: float | None = None
    """Text mode: user input → first agent message. Audio mode: end of the user's speech →
    first agent audio."""


class CriterionStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class CriterionResult(Contract):
    criterion: Criterion | None = None
    """``None`` for the judge verdict."""
    name: str
    """A readable one-liner, e.g. ``hands off to billing``."""
    status: CriterionStatus
    reason: str


class SimulationVerdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    """The simulation could not run (bad config, runtime crash): no verdict on the agents."""


class SimulationResult(Contract):
    scenario: str
    mode: SimulationMode
    verdict: SimulationVerdict
    turns: list[SimulationTurn] = Field(default_factory=list)
    criteria: list[CriterionResult] = Field(default_factory=list)
    error: str | None = None
    duration_ms: float = Field(ge=0)
    user_turns: int = Field(default=0, ge=0)
    finished: bool = False
    """The simulated user got to the end (script done or goal declared reached) within
    ``max_turns``."""


class SimulationRunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    """The runner produced a result (whatever its verdict)."""


class SimulationClaim(Contract):
    """What the runtime gets when it claims a queued run: everything needed to run it."""

    run_id: UUID
    mode: SimulationMode
    scenario: Scenario
    config: SessionConfig | None = None
    """The template's resolved config; ``None`` when it cannot be resolved (``error`` says
    why), and the runner reports an error result."""
    error: str | None = None
