"""Multi-agent sessions with scripted LLMs: handoffs, context policies, loop prevention and
the sibling-tool rule."""

from pathlib import Path
from typing import Any

from livekit.agents import AgentSession, llm
from support.configs import agent_config, session_config
from support.providers import FakeProviders
from support.runtime import make_runtime
from troupe_agent import handoff
from troupe_agent.agents import AgentFactory, TroupeAgent
from troupe_agent.events import RecordingEventPublisher
from troupe_agent.handoff import HandoffGuard
from troupe_agent.providers.fake import ScriptedLLM, ScriptedToolCall, ScriptedTurn
from troupe_agent.runtime import SessionRuntime
from troupe_agent.session import build_session
from troupe_contracts.config import ContextPolicy, HandoffTarget, SessionConfig, ToolConfig
from troupe_contracts.log import TransitionEntry


def call(name: str, **arguments: Any) -> ScriptedToolCall:
    return ScriptedToolCall(name, arguments)


def tools_turn(*calls: ScriptedToolCall) -> ScriptedTurn:
    return ScriptedTurn(tool_calls=calls)


def chain_config() -> SessionConfig:
    return session_config(
        agent_config(
            "host",
            llm="fake/host",
            handoffs=[HandoffTarget(agent="billing", description="the user asks about a bill.")],
            tools=[ToolConfig(name="log_observation", kind="builtin", description="log")],
        ),
        agent_config(
            "billing",
            llm="fake/billing",
            greeting="",
            handoffs=[
                HandoffTarget(agent="tech", context_policy=ContextPolicy.RESET),
                HandoffTarget(agent="host"),
            ],
        ),
        agent_config("tech", llm="fake/tech", greeting=""),
    )


class Harness:
    def __init__(
        self, config: SessionConfig, tmp_path: Path, scripts: dict[str, list[Any]], **kw: Any
    ) -> None:
        self.llms = {f"fake/{slug}": ScriptedLLM(turns) for slug, turns in scripts.items()}
        self.runtime: SessionRuntime = make_runtime(config, tmp_path, **kw)
        self.factory = AgentFactory(
            config,
            FakeProviders(llms=self.llms),
            runtime=self.runtime,  # type: ignore[arg-type]
        )
        self.factory.validate()

    @property
    def publisher(self) -> RecordingEventPublisher:
        assert isinstance(self.runtime.publisher, RecordingEventPublisher)
        return self.runtime.publisher

    def session(self) -> AgentSession[Any]:
        session = build_session(None, userdata=self.runtime.state)
        handoff.attach(session)
        return session

    def llm(self, slug: str) -> ScriptedLLM:
        return self.llms[f"fake/{slug}"]


def tool_outputs(chat_ctx: llm.ChatContext) -> list[llm.FunctionCallOutput]:
    return [i for i in chat_ctx.items if isinstance(i, llm.FunctionCallOutput)]


def texts(chat_ctx: llm.ChatContext, role: str) -> list[str]:
    return [
        i.text_content or ""
        for i in chat_ctx.items
        if isinstance(i, llm.ChatMessage) and i.role == role
    ]


async def test_three_agent_chain_with_a_reset_handoff(tmp_path: Path) -> None:
    h = Harness(
        chain_config(),
        tmp_path,
        {
            "host": [tools_turn(call("transfer_to_billing"))],
            "billing": ["Billing here, I see your question.", tools_turn(call("transfer_to_tech"))],
            "tech": ["Tech support here."],
        },
    )
    async with h.session() as session:
        await session.start(h.factory.build_initial())
        await session.run(user_input="I was charged twice")
        assert isinstance(session.current_agent, TroupeAgent)
        assert session.current_agent.slug == "billing"
        await session.run(user_input="also my router is broken")
        assert session.current_agent.slug == "tech"  # type: ignore[attr-defined]

    # preserve: billing saw the user's words; reset: tech saw only the summary line
    assert "I was charged twice" in texts(h.llm("billing").calls[0], "user")
    tech_ctx = h.llm("tech").calls[0]
    assert texts(tech_ctx, "user") == []
    summary = " ".join(texts(tech_ctx, "system"))
    assert "transferred to you by Billing" in summary and "my router is broken" in summary
    # the host never answered after handing off
    assert len(h.llm("host").calls) == 1

    handoffs = [(e.from_agent, e.to_agent) for e in h.publisher.of_type("handoff")]  # type: ignore[union-attr]
    assert handoffs == [("host", "billing"), ("billing", "tech")]
    assert [a for a, _ in h.publisher.active_agents] == ["host", "billing", "tech"]
    assert h.runtime.sink is not None
    transitions = [e for e in h.runtime.sink.entries if isinstance(e, TransitionEntry)]
    assert [(t.from_agent, t.to_agent, t.context_policy) for t in transitions] == [
        (None, "host", "preserve"),
        ("host", "billing", "preserve"),
        ("billing", "tech", "reset"),
    ]
    assert transitions[1].ts <= transitions[2].ts
    # the switch is in the session's chat history too
    history_handoffs = [i for i in session.history.items if i.type == "agent_handoff"]
    assert [i.new_agent_id for i in history_handoffs][-2:] == ["billing", "tech"]
    assert h.runtime.state.agent_path == ["host", "billing", "tech"]


async def test_bounce_back_is_refused_with_a_tool_error(tmp_path: Path) -> None:
    h = Harness(
        chain_config(),
        tmp_path,
        {
            "host": [tools_turn(call("transfer_to_billing"))],
            "billing": [
                "Billing here.",
                tools_turn(call("transfer_to_host")),
                "I will help you myself.",
            ],
        },
    )
    async with h.session() as session:
        await session.start(h.factory.build_initial())
        await session.run(user_input="bill question")
        # the agent decides to bounce the user straight back: nobody asked for it
        await session.run(user_input="hmm, I am not sure what I need")
        assert session.current_agent.slug == "billing"  # type: ignore[attr-defined]

    seen = tool_outputs(h.llm("billing").calls[-1])
    assert seen and seen[-1].is_error and "Transfer refused" in seen[-1].output
    assert "would loop" in seen[-1].output
    assert "I will help you myself." in texts(session.history, "assistant")


async def test_a_user_asking_to_go_back_is_honoured_right_after_a_handoff(
    tmp_path: Path,
) -> None:
    h = Harness(
        chain_config(),
        tmp_path,
        {
            "host": [tools_turn(call("transfer_to_billing")), "Host again, how can I help?"],
            "billing": ["Billing here.", tools_turn(call("transfer_to_host"))],
        },
    )
    async with h.session() as session:
        await session.start(h.factory.build_initial())
        await session.run(user_input="bill question")
        assert session.current_agent.slug == "billing"  # type: ignore[attr-defined]
        result = await session.run(user_input="Actually, can you take me back please?")
        result.expect.contains_agent_handoff(new_agent_type=TroupeAgent)
        assert session.current_agent.slug == "host"  # type: ignore[attr-defined]

    outputs = tool_outputs(session.history)
    assert not any("Transfer refused" in o.output for o in outputs)
    handoffs = [(e.from_agent, e.to_agent) for e in h.publisher.of_type("handoff")]  # type: ignore[union-attr]
    assert handoffs == [("host", "billing"), ("billing", "host")]


def test_user_asked_for_reads_names_and_requests_to_go_back() -> None:
    from troupe_agent.handoff import user_asked_for

    asked = [
        ("Can I talk to Max about my bill?", "Max", "max", False),
        ("put me through to the billing team", "Billing", "billing", False),
        ("Take me back please", "Ava", "ava", True),
        ("I'd like to go back to the previous agent", "Ava", "ava", True),
        ("switch me back", "Ava", "ava", True),
    ]
    for text, name, slug, returning in asked:
        assert user_asked_for(text, name=name, slug=slug, returning=returning), text
    not_asked = [
        ("hmm, I am not sure what I need", "Ava", "ava", True),
        ("take me back", "Ava", "ava", False),  # "back" to someone they never came from
        ("maximum refund please", "Max", "max", False),
        ("my back hurts", "Ava", "ava", True),
    ]
    for text, name, slug, returning in not_asked:
        assert not user_asked_for(text, name=name, slug=slug, returning=returning), text


def test_the_guard_lets_the_user_through_but_not_the_agents() -> None:
    now = [0.0]
    guard = HandoffGuard(window_s=60, max_in_window=2, bounce_back_s=20, clock=lambda: now[0])
    guard.check("a", "b")
    now[0] = 1.0
    guard.check("b", "a", user_asked=True)  # a bounce, but the user asked
    now[0] = 2.0
    guard.check("a", "b", user_asked=True)  # over the window's limit, but the user asked
    now[0] = 3.0
    try:
        guard.check("b", "a")  # the agent bouncing on its own is still refused
    except Exception as e:
        assert "would loop" in str(e)
    else:
        raise AssertionError("an agent-initiated bounce was accepted")


def test_guard_limits_handoffs_per_window_on_a_virtual_clock() -> None:
    now = [0.0]
    guard = HandoffGuard(window_s=60, max_in_window=3, bounce_back_s=20, clock=lambda: now[0])
    guard.check("a", "b")
    now[0] = 25.0
    guard.check("b", "a")  # back to a, but after the bounce-back window
    now[0] = 30.0
    guard.check("a", "c")
    now[0] = 40.0
    try:
        guard.check("c", "b")
    except Exception as e:
        assert "3 transfers in the last 60 seconds" in str(e)
    else:
        raise AssertionError("the fourth handoff within a minute was accepted")
    now[0] = 61.0  # the first handoff left the window
    guard.check("c", "b")


def test_guard_refuses_a_quick_bounce_and_a_second_transfer_in_one_batch() -> None:
    now = [0.0]
    guard = HandoffGuard(bounce_back_s=20, clock=lambda: now[0])
    guard.check("a", "b", turn_id="s1")
    now[0] = 5.0
    for args, kw, needle in [
        (("b", "a"), {"turn_id": "s2"}, "would loop"),
        (("b", "c"), {"turn_id": "s1"}, "already under way"),
        (("b", "b"), {}, "already this agent"),
    ]:
        try:
            guard.check(*args, **kw)
        except Exception as e:
            assert needle in str(e)
        else:
            raise AssertionError(f"{args} was accepted")


async def _sibling_batch(tmp_path: Path, *calls: ScriptedToolCall) -> Harness:
    h = Harness(
        chain_config(),
        tmp_path,
        {"host": [tools_turn(*calls), "HOST SHOULD NOT SPEAK"], "billing": ["Billing here."]},
    )
    async with h.session() as session:
        await session.start(h.factory.build_initial())
        await session.run(user_input="I was charged twice")
        assert session.current_agent.slug == "billing"  # type: ignore[attr-defined]
        h.history = session.history  # type: ignore[attr-defined]
    return h


async def test_sibling_tool_before_handoff_only_new_agent_speaks(tmp_path: Path) -> None:
    h = await _sibling_batch(
        tmp_path, call("log_observation", observation="double charge"), call("transfer_to_billing")
    )
    assert len(h.llm("host").calls) == 1  # the outgoing agent was never asked to answer
    spoken = texts(h.history, "assistant")  # type: ignore[attr-defined]
    assert "HOST SHOULD NOT SPEAK" not in spoken and "Billing here." in spoken
    assert any(t.tool == "log_observation" for t in h.runtime.sink.entries if t.kind == "tool_call")  # type: ignore[union-attr]


async def test_sibling_tool_after_handoff_only_new_agent_speaks(tmp_path: Path) -> None:
    h = await _sibling_batch(
        tmp_path, call("transfer_to_billing"), call("log_observation", observation="double charge")
    )
    assert len(h.llm("host").calls) == 1
    spoken = texts(h.history, "assistant")  # type: ignore[attr-defined]
    assert "HOST SHOULD NOT SPEAK" not in spoken and "Billing here." in spoken


async def test_shared_notes_reach_the_next_agent(tmp_path: Path) -> None:
    h = Harness(
        chain_config(),
        tmp_path,
        {
            "host": [
                tools_turn(call("remember", key="Order number", value="A-1234")),
                tools_turn(call("transfer_to_billing")),
            ],
            "billing": ["Billing here.", tools_turn(call("recall", key="order number")), "Ok."],
        },
    )
    async with h.session() as session:
        await session.start(h.factory.build_initial())
        await session.run(user_input="my order is A-1234, bill question")
        await session.run(user_input="what is my order?")
    assert h.runtime.state.notes == {"order number": "A-1234"}
    assert "order number: A-1234" in " ".join(texts(h.llm("billing").calls[0], "system"))
    assert tool_outputs(h.llm("billing").calls[-1])[-1].output == "A-1234"
