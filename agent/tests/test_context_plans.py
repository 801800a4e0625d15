"""Handoff context plans, variables and rejection rules, run through real ``AgentSession``s
with scripted LLMs: what the receiving agent's LLM is given, what reaches the shared state and
the receiving instructions, and what the outgoing LLM is told when a rule refuses."""

from pathlib import Path
from typing import Any

import pytest
from livekit.agents import AgentSession, ToolError, llm
from support.configs import agent_config, session_config
from support.providers import FakeProviders
from support.runtime import make_runtime
from troupe_agent import context_plans, handoff
from troupe_agent.agents import AgentFactory
from troupe_agent.context_plans import condition_holds, extract_variables, variables_schema
from troupe_agent.providers.fake import ScriptedLLM, ScriptedToolCall, ScriptedTurn
from troupe_agent.runtime import SessionRuntime
from troupe_agent.session import build_session
from troupe_agent.state import UNKNOWN_VARIABLE, SessionState
from troupe_contracts.config import (
    ContextPolicy,
    HandoffTarget,
    HandoffVariable,
    RejectionRule,
    RuleCondition,
    RuleOp,
    SessionConfig,
    ToolConfig,
)
from troupe_contracts.log import ToolCallEntry, TransitionEntry

FIRST = "I was charged twice for order A-17"
SECOND = "please put me through to billing"
LOGGED = "I noted the double charge."
GREETING = "Hi, I am Host."
"""The host's spoken greeting; where it lands in the history depends on playout timing."""


def call(name: str, **arguments: Any) -> ScriptedToolCall:
    return ScriptedToolCall(name, arguments)


def tools_turn(*calls: ScriptedToolCall) -> ScriptedTurn:
    return ScriptedTurn(tool_calls=calls)


def two_agents(target: HandoffTarget, billing_instructions: str | None = None) -> SessionConfig:
    billing: dict[str, Any] = {"llm": "fake/billing", "greeting": ""}
    if billing_instructions is not None:
        billing["instructions"] = billing_instructions
    return session_config(
        agent_config(
            "host",
            llm="fake/host",
            handoffs=[target],
            tools=[ToolConfig(name="log_observation", kind="builtin", description="log")],
        ),
        agent_config("billing", **billing),
    )


class Run:
    """Two user turns with the host: it logs an observation (a tool call and its result),
    answers, then transfers to billing with ``transfer_arguments``."""

    def __init__(
        self,
        tmp_path: Path,
        target: HandoffTarget,
        *,
        host_extra: list[Any] | None = None,
        transfer_arguments: dict[str, Any] | None = None,
        billing_instructions: str | None = None,
        can_summarize: bool = False,
    ) -> None:
        self.config = two_agents(target, billing_instructions)
        self.llms = {
            "fake/host": ScriptedLLM(
                [
                    tools_turn(call("log_observation", observation="double charge on A-17")),
                    LOGGED,
                    tools_turn(call("transfer_to_billing", **(transfer_arguments or {}))),
                    *(host_extra or []),
                ]
            ),
            "fake/billing": ScriptedLLM(["Billing here, I can see it.", "Anything else?"]),
        }
        self.runtime: SessionRuntime = make_runtime(self.config, tmp_path)
        self.factory = AgentFactory(
            self.config,
            FakeProviders(llms=self.llms),  # type: ignore[arg-type]
            runtime=self.runtime,
            can_summarize=lambda _provider: can_summarize,
        )

    async def __call__(self, *turns: str) -> AgentSession[Any]:
        session = build_session(None, userdata=self.runtime.state)
        handoff.attach(session)
        async with session:
            await session.start(self.factory.build_initial())
            for text in turns or (FIRST, SECOND):
                await session.run(user_input=text)
        return session

    @property
    def billing_ctx(self) -> llm.ChatContext:
        return self.llms["fake/billing"].calls[0]  # type: ignore[attr-defined,no-any-return]

    @property
    def host_calls(self) -> list[llm.ChatContext]:
        return self.llms["fake/host"].calls  # type: ignore[attr-defined,no-any-return]

    def transitions(self) -> list[TransitionEntry]:
        assert self.runtime.sink is not None
        return [e for e in self.runtime.sink.entries if isinstance(e, TransitionEntry)]

    def tool_calls(self, tool: str) -> list[ToolCallEntry]:
        assert self.runtime.sink is not None
        return [
            e for e in self.runtime.sink.entries if isinstance(e, ToolCallEntry) and e.tool == tool
        ]


def conversation(ctx: llm.ChatContext) -> list[tuple[str, str]]:
    return [
        (i.role, i.text_content or "")
        for i in ctx.items
        if isinstance(i, llm.ChatMessage)
        and i.role in ("user", "assistant")
        and i.text_content != GREETING
    ]


def system_texts(ctx: llm.ChatContext) -> list[str]:
    return [
        i.text_content or ""
        for i in ctx.items
        if isinstance(i, llm.ChatMessage) and i.role in ("system", "developer")
    ]


def function_items(ctx: llm.ChatContext) -> list[str]:
    return [i.type for i in ctx.items if isinstance(i, llm.FunctionCall | llm.FunctionCallOutput)]


def notes_after_instructions(ctx: llm.ChatContext) -> list[str]:
    """System messages other than the receiving agent's own instructions and the one-off
    instruction to introduce itself."""
    return [
        t
        for t in system_texts(ctx)
        if not t.startswith("You are billing") and not t.startswith("You have just taken over")
    ]


# ------------------------------------------------------------------------------ plans


async def test_all_passes_messages_tool_calls_and_results(tmp_path: Path) -> None:
    run = Run(tmp_path, HandoffTarget(agent="billing", context_policy=ContextPolicy.ALL))
    await run()
    ctx = run.billing_ctx
    assert conversation(ctx) == [("user", FIRST), ("assistant", LOGGED), ("user", SECOND)]
    # the tools differ between agents, so each call and its result travels as one note
    tool_note = (
        'Host called the tool log_observation with {"observation": "double charge on A-17"}; '
        "it returned: "
    )
    assert any(t.startswith(tool_note) for t in system_texts(ctx))
    # the host's instructions stay behind; a takeover note says who spoke before
    assert not any("You are host" in t for t in system_texts(ctx))
    assert any("conversation above was with Host" in t for t in system_texts(ctx))
    assert run.transitions()[-1].context_policy == "all"


BATCH = "note the double charge and put me through to billing"
OBSERVATION_NOTE = (
    'Host called the tool log_observation with {"observation": "double charge on A-17"}; '
    "it returned: Recorded."
)


def batch_run(tmp_path: Path, policy: ContextPolicy, *, transfer_first: bool) -> Run:
    """The host calls log_observation and the transfer in one batch (one LLM reply)."""
    run = Run(tmp_path, HandoffTarget(agent="billing", context_policy=policy))
    calls = [
        call("log_observation", observation="double charge on A-17"),
        call("transfer_to_billing"),
    ]
    if transfer_first:
        calls.reverse()
    run.llms["fake/host"] = ScriptedLLM([tools_turn(*calls), "HOST SHOULD NOT SPEAK"])
    return run


@pytest.mark.parametrize("transfer_first", [False, True])
async def test_a_tool_of_the_transfer_batch_reaches_the_new_agent(
    tmp_path: Path, transfer_first: bool
) -> None:
    run = batch_run(tmp_path, ContextPolicy.ALL, transfer_first=transfer_first)
    session = await run(BATCH)
    assert session.current_agent.id == "billing"
    # the result came back after billing's context was built: it is there all the same, once,
    # before billing's first reply; the transfer itself is no note
    notes = system_texts(run.billing_ctx)
    assert notes.count(OBSERVATION_NOTE) == 1
    assert not any("transfer_to_billing" in t for t in notes)
    assert conversation(run.billing_ctx) == [("user", BATCH)]
    assert len(run.host_calls) == 1


async def test_plans_without_tool_calls_do_not_get_the_batch_results(tmp_path: Path) -> None:
    run = batch_run(tmp_path, ContextPolicy.CONVERSATION, transfer_first=False)
    await run(BATCH)
    assert not any("log_observation" in t for t in system_texts(run.billing_ctx))
    assert function_items(run.billing_ctx) == []


async def test_conversation_passes_user_and_assistant_messages_only(tmp_path: Path) -> None:
    run = Run(tmp_path, HandoffTarget(agent="billing", context_policy=ContextPolicy.CONVERSATION))
    await run()
    ctx = run.billing_ctx
    assert conversation(ctx) == [("user", FIRST), ("assistant", LOGGED), ("user", SECOND)]
    assert function_items(ctx) == []
    assert notes_after_instructions(ctx) == []


async def test_last_n_passes_only_the_most_recent_messages(tmp_path: Path) -> None:
    run = Run(
        tmp_path, HandoffTarget(agent="billing", context_policy=ContextPolicy.LAST_N, last_n=2)
    )
    await run()
    assert conversation(run.billing_ctx) == [("assistant", LOGGED), ("user", SECOND)]
    assert function_items(run.billing_ctx) == []


async def test_none_passes_nothing(tmp_path: Path) -> None:
    run = Run(tmp_path, HandoffTarget(agent="billing", context_policy=ContextPolicy.NONE))
    session = await run()
    assert conversation(run.billing_ctx) == []
    assert function_items(run.billing_ctx) == []
    assert notes_after_instructions(run.billing_ctx) == []
    assert session.current_agent.id == "billing"


async def test_summary_is_extractive_when_the_llm_cannot_summarise(tmp_path: Path) -> None:
    run = Run(tmp_path, HandoffTarget(agent="billing", context_policy=ContextPolicy.SUMMARY))
    await run()
    ctx = run.billing_ctx
    assert conversation(ctx) == []
    [summary] = notes_after_instructions(ctx)
    assert summary.startswith("Summary of the conversation with Host (extractive).")
    assert f'"{FIRST}" / "{SECOND}"' in summary and LOGGED in summary
    assert run.transitions()[-1].summary_method == "extractive"
    assert len(run.host_calls) == 3  # no LLM was asked for a summary


async def test_summary_by_the_outgoing_llm_when_it_can(tmp_path: Path) -> None:
    run = Run(
        tmp_path,
        HandoffTarget(agent="billing", context_policy=ContextPolicy.SUMMARY),
        host_extra=["The user was charged twice for order A-17 and wants billing."],
        can_summarize=True,
    )
    await run()
    [summary] = notes_after_instructions(run.billing_ctx)
    assert summary == (
        "Summary of the conversation with Host: "
        "The user was charged twice for order A-17 and wants billing."
    )
    assert run.transitions()[-1].summary_method == "llm"
    # the summary request carried the conversation as text and no tools
    request = run.host_calls[3]
    assert "Summarise the conversation" in system_texts(request)[0]
    assert FIRST in conversation(request)[0][1] and LOGGED in conversation(request)[0][1]


async def test_summary_falls_back_to_extractive_when_the_llm_fails(tmp_path: Path) -> None:
    run = Run(
        tmp_path,
        HandoffTarget(agent="billing", context_policy=ContextPolicy.SUMMARY),
        host_extra=[ScriptedTurn(error="provider down")],
        can_summarize=True,
    )
    await run()
    [summary] = notes_after_instructions(run.billing_ctx)
    assert "(extractive)" in summary and FIRST in summary
    assert run.transitions()[-1].summary_method == "extractive"


async def test_legacy_reset_keeps_its_one_line_summary(tmp_path: Path) -> None:
    run = Run(tmp_path, HandoffTarget(agent="billing", context_policy=ContextPolicy.RESET))
    await run()
    assert conversation(run.billing_ctx) == []
    [line] = notes_after_instructions(run.billing_ctx)
    assert line == f'The user was transferred to you by Host. Their last words were: "{SECOND}".'


def test_summary_plan_asks_the_catalog_whether_the_llm_can_summarise() -> None:
    assert context_plans.can_summarize("openai/gpt-4.1-mini")
    assert not context_plans.can_summarize("local/smollm2")  # too small to follow the prompt
    assert not context_plans.can_summarize("fake/scripted")
    assert not context_plans.can_summarize("nobody/unknown")


# -------------------------------------------------------------------------- variables

BILLING_VARIABLES = [
    HandoffVariable(name="customer_name", description="The customer's full name", required=True),
    HandoffVariable(name="amount", type="number", description="Amount charged twice"),
    HandoffVariable(name="vip", type="boolean"),
]


async def test_variables_reach_shared_state_instructions_and_the_log(tmp_path: Path) -> None:
    run = Run(
        tmp_path,
        HandoffTarget(
            agent="billing", context_policy=ContextPolicy.NONE, variables=BILLING_VARIABLES
        ),
        transfer_arguments={"customer_name": " Ada Lovelace ", "amount": "42.5", "vip": True},
        billing_instructions="You are billing. Refund {{customer_name}} {{ amount }} (vip: {{vip}}).",
    )
    await run()
    assert run.runtime.state.variables == {
        "customer_name": "Ada Lovelace",
        "amount": 42.5,
        "vip": True,
    }
    assert system_texts(run.billing_ctx)[0].startswith(
        "You are billing. Refund Ada Lovelace 42.5 (vip: true)."
    )
    transition = run.transitions()[-1]
    assert (transition.to_agent, transition.variables) == (
        "billing",
        {"customer_name": "Ada Lovelace", "amount": 42.5, "vip": True},
    )


async def test_a_missing_required_variable_keeps_the_user_with_the_agent(tmp_path: Path) -> None:
    run = Run(
        tmp_path,
        HandoffTarget(agent="billing", variables=BILLING_VARIABLES),
        transfer_arguments={"amount": 3},
        host_extra=["What is your full name?"],
    )
    session = await run()
    assert session.current_agent.id == "host"
    output = [i for i in run.host_calls[-1].items if isinstance(i, llm.FunctionCallOutput)][-1]
    assert output.is_error
    assert "customer_name (The customer's full name) is required" in output.output
    assert run.runtime.state.variables == {}
    [logged] = run.tool_calls("transfer_to_billing")
    assert logged.error is not None and "customer_name" in logged.error


def test_transfer_schema_and_coercion() -> None:
    target = HandoffTarget(
        agent="billing",
        variables=[*BILLING_VARIABLES, HandoffVariable(name="seats", type="integer")],
    )
    assert variables_schema(target) == {
        "type": "object",
        "properties": {
            "customer_name": {"type": "string", "description": "The customer's full name"},
            "amount": {"type": "number", "description": "Amount charged twice"},
            "vip": {"type": "boolean"},
            "seats": {"type": "integer"},
        },
        "required": ["customer_name"],
    }
    assert extract_variables(
        target, {"customer_name": "Ada", "amount": 7, "vip": "yes", "seats": "3", "other": 1}
    ) == {"customer_name": "Ada", "amount": 7, "vip": True, "seats": 3}
    for bad, needle in [
        ({"customer_name": "Ada", "seats": 2.5}, "seats must be a value of type integer"),
        ({"customer_name": "Ada", "amount": "lots"}, "amount must be a value of type number"),
        ({"customer_name": "Ada", "amount": True}, "amount must be a value of type number"),
        ({"customer_name": ["Ada"]}, "customer_name must be a text value"),
        ({"customer_name": "  "}, "customer_name (The customer's full name) is required"),
    ]:
        with pytest.raises(ToolError, match=needle.replace("(", r"\(").replace(")", r"\)")):
            extract_variables(target, bad)


def test_unset_placeholders_read_as_not_known() -> None:
    state = SessionState(variables={"name": "Ada"})
    assert state.render("Hi {{name}}, {{plan}}.") == f"Hi Ada, {UNKNOWN_VARIABLE}."


# ---------------------------------------------------------------------- rejection rules

FREE_PLAN = RejectionRule(
    conditions=[RuleCondition(variable="plan", op=RuleOp.EQ, value="free")],
    message="Billing only serves paying customers; help this user yourself.",
)


async def test_a_rejected_handoff_tells_the_llm_and_keeps_the_agent(tmp_path: Path) -> None:
    run = Run(
        tmp_path,
        HandoffTarget(
            agent="billing",
            variables=[HandoffVariable(name="plan", required=True)],
            reject_when=FREE_PLAN,
        ),
        transfer_arguments={"plan": "Free"},
        host_extra=["I will help you with the charge myself."],
    )
    session = await run()
    assert session.current_agent.id == "host"
    assert run.llms["fake/billing"].calls == []  # type: ignore[attr-defined]
    output = [i for i in run.host_calls[-1].items if isinstance(i, llm.FunctionCallOutput)][-1]
    assert output.is_error and output.output == FREE_PLAN.message
    said = [t for r, t in conversation(session.history) if r == "assistant"]
    assert said[-1] == "I will help you with the charge myself."
    assert "plan" not in run.runtime.state.variables  # a refused handoff stores nothing
    [logged] = run.tool_calls("transfer_to_billing")
    assert (logged.arguments, logged.error) == ({"plan": "Free"}, FREE_PLAN.message)
    assert [t.to_agent for t in run.transitions()] == ["host"]


async def test_a_rule_that_does_not_hold_lets_the_handoff_through(tmp_path: Path) -> None:
    run = Run(
        tmp_path,
        HandoffTarget(
            agent="billing",
            variables=[HandoffVariable(name="plan", required=True)],
            reject_when=FREE_PLAN,
        ),
        transfer_arguments={"plan": "pro"},
    )
    session = await run()
    assert session.current_agent.id == "billing"
    assert run.runtime.state.variables == {"plan": "pro"}


async def test_a_rule_reads_state_set_before_the_handoff(tmp_path: Path) -> None:
    """A note the host remembered earlier refuses the transfer (no variable passed now)."""
    rule = RejectionRule(
        conditions=[RuleCondition(variable="verified", op=RuleOp.NE, value="yes")],
        message="Verify the caller first.",
    )
    run = Run(tmp_path, HandoffTarget(agent="billing", reject_when=rule), host_extra=["Ok."])
    run.runtime.state.remember("verified", "no")
    session = await run()
    assert session.current_agent.id == "host"
    output = [i for i in run.host_calls[-1].items if isinstance(i, llm.FunctionCallOutput)][-1]
    assert output.output == "Verify the caller first."


@pytest.mark.parametrize(
    ("op", "value", "actual", "holds"),
    [
        (RuleOp.EQ, "free", "FREE ", True),
        (RuleOp.EQ, 1, True, False),  # a boolean is not the number 1
        (RuleOp.EQ, True, True, True),
        (RuleOp.NE, "free", "pro", True),
        (RuleOp.NE, "free", None, False),  # comparisons are false on a missing variable
        (RuleOp.LT, 18, 17, True),
        (RuleOp.LT, 18, 18, False),
        (RuleOp.LTE, 18, 18, True),
        (RuleOp.GT, 100, 100.5, True),
        (RuleOp.GTE, 100, 99, False),
        (RuleOp.GT, 100, "lots", False),  # numbers only
        (RuleOp.IN, ["free", "trial"], "Trial", True),
        (RuleOp.IN, ["free", "trial"], "pro", False),
        (RuleOp.NOT_IN, ["free", "trial"], "pro", True),
        (RuleOp.NOT_IN, ["free"], None, False),
        (RuleOp.EXISTS, None, "x", True),
        (RuleOp.EXISTS, None, None, False),
        (RuleOp.MISSING, None, None, True),
        (RuleOp.MISSING, None, 0, False),
    ],
)
def test_rule_conditions(op: RuleOp, value: Any, actual: Any, holds: bool) -> None:
    condition = RuleCondition(variable="v", op=op, value=value)
    assert condition_holds(condition, lambda name: actual if name == "v" else None) is holds


def test_match_any_and_all() -> None:
    state = {"plan": "free", "age": 30}
    conditions = [
        RuleCondition(variable="plan", op=RuleOp.EQ, value="free"),
        RuleCondition(variable="age", op=RuleOp.LT, value=18),
    ]
    lookup = state.get
    assert context_plans.rejects(RejectionRule(conditions=conditions, message="m"), lookup) is False
    any_rule = RejectionRule(match="any", conditions=conditions, message="m")
    assert context_plans.rejects(any_rule, lookup) is True
    assert context_plans.rejects(RejectionRule(conditions=[], message="m"), lookup) is False
