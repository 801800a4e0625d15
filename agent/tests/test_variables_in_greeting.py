"""Session variables (given at session start): the greeting spoken and the instructions the
LLM receives read them as ``{{name}}``."""

from pathlib import Path
from typing import Any

from livekit.agents import AgentSession, llm
from support.configs import agent_config, session_config
from support.providers import FakeProviders
from support.runtime import make_runtime
from troupe_agent import handoff
from troupe_agent.agents import AgentFactory
from troupe_agent.providers.fake import ScriptedLLM
from troupe_agent.session import build_session


def _texts(chat_ctx: llm.ChatContext, role: str) -> list[str]:
    return [
        i.text_content or ""
        for i in chat_ctx.items
        if isinstance(i, llm.ChatMessage) and i.role == role
    ]


async def test_greeting_and_instructions_read_the_session_variables(tmp_path: Path) -> None:
    config = session_config(
        agent_config(
            "host",
            llm="fake/host",
            instructions="You help {{customer_name}} on the {{plan}} plan ({{seats}} seats).",
            greeting="Hello {{ customer_name }}, welcome back!",
        )
    ).model_copy(update={"variables": {"customer_name": "Ada", "plan": "pro", "seats": 3}})
    scripted = ScriptedLLM(["Sure, Ada."])
    runtime = make_runtime(config, tmp_path)
    factory = AgentFactory(config, FakeProviders(llms={"fake/host": scripted}), runtime=runtime)
    factory.validate()
    assert runtime.state.variables == {"customer_name": "Ada", "plan": "pro", "seats": 3}

    session: AgentSession[Any] = build_session(None, userdata=runtime.state)
    handoff.attach(session)
    async with session:
        await session.start(factory.build_initial())
        await session.run(user_input="What plan am I on?")

    spoken = _texts(session.history, "assistant")
    assert spoken[0] == "Hello Ada, welcome back!"
    system = " ".join(_texts(scripted.calls[0], "system"))
    assert "You help Ada on the pro plan (3 seats)." in system
    assert "{{" not in system


async def test_a_session_without_variables_keeps_the_placeholder_note(tmp_path: Path) -> None:
    config = session_config(agent_config("host", llm="fake/host", greeting="Hi {{name}}."))
    runtime = make_runtime(config, tmp_path)
    assert runtime.state.variables == {}
    assert runtime.state.render(config.agents[0].greeting) == "Hi (not known yet)."
