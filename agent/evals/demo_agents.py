"""The seeded demo (Ava and Max, ``troupe_api.seed.DEMO_AGENTS``) as the agent runtime sees it:
its session config and each agent's real tools and instructions, built by the runtime's own
``AgentFactory`` (panel tools, memory tools, transfer tools)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from livekit.agents import llm
from troupe_agent.agents import AgentFactory, build_instructions
from troupe_contracts.config import AgentConfig, SessionConfig
from troupe_contracts.session import ModalityProfile, PanelType


def demo_session_config(llm_id: str | None = None) -> SessionConfig:
    from troupe_api.seed import DEMO_AGENTS

    agents = []
    for slug, fields in DEMO_AGENTS.items():
        body: dict[str, Any] = {k: v for k, v in fields.items() if k != "config"}
        body.update(fields.get("config", {}))
        if llm_id is not None:
            body["llm"] = llm_id
        agents.append(AgentConfig.model_validate({"id": uuid4(), "slug": slug, **body}))
    return SessionConfig(
        session_id=uuid4(),
        organization_id=uuid4(),
        template_id=None,
        initial_agent="ava",
        agents=agents,
        modality_profile=ModalityProfile.AUDIO_CAMERA_SCREEN,
        enabled_panels=list(PanelType),
    )


class DemoAgents:
    """Instructions and tools of each demo agent, as a session would give them to its LLM."""

    def __init__(self) -> None:
        self.config = demo_session_config()
        self._factory = AgentFactory(self.config, registry=None)  # type: ignore[arg-type]
        self._tools: dict[str, list[llm.Tool]] = {}

    def instructions(self, slug: str) -> str:
        return build_instructions(self.config.agent(slug))

    def tools(self, slug: str) -> list[llm.Tool]:
        if slug not in self._tools:
            self._tools[slug] = self._factory.tools(self.config.agent(slug))
        return self._tools[slug]

    def chat(
        self, slug: str, user_text: str, history: list[tuple[str, str]] = ()
    ) -> llm.ChatContext:  # type: ignore[assignment]
        ctx = llm.ChatContext()
        ctx.add_message(role="system", content=self.instructions(slug))
        greeting = self.config.agent(slug).greeting
        if greeting:
            ctx.add_message(role="assistant", content=greeting)
        for role, text in history:
            ctx.add_message(role=role, content=text)  # type: ignore[arg-type]
        ctx.add_message(role="user", content=user_text)
        return ctx
