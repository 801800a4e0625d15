"""Agent factory: every ``AgentConfig`` of a ``SessionConfig`` becomes a ``TroupeAgent``.

Behaviour lives in the ``Agent`` hooks: ``on_enter`` announces the agent (participant
attributes, ``ActiveAgentEvent``, ``HandoffEvent``, a ``TransitionEntry`` in the session log)
and speaks its greeting. Each agent carries its own STT/LLM/TTS (passed to ``Agent``, so they
override the session's), its tools and one ``transfer_to_<slug>`` tool per configured handoff.
A handoff builds a fresh ``TroupeAgent`` for the target with the context its plan asks for
(``context_plans``): the transfer tool takes the target's declared variables as typed
parameters, stores them in the shared state (instructions read them as ``{{name}}``), and a
rejection rule on the shared state can refuse the transfer with a message for the LLM."""

import re
from collections.abc import AsyncIterable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from livekit.agents import (
    Agent,
    FlushSentinel,
    ModelSettings,
    RunContext,
    ToolError,
    llm,
    stt,
    tts,
)
from livekit.agents import function_tool as make_function_tool
from troupe_contracts.config import (
    AgentConfig,
    ContextPolicy,
    HandoffTarget,
    Scalar,
    SessionConfig,
)

from troupe_agent import context_plans
from troupe_agent.context_plans import SummaryMethod
from troupe_agent.events import handoff_event
from troupe_agent.handoff import last_user_text, user_asked_for
from troupe_agent.logging import get_logger
from troupe_agent.providers.local_tts import remember_greeting
from troupe_agent.runtime import SessionRuntime
from troupe_agent.settings import env_flag
from troupe_agent.tools import build_tools
from troupe_agent.tools.knowledge_search import auto_retrieve
from troupe_agent.vision import CANNOT_SEE_NOTE, attach_latest_frame

log = get_logger(__name__)


def prefill_enabled() -> bool:
    """``TROUPE_LLM_PREFILL`` (default on): prefill a local LLM's prompt once the greeting has played."""
    return env_flag("TROUPE_LLM_PREFILL")


VOICE_STYLE = (
    "You are speaking with the user by voice: answer in one to three short sentences of plain "
    "spoken language, with no markdown, lists, emojis or code."
)
"""Appended to every agent's instructions; the output is read aloud."""

GREETING_PROMPT = "Greet the user in one short sentence and offer your help."
"""Used when an agent has no configured greeting."""

TAKEOVER_PROMPT = (
    "You have just taken over this conversation from {previous}. Introduce yourself in one "
    "short sentence as {name} and continue with the user's request; do not repeat a greeting "
    "they already heard."
)

AgentEnteredHook = Callable[["TroupeAgent"], None]


class Providers(Protocol):
    def stt(self, provider_id: str, *, language: str = "en") -> stt.STT[Any] | None: ...
    def llm(self, provider_id: str, *, agent: str | None = None) -> llm.LLM[Any]: ...
    def tts(
        self, provider_id: str, *, voice: str | None = None, language: str = "en"
    ) -> tts.TTS[Any]: ...
    def sees_images(self, provider_id: str) -> bool: ...


LANGUAGE_NOTE = "Speak with the user in the language whose code is {language!r}, always."
"""Appended when the agent's language is not English (the voice style itself is English)."""


def build_instructions(config: AgentConfig, *, can_see: bool = True) -> str:
    text = f"{config.instructions.strip()}\n\n{VOICE_STYLE}"
    if config.language.split("-")[0] != "en":
        text += " " + LANGUAGE_NOTE.format(language=config.language)
    if config.vision.enabled and not can_see:
        text += f"\n\n{CANNOT_SEE_NOTE}"
    return text


HANDOFF_TOOL_PREFIX = "transfer_to_"


def handoff_tool_name(slug: str) -> str:
    return f"{HANDOFF_TOOL_PREFIX}{slug}"


MAX_ROLE_CHARS = 100


def agent_role(config: AgentConfig) -> str:
    """Who the agent is, from the first sentence of its instructions ("You are Max, a patient
    technical specialist." gives "a patient technical specialist"); '' when it does not say."""
    first = re.split(r"(?<=[.!?])\s", " ".join(config.instructions.split()), maxsplit=1)[0]
    m = re.match(
        rf"you are (?:{re.escape(config.name)}\s*,\s*)?(?P<role>[^()]+?)[.!]?$", first, re.I
    )
    if m is None or len(m["role"]) > MAX_ROLE_CHARS:
        return ""
    role = m["role"].strip()
    return "" if role.casefold() == config.name.casefold() else role


def handoff_description(target: HandoffTarget, config: AgentConfig) -> str:
    when = target.description.strip() or f"the user needs {config.name}"
    role = agent_role(config)
    who = f"{config.name}, another agent of this conversation" + (f" ({role})" if role else "")
    return (
        f"Transfer the user to {who}. "
        f"Use it when: {when} Call it alone, without other tools, and without saying goodbye: "
        f"{config.name} introduces themselves right after the transfer."
    )


@dataclass(frozen=True)
class Entry:
    """How an agent came to be active."""

    from_agent: str | None = None
    from_name: str | None = None
    context_policy: ContextPolicy = ContextPolicy.PRESERVE
    variables: Mapping[str, Scalar] = field(default_factory=dict)
    """The shared-state variables this handoff set."""
    summary_method: SummaryMethod | None = None
    previous: Agent | None = field(default=None, compare=False, repr=False)
    """The outgoing agent (its context gets the results of the transfer's tool batch)."""
    finished_calls: frozenset[str] = frozenset()
    """Tool calls whose result the outgoing context held when this agent's was built."""


class TroupeAgent(Agent):
    def __init__(
        self,
        config: AgentConfig,
        *,
        runtime: SessionRuntime,
        providers: tuple[stt.STT[Any] | None, llm.LLM[Any], tts.TTS[Any]],
        tools: list[llm.Tool],
        chat_ctx: llm.ChatContext | None = None,
        entry: Entry | None = None,
        on_entered: AgentEnteredHook | None = None,
        llm_sees_images: bool = True,
    ) -> None:
        agent_stt, agent_llm, agent_tts = providers
        super().__init__(
            id=config.slug,
            # {{variable}} placeholders read the shared state as it is when the agent enters
            instructions=runtime.state.render(build_instructions(config, can_see=llm_sees_images)),
            chat_ctx=chat_ctx,
            tools=list(tools),
            stt=agent_stt,
            llm=agent_llm,
            tts=agent_tts,
        )
        self.config = config
        self.runtime = runtime
        self.entry = entry or Entry()
        self._on_entered = on_entered
        self.llm_sees_images = llm_sees_images
        """Whether this agent's LLM (after provider fallback) accepts images."""

    @property
    def slug(self) -> str:
        return self.config.slug

    @property
    def can_see(self) -> bool:
        """Vision is on for this agent and its LLM takes images: frames, uploaded images and
        panel pictures reach it as images; otherwise it gets text (and is told why)."""
        return self.config.vision.enabled and self.llm_sees_images

    @property
    def vision_unsupported(self) -> bool:
        """Vision is on in the config but the LLM cannot take images."""
        return self.config.vision.enabled and not self.llm_sees_images

    async def on_user_turn_completed(
        self, turn_ctx: llm.ChatContext, new_message: llm.ChatMessage
    ) -> None:
        # Vision is agent-gated and only costs a frame per completed turn.
        attach_latest_frame(
            new_message, self.runtime.frames, self.config.vision, can_see=self.llm_sees_images
        )
        if self.config.knowledge_bases and self.config.knowledge_auto_tokens:
            note = await auto_retrieve(
                self.runtime,
                self.slug,
                new_message.text_content or "",
                self.config.knowledge_auto_tokens,
            )
            if note:
                turn_ctx.add_message(role="assistant", content=note)

    def llm_node(
        self,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool],
        model_settings: ModelSettings,
    ) -> AsyncIterable[llm.ChatChunk | str | FlushSentinel]:
        # Images a tool fetched for this agent (e.g. the whiteboard's picture) join the context
        # of the next inference only: a tool's own output can only be text.
        images = self.runtime.take_pending_images()
        if images:
            chat_ctx = chat_ctx.copy()
            chat_ctx.add_message(role="user", content=[*images])
        return Agent.default.llm_node(self, chat_ctx, tools, model_settings)

    async def on_enter(self) -> None:
        rt = self.runtime
        previous = self.entry.from_agent
        log.info("agent entered", agent=self.slug, from_agent=previous)
        rt.state.agent_path.append(self.slug)
        rt.publisher.active_agent_changed(
            self.slug, self.config.name, avatar_url=self.config.avatar_url
        )
        if previous is not None:
            rt.publisher.send(handoff_event(previous, self.slug))
        if rt.sink is not None:
            rt.sink.agent_entered(
                self.slug,
                context_policy=self.entry.context_policy.value,
                variables=dict(self.entry.variables),
                summary_method=self.entry.summary_method,
            )
        if self._on_entered is not None:
            self._on_entered(self)
        if self.vision_unsupported:
            rt.vision_unsupported(self.slug, self.config.llm)
        if previous is not None:
            await self._add_batch_results()
            self.session.generate_reply(
                instructions=TAKEOVER_PROMPT.format(
                    previous=self.entry.from_name or previous, name=self.config.name
                )
            )
        elif self.config.greeting.strip():
            # {{variable}} placeholders read the session's variables, as the instructions do.
            text = rt.state.render(self.config.greeting)
            if text == self.config.greeting:
                # said word for word in every session: a local voice reads it from its cache
                remember_greeting(self.tts, text)
            greeting = self.session.say(text)
            # After the greeting, not during it: on 2 cores the prefill slowed the greeting's
            # synthesis by ~380 ms p50 (bench/voice_latency.py local-no-prefill vs local) and
            # the user's first turn still ends after it is done.
            greeting.add_done_callback(lambda _: self.prefill_prompt())
        else:
            self.session.generate_reply(instructions=GREETING_PROMPT)

    async def _add_batch_results(self) -> None:
        """Under the plan that keeps tool calls (``all``), the results of the tools that ran in
        the transfer's batch: they reached the outgoing agent's context only after this one's
        was built (livekit adds a batch's results once every tool of it returned)."""
        entry = self.entry
        if entry.context_policy != ContextPolicy.ALL or entry.previous is None:
            return
        notes = context_plans.batch_tool_notes(
            entry.previous.chat_ctx,
            entry.finished_calls,
            entry.from_name or entry.from_agent or "The previous agent",
            skip=lambda name: name.startswith(HANDOFF_TOOL_PREFIX),
        )
        if not notes:
            return
        ctx = self.chat_ctx.copy()
        for note in notes:
            ctx.add_message(role="system", content=note)
        await self.update_chat_ctx(ctx)
        log.info("transfer batch results passed on", agent=self.slug, tools=len(notes))

    def prefill_prompt(self) -> None:
        """Have a local LLM evaluate this agent's prompt prefix (instructions, tools) once the
        greeting has played, so the first user turn does not pay for it. Other LLMs have
        nothing to prefill. ``TROUPE_LLM_PREFILL=0`` turns it off (the bench's side-by-side)."""
        prefill = getattr(self.llm, "prefill", None)
        if not callable(prefill) or not prefill_enabled():
            return
        try:
            future = prefill(self.instructions, list(self.tools))
        except Exception:
            log.exception("prompt prefill failed", agent=self.slug)
            return
        future.add_done_callback(self._prefilled)

    def _prefilled(self, future: Any) -> None:
        if (error := future.exception()) is not None:
            log.warning("prompt prefill failed", agent=self.slug, error=str(error))
        else:
            log.info("prompt prefilled", agent=self.slug, source=future.result())


class AgentFactory:
    """Builds the agents of one session from its resolved config."""

    def __init__(
        self,
        config: SessionConfig,
        registry: Providers,
        *,
        runtime: SessionRuntime | None = None,
        on_entered: AgentEnteredHook | None = None,
        can_summarize: Callable[[str], bool] = context_plans.can_summarize,
    ) -> None:
        self.config = config
        self.runtime = runtime or SessionRuntime(config)
        self._registry = registry
        self._on_entered = on_entered
        self._can_summarize = can_summarize
        self._providers: dict[str, tuple[stt.STT[Any] | None, llm.LLM[Any], tts.TTS[Any]]] = {}

    def providers(self, slug: str) -> tuple[stt.STT[Any] | None, llm.LLM[Any], tts.TTS[Any]]:
        """The agent's STT/LLM/TTS, built once per session and reused on every entry."""
        if slug not in self._providers:
            cfg = self.config.agent(slug)
            self._providers[slug] = (
                self._registry.stt(cfg.stt, language=cfg.language),
                self._registry.llm(cfg.llm, agent=cfg.slug),
                self._registry.tts(cfg.tts, voice=cfg.voice, language=cfg.language),
            )
        return self._providers[slug]

    def validate(self) -> None:
        """Fail fast: build every agent once (providers, tools, handoff targets)."""
        for agent in self.config.agents:
            for target in agent.handoffs:
                self.config.agent(target.agent)  # KeyError on a dangling handoff
            self.build(agent.slug)

    def tools(self, config: AgentConfig) -> list[llm.Tool]:
        tools = build_tools(config, self.runtime)
        tools.extend(self.handoff_tool(target) for target in config.handoffs)
        return tools

    def handoff_tool(self, target: HandoffTarget) -> llm.Tool:
        target_config = self.config.agent(target.agent)
        name = handoff_tool_name(target.agent)
        factory = self

        async def transfer(raw_arguments: dict[str, object], ctx: RunContext[Any]) -> Agent:
            current = ctx.session.current_agent
            from_slug = str(getattr(current, "slug", current.id))
            try:
                return await factory.transfer(target, current, dict(raw_arguments), ctx)
            except ToolError as e:
                log.info("handoff refused", from_agent=from_slug, to_agent=target.agent)
                if factory.runtime.sink is not None:
                    factory.runtime.sink.tool_call(
                        agent=from_slug,
                        tool=name,
                        arguments=dict(raw_arguments),
                        result=None,
                        error=e.message,
                        latency_ms=None,
                    )
                raise

        return make_function_tool(
            transfer,
            raw_schema={
                "name": name,
                "description": handoff_description(target, target_config),
                "parameters": context_plans.variables_schema(target),
            },
        )

    async def transfer(
        self,
        target: HandoffTarget,
        current: Agent,
        arguments: dict[str, object],
        ctx: RunContext[Any],
    ) -> "TroupeAgent":
        """Check the variables, the rejection rule and the loop guard (each refusal is a
        ``ToolError`` the LLM reads), then store the variables and build the next agent."""
        state = self.runtime.state
        from_slug = str(getattr(current, "slug", current.id))
        values = context_plans.extract_variables(target, arguments)

        def lookup(variable: str) -> Scalar | None:
            return values[variable] if variable in values else state.lookup(variable)

        if target.reject_when is not None and context_plans.rejects(target.reject_when, lookup):
            raise ToolError(target.reject_when.message)
        speech = getattr(ctx, "speech_handle", None)
        guard = self.runtime.handoffs
        last = guard.history[-1] if guard.history else None
        target_config = self.config.agent(target.agent)
        user_asked = user_asked_for(
            last_user_text(ctx.session.history.items),
            name=target_config.name,
            slug=target.agent,
            returning=last is not None and last.from_agent == target.agent,
        )
        guard.check(
            from_slug,
            target.agent,
            turn_id=speech.id if speech is not None else None,
            user_asked=user_asked,
        )
        state.variables.update(values)
        log.info(
            "handoff",
            from_agent=from_slug,
            to_agent=target.agent,
            policy=target.context_policy,
            variables=sorted(values),
        )
        return await self.build_for_handoff(target, current, variables=values)

    async def handoff_context(
        self, target: HandoffTarget, current: Agent
    ) -> context_plans.HandoffContext:
        previous = getattr(current, "config", None)
        previous_name = previous.name if previous is not None else current.id
        summary_llm: llm.LLM[Any] | None = None
        if target.context_policy == ContextPolicy.SUMMARY and isinstance(previous, AgentConfig):
            if self._can_summarize(previous.llm):
                summary_llm = self.providers(previous.slug)[1]
        result = await context_plans.build_context(
            target,
            current.chat_ctx,
            previous_name=previous_name,
            notes=self.runtime.state.summary(),
            variables=self.runtime.state.variables_line(),
            summary_llm=summary_llm,
        )
        if result.summary_method is not None:
            log.info("handoff summary", to_agent=target.agent, method=result.summary_method)
        return result

    async def build_for_handoff(
        self,
        target: HandoffTarget,
        current: Agent,
        *,
        variables: Mapping[str, Scalar] | None = None,
    ) -> "TroupeAgent":
        previous = getattr(current, "config", None)
        finished = context_plans.finished_calls(current.chat_ctx)
        context = await self.handoff_context(target, current)
        entry = Entry(
            from_agent=str(getattr(current, "slug", current.id)),
            from_name=previous.name if previous is not None else None,
            context_policy=target.context_policy,
            variables=dict(variables or {}),
            summary_method=context.summary_method,
            previous=current,
            finished_calls=finished,
        )
        return self.build(target.agent, chat_ctx=context.chat_ctx, entry=entry)

    def build(
        self, slug: str, *, chat_ctx: llm.ChatContext | None = None, entry: Entry | None = None
    ) -> TroupeAgent:
        config = self.config.agent(slug)
        return TroupeAgent(
            config,
            runtime=self.runtime,
            providers=self.providers(slug),
            tools=self.tools(config),
            chat_ctx=chat_ctx,
            entry=entry,
            on_entered=self._on_entered,
            llm_sees_images=self._registry.sees_images(config.llm),
        )

    def build_initial(self) -> TroupeAgent:
        return self.build(self.config.initial_agent)
