"""Runs one scenario in the requested mode with this process's providers."""

from typing import Any

from livekit.agents import llm
from troupe_contracts.config import SessionConfig
from troupe_contracts.providers import ProviderRole
from troupe_contracts.simulation import Scenario, SimulationMode, SimulationResult

from troupe_agent.local_models import LocalModels
from troupe_agent.providers import ProviderRegistry
from troupe_agent.settings import Settings
from troupe_agent.simulation.runner import LLMSource, Progress, run_text


def registry_for(settings: Settings, models: LocalModels | None = None) -> ProviderRegistry:
    return ProviderRegistry(settings, models or LocalModels())


def llm_source(registry: ProviderRegistry) -> LLMSource:
    """An LLM for the persona or the judge only when the named provider really is available:
    a missing key must skip the judge, not silently replace it with the offline model."""

    def source(provider_id: str) -> llm.LLM[Any] | None:
        if registry.resolve_id(provider_id, ProviderRole.LLM) != provider_id:
            return None
        return registry.llm(provider_id)

    return source


async def execute(
    scenario: Scenario,
    config: SessionConfig,
    *,
    mode: SimulationMode,
    registry: ProviderRegistry,
    progress: Progress | None = None,
    audio: Any | None = None,
) -> SimulationResult:
    if mode == SimulationMode.AUDIO:
        from troupe_agent.simulation.audio import run_audio

        if audio is None:
            raise ValueError("audio mode needs a session starter (API URL and API key)")
        return await run_audio(scenario, audio, progress=progress)
    registry = registry.for_session(config)  # the organization's own keys, if any
    return await run_text(
        scenario, config, registry, llm_source=llm_source(registry), progress=progress
    )
