"""Provider registry: ``provider/model`` strings → STT / LLM / TTS instances."""

from troupe_agent.providers.registry import ProviderError, ProviderRegistry, Resolution

__all__ = ["ProviderError", "ProviderRegistry", "Resolution"]
