import pytest
from troupe_agent.settings import Settings


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    # isolated from the developer's .env and environment
    for key in (
        "OPENAI_API_KEY",
        "DEEPGRAM_API_KEY",
        "CARTESIA_API_KEY",
        "ELEVEN_API_KEY",
        "ANTHROPIC_API_KEY",
        "GOOGLE_API_KEY",
        "GROQ_API_KEY",
        "OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(key, raising=False)
    return Settings(
        _env_file=None,
        troupe_enable_test_providers=True,
        troupe_agent_spool_dir=tmp_path / "spool",
        troupe_api_url="http://127.0.0.1:1",
        troupe_runtime_token="test-token",
    )
