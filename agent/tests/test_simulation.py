"""Text-mode simulations against the real agent factory with scripted LLMs: a correct
two-agent template passes its scenario; broken variants fail it with a reason that says why."""

from typing import Any

from support.configs import agent_config, session_config
from support.providers import FakeProviders
from troupe_agent.providers.fake import ScriptedLLM
from troupe_agent.simulation.runner import run_text
from troupe_contracts.config import HandoffTarget, SessionConfig, ToolConfig
from troupe_contracts.simulation import (
    CriterionStatus,
    Scenario,
    SimulationResult,
    SimulationVerdict,
)

ORDER_TOOL = ToolConfig(
    name="lookup_order",
    kind="webhook",
    description="Look up an order by its number.",
    url="http://127.0.0.1:9/orders",  # never reached: the scenario mocks it
    method="GET",
    parameters={
        "type": "object",
        "properties": {"order_id": {"type": "string"}},
        "required": ["order_id"],
    },
)


def two_agents(*, billing_handoff: bool = True, billing_tool: bool = True) -> SessionConfig:
    return session_config(
        agent_config(
            "front",
            llm="fake/front",
            handoffs=[HandoffTarget(agent="billing", description="billing questions")]
            if billing_handoff
            else [],
        ),
        agent_config(
            "billing", llm="fake/billing", greeting="", tools=[ORDER_TOOL] if billing_tool else []
        ),
    )


def scripts() -> dict[str, list[Any]]:
    return {
        "front": [{"tool_calls": [{"name": "transfer_to_billing"}]}],
        "billing": [
            "Billing here. What is your order number?",
            {"tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A-1234"}}]},
            "Your order A-1234 was refunded yesterday.",
        ],
    }


SCENARIO = Scenario.model_validate(
    {
        "name": "refund status",
        "goal": "find out whether order A-1234 was refunded",
        "user": {"turns": ["I have a question about a refund", "It is order A-1234"]},
        "mocks": {"lookup_order": {"result": '{"order": "A-1234", "status": "refunded"}'}},
        "criteria": [
            {"type": "handoff", "to_agent": "billing"},
            {
                "type": "tool_call",
                "tool": "lookup_order",
                "arguments": {"order_id": "A-1234"},
                "argument_patterns": {"order_id": "^A-\\d+$"},
            },
            {"type": "must_not_say", "pattern": "sorry|cannot"},
            {"type": "must_say", "pattern": "refunded"},
            {"type": "max_turns", "turns": 3},
        ],
    }
)


async def simulate(config: SessionConfig, turns: dict[str, list[Any]]) -> SimulationResult:
    llms = {f"fake/{slug}": ScriptedLLM(script) for slug, script in turns.items()}
    return await run_text(SCENARIO, config, FakeProviders(llms=llms), turn_timeout_s=20)


def reasons(result: SimulationResult) -> dict[str, tuple[CriterionStatus, str]]:
    return {c.name: (c.status, c.reason) for c in result.criteria}


async def test_a_correct_two_agent_template_passes() -> None:
    result = await simulate(two_agents(), scripts())

    assert result.verdict == SimulationVerdict.PASSED, reasons(result)
    assert [c.status for c in result.criteria] == [CriterionStatus.PASSED] * 5
    assert result.user_turns == 2 and result.finished
    opening, first, second = result.turns
    assert opening.user_text is None and opening.agent == "front"
    assert [r.text for r in opening.replies] == ["Hi, I am Front."]
    assert first.user_text == "I have a question about a refund"
    assert [(h.from_agent, h.to_agent) for h in first.handoffs] == [("front", "billing")]
    assert first.agent == "billing"
    assert [(r.agent, r.text) for r in first.replies] == [
        ("billing", "Billing here. What is your order number?")
    ]
    assert first.latency_ms is not None and first.latency_ms >= 0
    (call,) = second.tool_calls
    assert (call.agent, call.name, call.arguments, call.mocked) == (
        "billing",
        "lookup_order",
        {"order_id": "A-1234"},
        True,
    )
    assert "refunded" in call.output and not call.is_error  # the mock, not the dead URL
    assert second.replies[-1].text == "Your order A-1234 was refunded yesterday."
    assert "billing handed off" not in reasons(result)["hands off to billing"][1]
    assert "front handed off to billing in turn 1" == reasons(result)["hands off to billing"][1]


async def test_an_agent_without_the_handoff_fails_with_the_reason() -> None:
    result = await simulate(two_agents(billing_handoff=False), scripts())

    assert result.verdict == SimulationVerdict.FAILED
    status, reason = reasons(result)["hands off to billing"]
    assert status == CriterionStatus.FAILED
    assert "never handed off to billing" in reason
    assert "the conversation ended with front" in reason
    # the front agent tried a transfer it does not have: the reason shows the failed call
    assert "transfer_to_billing failed" in reason
    tool_status, tool_reason = reasons(result)[
        "calls lookup_order with order_id=A-1234, order_id~/^A-\\d+$/"
    ]
    assert tool_status == CriterionStatus.FAILED
    assert "lookup_order was never called" in tool_reason


async def test_a_missing_tool_and_wrong_arguments_fail_with_reasons() -> None:
    missing = await simulate(two_agents(billing_tool=False), scripts())
    assert missing.verdict == SimulationVerdict.FAILED
    name = "calls lookup_order with order_id=A-1234, order_id~/^A-\\d+$/"
    status, reason = reasons(missing)[name]
    assert status == CriterionStatus.FAILED
    # the model called it, but the agent has no such tool: the call is an error, not a match
    assert "turn 2: billing has no tool lookup_order" in reason

    wrong = scripts()
    wrong["billing"][1] = {
        "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "B-9"}}]
    }
    result = await simulate(two_agents(), wrong)
    status, reason = reasons(result)[name]
    assert status == CriterionStatus.FAILED
    assert "never with matching arguments" in reason and "order_id=B-9, expected A-1234" in reason


async def test_a_forbidden_phrase_and_a_mocked_error_are_reported() -> None:
    scenario = SCENARIO.model_copy(
        update={
            "mocks": {
                "lookup_order": SCENARIO.mocks["lookup_order"].model_copy(
                    update={"result": None, "error": "The order service is down."}
                )
            }
        }
    )
    said = scripts()
    said["billing"][2] = "Sorry, I cannot look that up right now."
    llms = {f"fake/{slug}": ScriptedLLM(script) for slug, script in said.items()}
    result = await run_text(scenario, two_agents(), FakeProviders(llms=llms), turn_timeout_s=20)

    assert result.verdict == SimulationVerdict.FAILED
    status, reason = reasons(result)["never says /sorry|cannot/"]
    assert status == CriterionStatus.FAILED
    assert "billing said" in reason and "in turn 2" in reason and "'Sorry'" in reason
    (call,) = result.turns[2].tool_calls
    assert call.is_error and "order service is down" in call.output


async def test_a_dangling_handoff_is_an_error_not_a_crash() -> None:
    config = session_config(
        agent_config("front", handoffs=[HandoffTarget(agent="nobody")]),
    )
    result = await run_text(SCENARIO, config, FakeProviders(), turn_timeout_s=20)
    assert result.verdict == SimulationVerdict.ERROR
    assert result.error is not None and "nobody" in result.error


async def test_a_scenarios_variables_reach_the_greeting_and_instructions() -> None:
    config = session_config(
        agent_config(
            "front",
            llm="fake/front",
            greeting="Hi {{customer_name}}, welcome back.",
            instructions="You help {{customer_name}} on the {{plan}} plan.",
        )
    )
    config = config.model_copy(update={"variables": {"plan": "basic"}})
    scenario = Scenario.model_validate(
        {
            "name": "greets by name",
            "user": {"turns": ["hello"]},
            "variables": {"customer_name": "Sam", "plan": "pro"},
            "criteria": [{"type": "must_say", "pattern": "Hi Sam"}],
        }
    )
    llm = ScriptedLLM(["Hello again."])
    result = await run_text(
        scenario, config, FakeProviders(llms={"fake/front": llm}), turn_timeout_s=20
    )
    assert result.verdict == SimulationVerdict.PASSED, reasons(result)
    assert [r.text for r in result.turns[0].replies] == ["Hi Sam, welcome back."]
    system = " ".join(
        i.text_content or ""
        for i in llm.calls[0].items  # type: ignore[attr-defined]
        if getattr(i, "role", None) in ("system", "developer")
    )
    assert "You help Sam on the pro plan." in system  # the scenario's value over the config's
