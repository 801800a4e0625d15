"""The seeded demo acting on the real local LLM (llama.cpp, as ``build_local_llm`` builds it for
a session: the offline router, quoted arguments), run through real room-less ``AgentSession``s
with the runtime's real tools: "remember" stores the fact in the session's shared notes,
"write ... in the notepad" sends the notepad command to the browser, and one utterance that
asks for both a tool and a handoff makes one reply of two calls whose tool result reaches Max
under the ``all`` context plan. Only the browser (an RPC peer that records the calls) and the
TTS are stand-ins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from livekit.agents import AgentSession, llm
from support.local_llm import demo_agents, missing, require_llama_cpp
from support.providers import FakeProviders
from support.runtime import FakePeer, make_runtime
from support.session import wait_for
from troupe_agent import handoff
from troupe_agent.agents import AgentFactory
from troupe_agent.local_models import LocalModels, LocalModelUnavailable
from troupe_agent.providers.local_llm import LlamaCppLLM, build_local_llm
from troupe_agent.runtime import SessionRuntime
from troupe_agent.session import build_session
from troupe_contracts.config import ContextPolicy, SessionConfig
from troupe_contracts.log import ToolCallEntry
from troupe_contracts.rpc import BrowserMethod

LLM_ID = "local/smollm2"


@pytest.fixture(scope="module")
def local_llm() -> LlamaCppLLM:
    require_llama_cpp()
    try:
        return build_local_llm(LocalModels(), LLM_ID.split("/", 1)[1])
    except LocalModelUnavailable as e:
        missing(str(e))
        raise


class Demo:
    """Ava and Max as seeded, on the real local LLM, Ava's handoff to Max under ``policy``."""

    def __init__(self, tmp_path: Path, lm: LlamaCppLLM, policy: ContextPolicy) -> None:
        demo_agents()  # puts agent/ on the path for ``evals``
        from evals.demo_agents import demo_session_config

        config = demo_session_config(LLM_ID)
        ava = config.agent("ava")
        handoffs = [h.model_copy(update={"context_policy": policy}) for h in ava.handoffs]
        agents = [
            a.model_copy(update={"handoffs": handoffs}) if a.slug == "ava" else a
            for a in config.agents
        ]
        self.config: SessionConfig = config.model_copy(update={"agents": agents})
        self.peer = FakePeer()
        self.runtime: SessionRuntime = make_runtime(self.config, tmp_path, peer=self.peer)
        self.prompts: list[tuple[set[str], llm.ChatContext]] = []
        """Each request to the model: the tools it was given and its context."""
        chat = lm.chat

        def recording_chat(**kw: Any) -> llm.LLMStream:
            names = {getattr(t, "id", "") for t in kw.get("tools") or []}
            self.prompts.append((names, kw["chat_ctx"].copy()))
            return chat(**kw)

        self.lm = lm
        self._chat = chat
        lm.chat = recording_chat  # type: ignore[method-assign]
        self.factory = AgentFactory(
            self.config,
            FakeProviders(llms={LLM_ID: lm}),  # type: ignore[arg-type]
            runtime=self.runtime,
        )

    def restore(self) -> None:
        self.lm.chat = self._chat  # type: ignore[method-assign]

    async def run(self, text: str) -> AgentSession[Any]:
        session = build_session(None, userdata=self.runtime.state)
        handoff.attach(session)
        async with session:
            await session.start(self.factory.build_initial())
            await session.run(user_input=text)
        return session

    def tool_calls(self) -> list[ToolCallEntry]:
        assert self.runtime.sink is not None
        return [e for e in self.runtime.sink.entries if isinstance(e, ToolCallEntry)]

    def ava_prompts(self) -> list[llm.ChatContext]:
        return [ctx for names, ctx in self.prompts if "transfer_to_max" in names]

    def max_prompts(self) -> list[llm.ChatContext]:
        return [ctx for names, ctx in self.prompts if "transfer_to_ava" in names]


@pytest.fixture
def demo(tmp_path: Path, local_llm: LlamaCppLLM) -> Any:
    made: list[Demo] = []

    def make(policy: ContextPolicy = ContextPolicy.PRESERVE) -> Demo:
        made.append(Demo(tmp_path, local_llm, policy))
        return made[-1]

    yield make
    for d in made:
        d.restore()


@pytest.mark.parametrize(
    ("said", "fact"),
    [
        ("Remember that my order number is B-778.", "B-778"),
        # answered in words before the request frames and the worked examples
        ("Please keep in mind that my seat is 14C.", "14C"),
    ],
)
async def test_remember_stores_the_fact_through_the_remember_tool(
    demo: Any, said: str, fact: str
) -> None:
    run = demo()
    session = await run.run(said)
    assert [e.tool for e in run.tool_calls()] == ["remember"]
    notes = run.runtime.state.notes
    assert any(fact in value for value in notes.values()), notes
    assert session.current_agent.id == "ava"


async def test_write_in_the_notepad_drives_the_notepad_panel(demo: Any) -> None:
    run = demo()
    await run.run("Write buy milk in the notepad.")
    assert [e.tool for e in run.tool_calls()] == ["control_notepad"]
    controls = [p for _, m, p in run.peer.calls if m == BrowserMethod.CONTROL_PANEL.value]
    assert len(controls) == 1
    command = controls[0]["command"]
    assert controls[0]["panel"] == "notepad"
    assert command["op"] == "notepad.set"
    assert "milk" in command["text"].lower()


async def test_a_tool_and_a_transfer_in_one_reply_reach_max_under_the_all_plan(
    demo: Any,
) -> None:
    run = demo(ContextPolicy.ALL)
    session = await run.run("Remember my order number B-778 and put me through to Max.")
    assert session.current_agent.id == "max"
    # one reply of Ava's model (her only request) called both, the tool first
    assert len(run.ava_prompts()) == 1
    calls = [i for i in session.history.items if isinstance(i, llm.FunctionCall)]
    assert [c.name for c in calls] == ["remember", "transfer_to_max"]
    assert "B-778" in json.loads(calls[0].arguments)["value"]
    assert any("B-778" in v for v in run.runtime.state.notes.values())
    # Max's model was given the remember result as a note, once
    await wait_for(lambda: run.max_prompts())
    max_ctx = run.max_prompts()[0]
    notes = [
        i.text_content or ""
        for i in max_ctx.items
        if isinstance(i, llm.ChatMessage) and i.role in ("system", "developer")
    ]
    remembered = [n for n in notes if "called the tool remember" in n]
    assert len(remembered) == 1 and "B-778" in remembered[0], notes
    assert not any("transfer_to_max" in n for n in notes)
