from support.configs import agent_config, session_config
from support.providers import FakeProviders
from troupe_agent.agents import VOICE_STYLE, AgentFactory, build_instructions


def test_factory_builds_each_agent_from_its_config() -> None:
    host = agent_config("host", instructions="Be the host.", greeting="Welcome!", llm="fake/echo")
    expert = agent_config(
        "expert",
        instructions="Be the expert.",
        greeting="",
        llm="fake/scripted",
        tts="local/espeak",
        voice="en-gb",
    )
    providers = FakeProviders()
    factory = AgentFactory(session_config(host, expert, initial="expert"), providers)  # type: ignore[arg-type]

    agent = factory.build_initial()
    assert agent.id == "expert" and agent.slug == "expert"
    assert agent.instructions == f"Be the expert.\n\n{VOICE_STYLE}"
    assert agent.config.greeting == ""
    assert providers.requested == [
        ("stt", "local/whisper-tiny"),
        ("llm", "fake/scripted"),
        ("tts", "local/espeak"),
    ]

    other = factory.build("host")
    assert other.config.greeting == "Welcome!"
    assert other.instructions.startswith("Be the host.")


def test_instructions_keep_the_configured_text() -> None:
    config = agent_config(instructions="  Speak like a pirate.  ")
    assert build_instructions(config).startswith("Speak like a pirate.\n\n")
