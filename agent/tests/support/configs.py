"""Session configs for tests."""

from uuid import UUID, uuid4

from troupe_contracts.config import AgentConfig, SessionConfig
from troupe_contracts.session import ModalityProfile


def agent_config(slug: str = "host", **kw: object) -> AgentConfig:
    base: dict[str, object] = {
        "id": uuid4(),
        "slug": slug,
        "name": slug.title(),
        "instructions": f"You are {slug}, a helpful assistant.",
        "greeting": f"Hi, I am {slug.title()}.",
        "stt": "local/whisper-tiny",
        "llm": "fake/echo",
        "tts": "local/piper-joe",
    }
    base.update(kw)
    return AgentConfig.model_validate(base)


def session_config(
    *agents: AgentConfig, initial: str | None = None, session_id: UUID | None = None
) -> SessionConfig:
    agents = agents or (agent_config(),)
    return SessionConfig(
        session_id=session_id or uuid4(),
        organization_id=uuid4(),
        template_id=None,
        initial_agent=initial or agents[0].slug,
        agents=list(agents),
        modality_profile=ModalityProfile.AUDIO,
    )
