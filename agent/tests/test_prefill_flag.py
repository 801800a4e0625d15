"""``TROUPE_LLM_PREFILL``: the bench's switch for the local LLM's prompt prefill while the
greeting plays (``bench/voice_latency.py --variants local-no-prefill,local``)."""

from __future__ import annotations

from concurrent.futures import Future
from types import SimpleNamespace
from typing import Any

import pytest
from troupe_agent.agents import TroupeAgent


class PrefillingLLM:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[Any]]] = []

    def prefill(self, instructions: str, tools: list[Any]) -> Future[str]:
        self.calls.append((instructions, tools))
        done: Future[str] = Future()
        done.set_result("evaluated")
        return done


def agent_with(llm: PrefillingLLM) -> Any:
    return SimpleNamespace(
        llm=llm, instructions="Be brief.", tools=[], slug="ava", _prefilled=lambda f: None
    )


@pytest.mark.parametrize("value", [None, "1", "on"])
def test_the_prompt_is_prefilled_by_default(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("TROUPE_LLM_PREFILL", raising=False)
    else:
        monkeypatch.setenv("TROUPE_LLM_PREFILL", value)
    llm = PrefillingLLM()
    TroupeAgent.prefill_prompt(agent_with(llm))
    assert llm.calls == [("Be brief.", [])]


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_the_flag_turns_the_prefill_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TROUPE_LLM_PREFILL", value)
    llm = PrefillingLLM()
    TroupeAgent.prefill_prompt(agent_with(llm))
    assert llm.calls == []
