"""The local LLM runtime in tests: `make test` builds it, so a missing runtime is a failure
there (``TROUPE_REQUIRE_LOCAL_LLM=1``, set by scripts/test.sh) and a skip elsewhere (a plain
`uv sync` without the ``local-llm`` extra)."""

import os

import pytest

REQUIRE_ENV = "TROUPE_REQUIRE_LOCAL_LLM"


def missing(reason: str) -> None:
    """Skip, or fail when the run requires the local LLM."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
    pytest.skip(reason)


def require_llama_cpp() -> None:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        missing("llama-cpp-python is not installed (make install-local-llm)")


def demo_agents() -> "object":
    """``agent/evals/demo_agents.DemoAgents``: the seeded Ava and Max with their real tools."""
    import sys
    from pathlib import Path

    agent_dir = str(Path(__file__).resolve().parents[2])
    if agent_dir not in sys.path:
        sys.path.insert(0, agent_dir)
    from evals.demo_agents import DemoAgents

    return DemoAgents()
