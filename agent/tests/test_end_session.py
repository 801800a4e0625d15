"""The ``end_session`` tool: the agent ends the call with a spoken goodbye, and nothing after."""

import asyncio
from pathlib import Path
from typing import Any

from support.configs import agent_config, session_config
from support.providers import FakeProviders
from support.runtime import make_runtime
from troupe_agent.agents import AgentFactory
from troupe_agent.events import RecordingEventPublisher
from troupe_agent.lifecycle import SessionLifecycle
from troupe_agent.providers.fake import ScriptedLLM, ScriptedToolCall, ScriptedTurn
from troupe_agent.session import build_session
from troupe_contracts.config import ToolConfig
from troupe_contracts.log import ToolCallEntry

GOODBYE = "Thanks for calling, goodbye!"


def spoken(session: Any) -> list[str]:
    return [m.text_content or "" for m in session.history.messages() if m.role == "assistant"]


async def test_the_agent_ends_the_call_with_a_goodbye(tmp_path: Path) -> None:
    config = session_config(
        agent_config(
            greeting="Hello.",
            tools=[ToolConfig(name="end_session", kind="builtin", description="end")],
        )
    )
    script = [
        ScriptedTurn(tool_calls=(ScriptedToolCall("end_session", {"goodbye": GOODBYE}),)),
        "THE AGENT SHOULD NOT SPEAK AFTER ENDING",
    ]
    runtime = make_runtime(config, tmp_path)
    factory = AgentFactory(config, FakeProviders(llm=ScriptedLLM(script)), runtime=runtime)  # type: ignore[arg-type]
    publisher = runtime.publisher
    assert isinstance(publisher, RecordingEventPublisher)
    session = build_session(None)
    closed = asyncio.Event()
    session.on("close", lambda _: closed.set())
    lifecycle = SessionLifecycle(session, publisher, max_duration_s=60)
    runtime.end_session = lifecycle.request_end
    await session.start(factory.build_initial())
    lifecycle.attach()
    session.generate_reply(user_input="That's all, bye!")
    await asyncio.wait_for(closed.wait(), 15)
    await lifecycle.aclose()

    assert lifecycle.ended == "agent"
    assert [e.reason for e in publisher.of_type("session_ending")] == ["agent"]  # type: ignore[union-attr]
    said = spoken(session)
    assert said[-1] == GOODBYE and not any("SHOULD NOT" in s for s in said)
    assert runtime.sink is not None
    (entry,) = [e for e in runtime.sink.entries if isinstance(e, ToolCallEntry)]
    assert entry.tool == "end_session" and entry.arguments == {"goodbye": GOODBYE}


async def test_without_a_call_to_end_the_tool_tells_the_model(tmp_path: Path) -> None:
    config = session_config(
        agent_config(tools=[ToolConfig(name="end_session", kind="builtin", description="end")])
    )
    runtime = make_runtime(config, tmp_path)
    script = [
        ScriptedTurn(tool_calls=(ScriptedToolCall("end_session", {"goodbye": GOODBYE}),)),
        "Goodbye then.",
    ]
    factory = AgentFactory(config, FakeProviders(llm=ScriptedLLM(script)), runtime=runtime)  # type: ignore[arg-type]
    async with build_session(None) as session:
        await session.start(factory.build_initial())
        result = await session.run(user_input="bye")
    result.expect.contains_function_call_output(is_error=True)
