"""``fake/scripted`` with per-agent scripts: the format, the worker's registry handing each
agent its own part, and the e2e handoff script (``tests/e2e/scripts/handoff.json``) run through
the real agent factory."""

import json
from pathlib import Path
from typing import Any

import pytest
from livekit.agents import llm, stt, tts
from support.configs import agent_config, session_config
from support.runtime import make_runtime
from troupe_agent import handoff
from troupe_agent.agents import AgentFactory, TroupeAgent
from troupe_agent.local_models import LocalModels
from troupe_agent.providers import ProviderRegistry
from troupe_agent.providers.fake import (
    ECHO_PREFIX,
    SCRIPT_ENV,
    FakeTTS,
    ScriptedLLM,
    ScriptedToolCall,
    ScriptedTurn,
    script_turns,
)
from troupe_agent.session import build_session
from troupe_agent.settings import Settings
from troupe_contracts.config import (
    ContextPolicy,
    HandoffTarget,
    HandoffVariable,
    RejectionRule,
    RuleCondition,
    RuleOp,
    ToolConfig,
)
from troupe_contracts.log import MessageEntry, ToolCallEntry, TransitionEntry

HANDOFF_SCRIPT = Path(__file__).resolve().parents[2] / "tests" / "e2e" / "scripts" / "handoff.json"


def ctx(user_text: str) -> llm.ChatContext:
    chat = llm.ChatContext.empty()
    chat.add_message(role="user", content=user_text)
    return chat


def test_script_formats() -> None:
    assert script_turns(["a", "b"], "anyone") == ["a", "b"]
    assert script_turns({"turns": ["a"]}, None) == ["a"]
    per_agent = {"agents": {"front": ["f1", "f2"], "expert": ["e1"]}, "default": ["d1"]}
    assert script_turns(per_agent, "front") == ["f1", "f2"]
    assert script_turns(per_agent, "expert") == ["e1"]
    assert script_turns(per_agent, "stranger") == ["d1"]
    assert script_turns(per_agent, None) == ["d1"]
    assert script_turns({"agents": {"front": ["f1"]}}, "stranger") == []
    with pytest.raises(ValueError):
        script_turns({"agents": ["not", "a", "map"]}, "front")
    with pytest.raises(ValueError):
        script_turns({"agents": {"front": "not a list"}}, "front")


def test_each_agent_follows_its_own_turns_then_echoes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = {
        "agents": {
            "front": [
                {"tool_calls": [{"name": "transfer_to_expert", "arguments": {"why": "x"}}]},
                "Front again.",
            ],
            "expert": ["Expert answer."],
        },
        "default": ["Default turn."],
    }
    path = tmp_path / "script.json"
    path.write_text(json.dumps(script))
    monkeypatch.setenv(SCRIPT_ENV, str(path))

    front = ScriptedLLM.from_env(agent="front")
    expert = ScriptedLLM.from_env(agent="expert")
    other = ScriptedLLM.from_env(agent="other")
    assert front.next_turn(ctx("hi")) == ScriptedTurn(
        tool_calls=(ScriptedToolCall("transfer_to_expert", {"why": "x"}),)
    )
    assert expert.next_turn(ctx("hi")).text == "Expert answer."
    assert front.next_turn(ctx("hi")).text == "Front again."
    assert other.next_turn(ctx("hi")).text == "Default turn."
    # past the end of its part: echo
    assert expert.next_turn(ctx("and then?")).text == f"{ECHO_PREFIX}and then?"
    assert front.next_turn(ctx("bye")).text == f"{ECHO_PREFIX}bye"
    # a new session's LLM starts again from the first turn
    assert ScriptedLLM.from_env(agent="expert").next_turn(ctx("x")).text == "Expert answer."

    # inline JSON and the old list format still work
    monkeypatch.setenv(SCRIPT_ENV, json.dumps(["one", {"text": "two"}]))
    old = ScriptedLLM.from_env(agent="front")
    assert [old.next_turn(ctx("q")).text for _ in range(3)] == ["one", "two", f"{ECHO_PREFIX}q"]
    monkeypatch.delenv(SCRIPT_ENV)
    assert ScriptedLLM.from_env(agent="front").remaining == 0


def test_registry_gives_each_agent_its_part(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SCRIPT_ENV, json.dumps({"agents": {"a": ["A"], "b": ["B", "B2"]}}))
    registry = ProviderRegistry(settings, LocalModels())
    a, b = registry.llm("fake/scripted", agent="a"), registry.llm("fake/scripted", agent="b")
    assert isinstance(a, ScriptedLLM) and isinstance(b, ScriptedLLM)
    assert (a.remaining, b.remaining) == (1, 2)
    assert isinstance(registry.llm("fake/scripted"), ScriptedLLM)  # no agent: default part


class ScriptedProviders:
    """The real registry for the LLM (``fake/scripted`` from the env), fakes for voice."""

    def __init__(self, settings: Settings) -> None:
        self.registry = ProviderRegistry(settings, LocalModels())
        self.llms: dict[str, ScriptedLLM] = {}

    def stt(self, provider_id: str, **_: object) -> stt.STT[Any] | None:
        return None

    def llm(self, provider_id: str, *, agent: str | None = None) -> llm.LLM[Any]:
        instance = self.registry.llm(provider_id, agent=agent)
        assert isinstance(instance, ScriptedLLM) and agent is not None
        self.llms[agent] = instance
        return instance

    def tts(self, provider_id: str, **_: object) -> tts.TTS[Any]:
        return FakeTTS()

    def sees_images(self, provider_id: str) -> bool:
        return self.registry.sees_images(provider_id)


async def test_the_e2e_handoff_script_through_the_agent_factory(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's script for the e2e handoff test, with the seeded handoff's plan: the front
    desk logs an observation and transfers with topic "unknown", which the rule refuses; it
    transfers again with a real topic; only the expert speaks, with its scripted answer."""
    monkeypatch.setenv(SCRIPT_ENV, str(HANDOFF_SCRIPT))
    config = session_config(
        agent_config(
            "test_front",
            llm="fake/scripted",
            greeting="Hi, I am the front desk.",
            tools=[ToolConfig(name="log_observation", kind="builtin", description="log")],
            handoffs=[
                HandoffTarget(
                    agent="test_expert",
                    context_policy=ContextPolicy.SUMMARY,
                    variables=[HandoffVariable(name="topic", required=True)],
                    reject_when=RejectionRule(
                        conditions=[RuleCondition(variable="topic", op=RuleOp.EQ, value="unknown")],
                        message="Ask the user what they need help with.",
                    ),
                )
            ],
        ),
        agent_config(
            "test_expert",
            llm="fake/scripted",
            greeting="Expert here, how can I help?",
            instructions="You are the expert. The user needs help with {{topic}}.",
        ),
    )
    runtime = make_runtime(config, tmp_path)
    providers = ScriptedProviders(settings)
    factory = AgentFactory(config, providers, runtime=runtime)  # type: ignore[arg-type]
    session = build_session(None, userdata=runtime.state)
    handoff.attach(session)
    assert runtime.sink is not None
    runtime.sink.attach(session)
    async with session:
        await session.start(factory.build_initial())
        await session.run(user_input="I need to talk to an expert please")
        assert isinstance(session.current_agent, TroupeAgent)
        assert session.current_agent.slug == "test_expert"

    # the front desk never answered: its second call transferred again, without text
    assert len(providers.llms["test_front"].calls) == 2
    assert runtime.state.variables == {"topic": "a broken router"}
    expert_instructions = providers.llms["test_expert"].calls[0].items[0]
    assert isinstance(expert_instructions, llm.ChatMessage)
    assert "The user needs help with a broken router." in (expert_instructions.text_content or "")
    assert providers.llms["test_expert"].remaining == 0
    entries = runtime.sink.entries
    said = [(e.agent, e.text) for e in entries if isinstance(e, MessageEntry) and e.agent]
    assert ("test_front", "Hi, I am the front desk.") in said
    assert ("test_expert", "The expert says: all good.") in said
    assert all(agent != "test_front" for agent, text in said if text != "Hi, I am the front desk.")
    transitions = [
        (e.from_agent, e.to_agent, e.variables, e.summary_method)
        for e in entries
        if isinstance(e, TransitionEntry)
    ]
    assert transitions == [
        (None, "test_front", {}, None),
        ("test_front", "test_expert", {"topic": "a broken router"}, "extractive"),
    ]
    refused = [e for e in entries if isinstance(e, ToolCallEntry) and e.tool.startswith("transfer")]
    assert [(e.arguments, e.error) for e in refused] == [
        ({"topic": "unknown"}, "Ask the user what they need help with.")
    ]
    tool = next(e for e in entries if isinstance(e, ToolCallEntry))
    assert (tool.agent, tool.tool) == ("test_front", "log_observation")
    assert tool.arguments == {"observation": "The user asked for an expert.", "category": "routing"}
