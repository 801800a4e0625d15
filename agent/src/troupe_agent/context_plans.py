"""Handoff context plans, variables and rejection rules (``HandoffTarget`` in contracts).

- **Plans** decide what the receiving agent's chat context holds: ``all`` (messages, tool calls
  and results), ``last_n`` user/assistant messages, ``conversation`` (user/assistant messages
  only), ``none``, or a ``summary`` (by the outgoing agent's LLM when it can summarise, else an
  extractive one built from the user's own words). ``preserve``/``reset`` keep the behaviour they
  had before plans existed.
- **Variables** are typed parameters of ``transfer_to_<agent>``; the values are checked and
  coerced here before they enter the shared state.
- **Rejection rules** are a declarative ``{variable, op, value}`` list over the shared state:
  nothing is evaluated as code."""

import asyncio
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from livekit.agents import ToolError, llm
from livekit.agents.llm.chat_context import DYNAMIC_INSTRUCTIONS_MESSAGE_ID
from livekit.agents.voice.generation import INSTRUCTIONS_MESSAGE_ID
from pydantic import TypeAdapter, ValidationError
from troupe_contracts.config import (
    ContextPolicy,
    HandoffTarget,
    HandoffVariable,
    RejectionRule,
    RuleCondition,
    RuleOp,
    Scalar,
    VariableType,
)
from troupe_contracts.providers import provider_by_id

from troupe_agent.logging import get_logger

log = get_logger(__name__)

DEFAULT_LAST_N = 10
"""Used when a ``last_n`` plan arrives without ``last_n`` (the API refuses that; be lenient)."""
MAX_SUMMARY_CHARS = 300
"""Characters of the user's last words in a ``reset`` summary line."""
MAX_QUOTE_CHARS = 200
EXTRACTIVE_USER_MESSAGES = 4
"""User messages quoted by an extractive summary (the most recent ones)."""
LLM_SUMMARY_TIMEOUT_S = 8.0
MAX_SUMMARY_SOURCE_CHARS = 12_000
SUMMARY_PROMPT = (
    "Summarise the conversation below for a colleague who takes it over. In at most four short "
    "sentences give the user's goal, the facts they gave (names, numbers, dates) and what is "
    "still open. Plain text, no greeting, no lists."
)
MAX_VARIABLE_CHARS = 500
MAX_TOOL_RESULT_CHARS = 500

INSTRUCTION_IDS = frozenset({INSTRUCTIONS_MESSAGE_ID, DYNAMIC_INSTRUCTIONS_MESSAGE_ID})
"""Chat items that hold an agent's own instructions (the previous agent's stay behind)."""

SummaryMethod = Literal["llm", "extractive"]


def can_summarize(llm_provider_id: str) -> bool:
    """Whether an LLM summary is worth asking for: catalog models that follow instructions well
    enough to call tools by themselves. The bundled offline models (``local/...``) call tools
    only through a grammar and scored choices, too small to write a faithful summary, and the
    test fakes get an extractive one."""
    spec = provider_by_id(llm_provider_id)
    bundled = spec is not None and spec.id.startswith("local/")
    return spec is not None and spec.tool_calling and not spec.test_only and not bundled


# ----------------------------------------------------------------------------- variables


def variables_schema(target: HandoffTarget) -> dict[str, Any]:
    """JSON Schema of ``transfer_to_<agent>``'s parameters."""
    properties: dict[str, Any] = {}
    for v in target.variables:
        prop: dict[str, Any] = {"type": v.type.value}
        if v.description:
            prop["description"] = v.description
        properties[v.name] = prop
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    required = [v.name for v in target.variables if v.required]
    if required:
        schema["required"] = required
    return schema


_ADAPTERS: dict[VariableType, TypeAdapter[Any]] = {
    VariableType.NUMBER: TypeAdapter(float),
    VariableType.INTEGER: TypeAdapter(int),
    VariableType.BOOLEAN: TypeAdapter(bool),
}


def _coerce(variable: HandoffVariable, value: object) -> Scalar:
    if variable.type == VariableType.STRING:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError("a text value")
        return str(value).strip()[:MAX_VARIABLE_CHARS]
    if isinstance(value, bool) and variable.type != VariableType.BOOLEAN:
        raise ValueError(f"a value of type {variable.type.value}")
    if variable.type == VariableType.NUMBER and isinstance(value, int):
        return value
    try:
        coerced: Scalar = _ADAPTERS[variable.type].validate_python(value)
    except ValidationError as e:
        raise ValueError(f"a value of type {variable.type.value}") from e
    if isinstance(coerced, float) and not math.isfinite(coerced):
        raise ValueError("a finite number")
    return coerced


def extract_variables(target: HandoffTarget, arguments: Mapping[str, object]) -> dict[str, Scalar]:
    """The declared variables in ``arguments``, typed; ``ToolError`` (for the LLM) when a
    required one is missing or a value has the wrong type. Undeclared arguments are ignored."""
    values: dict[str, Scalar] = {}
    problems: list[str] = []
    for variable in target.variables:
        raw = arguments.get(variable.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if variable.required:
                about = f" ({variable.description})" if variable.description else ""
                problems.append(f"{variable.name}{about} is required")
            continue
        try:
            values[variable.name] = _coerce(variable, raw)
        except ValueError as e:
            problems.append(f"{variable.name} must be {e}")
    if problems:
        raise ToolError(
            f"Transfer not done: {'; '.join(problems)}. Ask the user for what is missing, "
            "then call the transfer again."
        )
    return values


# ------------------------------------------------------------------------- rejection rules


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def condition_holds(condition: RuleCondition, lookup: Callable[[str], Scalar | None]) -> bool:
    actual = lookup(condition.variable)
    op, expected = condition.op, condition.value
    if op == RuleOp.EXISTS:
        return actual is not None
    if op == RuleOp.MISSING:
        return actual is None
    if actual is None:
        return False
    if op in (RuleOp.IN, RuleOp.NOT_IN):
        options = expected if isinstance(expected, list) else [expected]
        found = any(_same(actual, o) for o in options)
        return found if op == RuleOp.IN else not found
    if isinstance(expected, list):
        return False
    if op == RuleOp.EQ:
        return _same(actual, expected)
    if op == RuleOp.NE:
        return not _same(actual, expected)
    a, b = _number(actual), _number(expected)
    if a is None or b is None:
        return False
    return {
        RuleOp.LT: a < b,
        RuleOp.LTE: a <= b,
        RuleOp.GT: a > b,
        RuleOp.GTE: a >= b,
    }[op]


def _same(actual: Scalar, expected: object) -> bool:
    """Equality that does not confuse ``True`` with ``1`` and compares text case-insensitively."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.strip().casefold() == expected.strip().casefold()
    a, b = _number(actual), _number(expected)
    if a is not None and b is not None:
        return a == b
    return False


def rejects(rule: RejectionRule | None, lookup: Callable[[str], Scalar | None]) -> bool:
    if rule is None or not rule.conditions:
        return False
    results = (condition_holds(c, lookup) for c in rule.conditions)
    return all(results) if rule.match == "all" else any(results)


# ---------------------------------------------------------------------------- context


@dataclass(frozen=True)
class HandoffContext:
    chat_ctx: llm.ChatContext
    summary_method: SummaryMethod | None = None


def _messages(chat_ctx: llm.ChatContext) -> list[llm.ChatMessage]:
    return [
        i
        for i in chat_ctx.items
        if isinstance(i, llm.ChatMessage) and i.role in ("user", "assistant") and i.text_content
    ]


def _only(messages: list[llm.ChatMessage]) -> llm.ChatContext:
    ctx = llm.ChatContext.empty()
    for m in messages:
        ctx.add_message(role=m.role, content=m.text_content or "")
    return ctx


def _quote(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def with_tool_notes(chat_ctx: llm.ChatContext, previous_name: str) -> llm.ChatContext:
    """Messages and tool calls in order, each call and its result as one system note: an
    ``Agent`` drops function calls of tools it does not have, and the tools differ between
    agents, so the calls travel as text."""
    outputs = {i.call_id: i for i in chat_ctx.items if isinstance(i, llm.FunctionCallOutput)}
    ctx = llm.ChatContext.empty()
    for item in chat_ctx.items:
        if isinstance(item, llm.ChatMessage) and item.role in ("user", "assistant"):
            ctx.add_message(role=item.role, content=item.text_content or "")
        elif isinstance(item, llm.ChatMessage) and item.text_content:
            if item.id not in INSTRUCTION_IDS:
                ctx.add_message(role=item.role, content=item.text_content)
        elif isinstance(item, llm.FunctionCall):
            output = outputs.get(item.call_id)
            ctx.add_message(role="system", content=tool_note(item, output, previous_name))
    return ctx


def tool_note(call: llm.FunctionCall, output: llm.FunctionCallOutput | None, by: str) -> str:
    """One tool call and its result as a line of text for another agent."""
    note = f"{by} called the tool {call.name} with {call.arguments}"
    if output is None:
        return note + " (no result)."
    outcome = "failed" if output.is_error else "returned"
    return note + f"; it {outcome}: {_quote(output.output, MAX_TOOL_RESULT_CHARS)}"


def finished_calls(chat_ctx: llm.ChatContext) -> frozenset[str]:
    """The call ids whose result is already in ``chat_ctx``."""
    return frozenset(i.call_id for i in chat_ctx.items if isinstance(i, llm.FunctionCallOutput))


def batch_tool_notes(
    previous: llm.ChatContext,
    finished_before: frozenset[str],
    previous_name: str,
    *,
    skip: Callable[[str], bool],
) -> list[str]:
    """Notes for the tools that ran in the same batch as the transfer. The receiving agent's
    context is built while the transfer tool runs, before livekit adds the batch's results to
    the outgoing agent's context; once the new agent enters they are there: every call with a
    result that was not finished when the context was built (``finished_before``), except the
    calls ``skip`` names (the transfer itself)."""
    outputs = {i.call_id: i for i in previous.items if isinstance(i, llm.FunctionCallOutput)}
    return [
        tool_note(item, outputs[item.call_id], previous_name)
        for item in previous.items
        if isinstance(item, llm.FunctionCall)
        and item.call_id in outputs
        and item.call_id not in finished_before
        and not skip(item.name)
    ]


def last_user_text(chat_ctx: llm.ChatContext) -> str:
    for m in reversed(_messages(chat_ctx)):
        if m.role == "user":
            return m.text_content or ""
    return ""


def extractive_summary(chat_ctx: llm.ChatContext, previous_name: str) -> str:
    """A deterministic summary built from what was said: the user's most recent messages in
    their own words and the previous agent's last answer."""
    messages = _messages(chat_ctx)
    said = [_quote(m.text_content or "") for m in messages if m.role == "user"]
    said = said[-EXTRACTIVE_USER_MESSAGES:]
    last_answer = next((m for m in reversed(messages) if m.role == "assistant"), None)
    parts = [f"Summary of the conversation with {previous_name} (extractive)."]
    if said:
        parts.append("The user said: " + " / ".join(f'"{s}"' for s in said) + ".")
    else:
        parts.append("The user has not said anything yet.")
    if last_answer is not None:
        parts.append(f'{previous_name} last said: "{_quote(last_answer.text_content or "")}".')
    return " ".join(parts)


async def llm_summary(model: llm.LLM[Any], chat_ctx: llm.ChatContext) -> str:
    lines = [f"{m.role}: {' '.join((m.text_content or '').split())}" for m in _messages(chat_ctx)]
    source = "\n".join(lines)[-MAX_SUMMARY_SOURCE_CHARS:]
    request = llm.ChatContext.empty()
    request.add_message(role="system", content=SUMMARY_PROMPT)
    request.add_message(role="user", content=f"Conversation:\n{source}")
    response = await asyncio.wait_for(
        model.chat(chat_ctx=request).collect(), timeout=LLM_SUMMARY_TIMEOUT_S
    )
    text = " ".join(response.text.split())
    if not text:
        raise ValueError("the LLM returned an empty summary")
    return text


async def summarize(
    chat_ctx: llm.ChatContext, previous_name: str, model: llm.LLM[Any] | None
) -> tuple[str, SummaryMethod]:
    """An LLM summary when ``model`` is given and answers, else the extractive one."""
    if model is not None and _messages(chat_ctx):
        try:
            text = await llm_summary(model, chat_ctx)
            return f"Summary of the conversation with {previous_name}: {text}", "llm"
        except Exception as e:  # any provider failure falls back; the session goes on
            log.warning("llm summary failed; using an extractive one", error=str(e))
    return extractive_summary(chat_ctx, previous_name), "extractive"


def state_note(notes: str, variables: str) -> str:
    note = ""
    if variables:
        note += f" Shared variables: {variables}."
    if notes:
        note += f" Shared notes: {notes}."
    return note


async def build_context(
    target: HandoffTarget,
    current: llm.ChatContext,
    *,
    previous_name: str,
    notes: str,
    variables: str,
    summary_llm: llm.LLM[Any] | None,
) -> HandoffContext:
    """The receiving agent's chat context under ``target``'s plan."""
    plan = target.context_policy
    shared = state_note(notes, variables)
    takeover = f"The conversation above was with {previous_name}; you now take over.{shared}"
    if plan == ContextPolicy.PRESERVE:
        ctx = current.copy(exclude_instructions=True, exclude_function_call=True)
        ctx.add_message(role="system", content=takeover)
        return HandoffContext(ctx)
    if plan == ContextPolicy.ALL:
        ctx = with_tool_notes(current, previous_name)
        ctx.add_message(role="system", content=takeover)
        return HandoffContext(ctx)
    if plan == ContextPolicy.CONVERSATION:
        return HandoffContext(_only(_messages(current)))
    if plan == ContextPolicy.LAST_N:
        n = target.last_n or DEFAULT_LAST_N
        return HandoffContext(_only(_messages(current)[-n:]))
    if plan == ContextPolicy.NONE:
        return HandoffContext(llm.ChatContext.empty())
    ctx = llm.ChatContext.empty()
    if plan == ContextPolicy.SUMMARY:
        text, method = await summarize(current, previous_name, summary_llm)
        ctx.add_message(role="system", content=text + shared)
        return HandoffContext(ctx, method)
    # RESET: no history, one line with the user's last words
    request = _quote(last_user_text(current), MAX_SUMMARY_CHARS)
    line = f"The user was transferred to you by {previous_name}."
    if request:
        line += f' Their last words were: "{request}".'
    ctx.add_message(role="system", content=line + shared)
    return HandoffContext(ctx)
