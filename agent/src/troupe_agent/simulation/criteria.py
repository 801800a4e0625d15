"""Deterministic checks of a simulation's transcript against a scenario's success criteria.

Every check returns a ``CriterionResult`` whose ``reason`` says what happened, in words a
reader of a CI log understands without the transcript: which agent, which turn, which value."""

import json
import re
from collections.abc import Iterable
from typing import Any

from troupe_contracts.simulation import (
    Criterion,
    CriterionResult,
    CriterionStatus,
    HandoffCriterion,
    MaxTurnsCriterion,
    MustNotSayCriterion,
    MustSayCriterion,
    SimulatedToolCall,
    SimulationTurn,
    ToolCallCriterion,
)

QUOTE_CHARS = 120
UNKNOWN_TOOL_PREFIX = "Unknown function"
"""How livekit answers a call of a tool the agent does not have."""


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f'"{text[:QUOTE_CHARS]}…"' if len(text) > QUOTE_CHARS else f'"{text}"'


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def criterion_name(criterion: Criterion) -> str:
    match criterion:
        case HandoffCriterion(to_agent=to_agent):
            return f"hands off to {to_agent}"
        case ToolCallCriterion(tool=tool, arguments=args, argument_patterns=patterns):
            shown = [f"{k}={_text(v)}" for k, v in args.items()]
            shown += [f"{k}~/{p}/" for k, p in patterns.items()]
            return f"calls {tool}" + (f" with {', '.join(shown)}" if shown else "")
        case MustNotSayCriterion(pattern=pattern):
            return f"never says /{pattern}/"
        case MustSayCriterion(pattern=pattern):
            return f"says /{pattern}/"
        case MaxTurnsCriterion(turns=turns):
            return f"finishes within {turns} turns"
    raise AssertionError(f"unknown criterion {criterion!r}")


def _result(criterion: Criterion, passed: bool, reason: str) -> CriterionResult:
    return CriterionResult(
        criterion=criterion,
        name=criterion_name(criterion),
        status=CriterionStatus.PASSED if passed else CriterionStatus.FAILED,
        reason=reason,
    )


def _calls(turns: Iterable[SimulationTurn]) -> list[tuple[int, SimulatedToolCall]]:
    return [(t.index, c) for t in turns for c in t.tool_calls]


def argument_mismatch(call: SimulatedToolCall, criterion: ToolCallCriterion) -> str | None:
    """Why ``call``'s arguments do not satisfy ``criterion``; None when they do."""
    for key, expected in criterion.arguments.items():
        if key not in call.arguments:
            return f"argument {key!r} is missing"
        if call.arguments[key] != expected:
            return f"{key}={_text(call.arguments[key])}, expected {_text(expected)}"
    for key, pattern in criterion.argument_patterns.items():
        if key not in call.arguments:
            return f"argument {key!r} is missing"
        if not re.search(pattern, _text(call.arguments[key]), re.IGNORECASE):
            return f"{key}={_text(call.arguments[key])} does not match /{pattern}/"
    return None


def check_handoff(c: HandoffCriterion, turns: list[SimulationTurn]) -> CriterionResult:
    handoffs = [(t.index, h) for t in turns for h in t.handoffs]
    for index, h in handoffs:
        if h.to_agent == c.to_agent:
            return _result(c, True, f"{h.from_agent} handed off to {c.to_agent} in turn {index}")
    seen = ", ".join(f"{h.from_agent}→{h.to_agent}" for _, h in handoffs) or "none"
    last = turns[-1].agent if turns else "nobody"
    reason = (
        f"never handed off to {c.to_agent} (handoffs: {seen}; the conversation ended with {last})"
    )
    failed = [
        call
        for _, call in _calls(turns)
        if call.name == f"transfer_to_{c.to_agent}" and call.is_error
    ]
    if failed:
        reason += f"; transfer_to_{c.to_agent} failed: {_quote(failed[0].output)}"
    return _result(c, False, reason)


def check_tool_call(c: ToolCallCriterion, turns: list[SimulationTurn]) -> CriterionResult:
    calls = _calls(turns)
    named = [(i, call) for i, call in calls if call.name == c.tool]
    if not named:
        made = ", ".join(sorted({call.name for _, call in calls})) or "none"
        return _result(c, False, f"{c.tool} was never called (tools called: {made})")
    problems: list[str] = []
    for index, call in named:
        if call.is_error and call.output.startswith(UNKNOWN_TOOL_PREFIX):
            problems.append(f"turn {index}: {call.agent} has no tool {c.tool}")
            continue
        problem = argument_mismatch(call, c)
        if problem is None:
            outcome = f"; it failed: {_quote(call.output)}" if call.is_error else ""
            return _result(
                c,
                True,
                f"{call.agent} called {c.tool} in turn {index} with "
                f"{json.dumps(call.arguments, sort_keys=True)}{outcome}",
            )
        problems.append(f"turn {index}: {problem}")
    return _result(
        c,
        False,
        f"{c.tool} was called {len(named)} time(s) but never with matching arguments "
        f"({'; '.join(problems[:3])})",
    )


def _messages(turns: list[SimulationTurn]) -> list[tuple[int, str, str]]:
    return [(t.index, r.agent, r.text) for t in turns for r in t.replies]


def check_must_not_say(c: MustNotSayCriterion, turns: list[SimulationTurn]) -> CriterionResult:
    for index, agent, text in _messages(turns):
        if m := re.search(c.pattern, text, re.IGNORECASE):
            return _result(
                c, False, f"{agent} said {_quote(text)} in turn {index} (matched {m.group(0)!r})"
            )
    return _result(c, True, f"no agent message matches /{c.pattern}/")


def check_must_say(c: MustSayCriterion, turns: list[SimulationTurn]) -> CriterionResult:
    for index, agent, text in _messages(turns):
        if re.search(c.pattern, text, re.IGNORECASE):
            return _result(c, True, f"{agent} said {_quote(text)} in turn {index}")
    count = len(_messages(turns))
    return _result(c, False, f"none of the {count} agent message(s) matches /{c.pattern}/")


def check_max_turns(c: MaxTurnsCriterion, *, user_turns: int, finished: bool) -> CriterionResult:
    if not finished:
        return _result(c, False, f"the conversation did not finish ({user_turns} user turns run)")
    if user_turns > c.turns:
        return _result(c, False, f"it took {user_turns} user turns, more than {c.turns}")
    return _result(c, True, f"finished after {user_turns} user turn(s)")


def evaluate(
    criteria: Iterable[Criterion],
    turns: list[SimulationTurn],
    *,
    user_turns: int,
    finished: bool,
) -> list[CriterionResult]:
    results: list[CriterionResult] = []
    for c in criteria:
        match c:
            case HandoffCriterion():
                results.append(check_handoff(c, turns))
            case ToolCallCriterion():
                results.append(check_tool_call(c, turns))
            case MustNotSayCriterion():
                results.append(check_must_not_say(c, turns))
            case MustSayCriterion():
                results.append(check_must_say(c, turns))
            case MaxTurnsCriterion():
                results.append(check_max_turns(c, user_turns=user_turns, finished=finished))
    return results
