"""Agent factory: every ``AgentConfig`` of a ``SessionConfig`` becomes one ``TroupeAgent``.

Behaviour lives in the ``Agent`` hooks: ``on_enter`` announces the agent (participant
attributes, an ``ActiveAgentEvent``, a transition in the session log) and speaks its greeting.
Each agent carries its own STT/LLM/TTS, so a handoff (a later issue) can switch voices and
models by returning another ``TroupeAgent`` from a tool."""

from collections.abc import Callable

from livekit.agents import Agent
from troupe_contracts.config import AgentConfig, SessionConfig

from troupe_agent.logging import get_logger
from troupe_agent.providers import ProviderRegistry

log = get_logger(__name__)

VOICE_STYLE = (
    "You are speaking with the user by voice: answer in one to three short sentences of plain "
    "spoken language, with no markdown, lists, emojis or code."
)
"""Appended to every agent's instructions; the output is read aloud."""

GREETING_PROMPT = "Greet the user in one short sentence and offer your help."
"""Used when an agent has no configured greeting."""

AgentEnteredHook = Callable[["TroupeAgent"], None]


def build_instructions(config: AgentConfig) -> str:
    return f"{config.instructions.strip()}\n\n{VOICE_STYLE}"


class TroupeAgent(Agent):
    def __init__(
        self,
        config: AgentConfig,
        *,
        registry: ProviderRegistry,
        on_entered: AgentEnteredHook | None = None,
    ) -> None:
        super().__init__(
            id=config.slug,
            instructions=build_instructions(config),
            stt=registry.stt(config.stt),
            llm=registry.llm(config.llm),
            tts=registry.tts(config.tts, voice=config.voice),
        )
        self.config = config
        self._on_entered = on_entered

    @property
    def slug(self) -> str:
        return self.config.slug

    async def on_enter(self) -> None:
        log.info("agent entered", agent=self.slug)
        if self._on_entered is not None:
            self._on_entered(self)
        if self.config.greeting.strip():
            self.session.say(self.config.greeting)
        else:
            self.session.generate_reply(instructions=GREETING_PROMPT)


class AgentFactory:
    """Builds the agents of one session from its resolved config."""

    def __init__(
        self,
        config: SessionConfig,
        registry: ProviderRegistry,
        *,
        on_entered: AgentEnteredHook | None = None,
    ) -> None:
        self.config = config
        self._registry = registry
        self._on_entered = on_entered

    def build(self, slug: str) -> TroupeAgent:
        return TroupeAgent(
            self.config.agent(slug), registry=self._registry, on_entered=self._on_entered
        )

    def build_initial(self) -> TroupeAgent:
        return self.build(self.config.initial_agent)
