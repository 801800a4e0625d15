"""The simulated user (a script, or an LLM playing a persona) and the judge-model verdict."""

import re
from collections.abc import Callable
from typing import Any, Protocol

from livekit.agents import llm
from troupe_contracts.simulation import (
    CriterionResult,
    CriterionStatus,
    JudgeSpec,
    Scenario,
    SimulationTurn,
)

DONE_MARK = "[DONE]"
PERSONA_PROMPT = """You play a USER talking to a company's voice assistant, to test it.
Your goal: {goal}
Who you are and how you talk: {persona}
Reply with the one next thing the user says, in one or two short spoken sentences, nothing
else. When your goal is reached (or clearly cannot be), reply with exactly {done}."""

JUDGE_PROMPT = """You review a conversation between a user and a company's voice agents.
Did the agents do this: {intent}
Answer PASS or FAIL on the first line, then one sentence with the reason."""


class SimulatedUserDriver(Protocol):
    finished: bool
    """The user got to the end: script said, or goal declared reached."""

    async def next_utterance(self, turns: list[SimulationTurn]) -> str | None:
        """What the user says next; None when the conversation is over."""
        ...


class ScriptedUser:
    """The offline default: says the scenario's turns in order (at most ``max_turns``)."""

    def __init__(self, turns: list[str], max_turns: int) -> None:
        self._turns = list(turns)
        self._max_turns = max_turns
        self._said = 0
        self.finished = False

    async def next_utterance(self, turns: list[SimulationTurn]) -> str | None:
        if self._said >= len(self._turns):
            self.finished = True
            return None
        if self._said >= self._max_turns:
            return None  # cut: finished stays False
        self._said += 1
        return self._turns[self._said - 1]


async def complete(model: llm.LLM[Any], chat_ctx: llm.ChatContext) -> str:
    text = ""
    async with model.chat(chat_ctx=chat_ctx) as stream:
        async for chunk in stream:
            if chunk.delta and chunk.delta.content:
                text += chunk.delta.content
    return text.strip()


def transcript_lines(turns: list[SimulationTurn]) -> list[tuple[str, str]]:
    """``(speaker, text)`` pairs: ``user`` or the agent's slug."""
    lines: list[tuple[str, str]] = []
    for t in turns:
        if t.user_text is not None:
            lines.append(("user", t.user_text))
        for c in t.tool_calls:
            lines.append((c.agent, f"[calls {c.name}: {'error' if c.is_error else 'ok'}]"))
        lines.extend((r.agent, r.text) for r in t.replies)
    return lines


class PersonaUser:
    """An LLM plays the user: the agents' words are its "user" messages, its own replies are
    "assistant" messages, so any chat model works unchanged."""

    def __init__(self, scenario: Scenario, model: llm.LLM[Any]) -> None:
        self._scenario = scenario
        self._model = model
        self._said = 0
        self.finished = False

    async def next_utterance(self, turns: list[SimulationTurn]) -> str | None:
        if self._said >= self._scenario.max_turns:
            return None
        ctx = llm.ChatContext.empty()
        ctx.add_message(
            role="system",
            content=PERSONA_PROMPT.format(
                goal=self._scenario.goal or "get help",
                persona=self._scenario.persona or "an ordinary customer",
                done=DONE_MARK,
            ),
        )
        for speaker, text in transcript_lines(turns):
            ctx.add_message(role="assistant" if speaker == "user" else "user", content=text)
        reply = await complete(self._model, ctx)
        if not reply or DONE_MARK in reply:
            self.finished = True
            return None
        self._said += 1
        return reply


async def judge(
    spec: JudgeSpec,
    turns: list[SimulationTurn],
    llm_source: Callable[[str], llm.LLM[Any] | None] | None,
) -> CriterionResult:
    name = f"judge: {spec.intent}"
    model = llm_source(spec.llm) if llm_source is not None else None
    if model is None:
        return CriterionResult(
            name=name,
            status=CriterionStatus.SKIPPED,
            reason=f"the judge model {spec.llm} is not available here",
        )
    ctx = llm.ChatContext.empty()
    ctx.add_message(role="system", content=JUDGE_PROMPT.format(intent=spec.intent))
    ctx.add_message(
        role="user",
        content="\n".join(f"{speaker}: {text}" for speaker, text in transcript_lines(turns)),
    )
    try:
        answer = await complete(model, ctx)
    except Exception as e:
        return CriterionResult(
            name=name, status=CriterionStatus.SKIPPED, reason=f"the judge failed: {e}"
        )
    first, _, rest = answer.partition("\n")
    verdict = re.search(r"\b(PASS|FAIL)\b", first.upper())
    if verdict is None:
        return CriterionResult(
            name=name,
            status=CriterionStatus.SKIPPED,
            reason=f"the judge gave no PASS/FAIL verdict: {answer[:200]!r}",
        )
    return CriterionResult(
        name=name,
        status=CriterionStatus.PASSED if verdict.group(1) == "PASS" else CriterionStatus.FAILED,
        reason=(rest.strip() or first.strip())[:500],
    )
