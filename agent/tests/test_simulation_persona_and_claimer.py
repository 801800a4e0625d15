"""The LLM persona and the judge (scripted LLMs stand in for the cloud models), and the
claimer's round trip with the API's runtime endpoints (an httpx mock transport)."""

import json
from typing import Any

import httpx
from livekit.agents import llm
from pydantic import SecretStr
from support.configs import agent_config, session_config
from support.providers import FakeProviders
from troupe_agent.providers.fake import ScriptedLLM
from troupe_agent.settings import Settings
from troupe_agent.simulation.api import SimulationApi
from troupe_agent.simulation.claimer import SimulationClaimer
from troupe_agent.simulation.runner import run_text
from troupe_contracts.config import HandoffTarget
from troupe_contracts.simulation import (
    CriterionStatus,
    Scenario,
    SimulationClaim,
    SimulationMode,
    SimulationResult,
    SimulationVerdict,
)


def two_agents() -> Any:
    return session_config(
        agent_config(
            "front",
            llm="fake/front",
            handoffs=[HandoffTarget(agent="billing", description="bills")],
        ),
        agent_config("billing", llm="fake/billing", greeting=""),
    )


def agent_llms() -> FakeProviders:
    return FakeProviders(
        llms={
            "fake/front": ScriptedLLM([{"tool_calls": [{"name": "transfer_to_billing"}]}]),
            "fake/billing": ScriptedLLM(["Billing here, your refund is on its way."]),
        }
    )


async def test_a_persona_llm_plays_the_user_and_a_judge_gives_a_verdict() -> None:
    persona = ScriptedLLM(["Where is my refund?", "[DONE]"])
    judge = ScriptedLLM(["PASS\nBilling confirmed the refund."])
    models: dict[str, llm.LLM[Any]] = {"cloud/persona": persona, "cloud/judge": judge}
    scenario = Scenario.model_validate(
        {
            "name": "persona",
            "goal": "get the refund status",
            "persona": "a short-spoken customer",
            "user": {"turns": ["unused script"], "persona_llm": "cloud/persona"},
            "criteria": [{"type": "max_turns", "turns": 2}],
            "judge": {"llm": "cloud/judge", "intent": "confirm the refund"},
        }
    )

    result = await run_text(scenario, two_agents(), agent_llms(), llm_source=models.get)

    assert result.verdict == SimulationVerdict.PASSED, result.criteria
    assert [t.user_text for t in result.turns] == [None, "Where is my refund?"]
    assert result.finished and result.user_turns == 1
    # the persona saw the goal and the agents' words as the other side of the chat
    system = persona.calls[0].items[0]
    assert isinstance(system, llm.ChatMessage) and "get the refund status" in system.text_content
    last = persona.calls[-1].items[-1]
    assert isinstance(last, llm.ChatMessage) and last.role == "user"
    assert last.text_content == "Billing here, your refund is on its way."
    verdict = result.criteria[-1]
    assert (verdict.name, verdict.status) == ("judge: confirm the refund", CriterionStatus.PASSED)
    assert verdict.reason == "Billing confirmed the refund."
    transcript = judge.calls[0].items[-1]
    assert isinstance(transcript, llm.ChatMessage)
    assert "user: Where is my refund?" in (transcript.text_content or "")


async def test_without_the_keys_the_script_runs_and_the_judge_is_skipped() -> None:
    scenario = Scenario.model_validate(
        {
            "name": "offline",
            "user": {"turns": ["Refund please"], "persona_llm": "openai/gpt-4.1-mini"},
            "judge": {"llm": "openai/gpt-4.1-mini", "intent": "be polite"},
        }
    )
    result = await run_text(scenario, two_agents(), agent_llms(), llm_source=lambda _: None)
    assert [t.user_text for t in result.turns] == [None, "Refund please"]
    (judge,) = result.criteria
    assert judge.status == CriterionStatus.SKIPPED
    assert "openai/gpt-4.1-mini is not available" in judge.reason
    assert result.verdict == SimulationVerdict.PASSED


async def test_the_claimer_runs_a_claimed_run_and_posts_its_result() -> None:
    scenario = Scenario.model_validate(
        {
            "name": "claimed",
            "user": {"turns": ["Hello"]},
            "criteria": [{"type": "must_say", "pattern": "You said: Hello"}],
        }
    )
    claim = SimulationClaim(
        run_id="00000000-0000-0000-0000-000000000001",
        mode=SimulationMode.TEXT,
        scenario=scenario,
        config=session_config(agent_config("solo")),
    )
    queue = [claim]
    posted: list[SimulationResult] = []
    seen: list[tuple[str, str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, request.headers["authorization"]))
        if request.url.path.endswith("/claim"):
            assert request.url.params.get_list("mode") == ["text"]
            if not queue:
                return httpx.Response(204)
            return httpx.Response(200, content=queue.pop().model_dump_json())
        posted.append(SimulationResult.model_validate(json.loads(request.content)))
        return httpx.Response(200, json={})

    settings = Settings(troupe_runtime_token=SecretStr("rt-secret"), troupe_api_url="http://api")
    api = SimulationApi(settings, transport=httpx.MockTransport(handler))
    claimer = SimulationClaimer(settings, api=api, registry=FakeProviders())  # type: ignore[arg-type]

    assert await claimer.run_once() is True
    assert await claimer.run_once() is False
    await claimer.aclose()

    (result,) = posted
    assert result.verdict == SimulationVerdict.PASSED and result.scenario == "claimed"
    assert seen[1][:2] == (
        "POST",
        "/api/v1/runtime/simulation-runs/00000000-0000-0000-0000-000000000001/result",
    )
    assert all(auth == "Bearer rt-secret" for _, _, auth in seen)
