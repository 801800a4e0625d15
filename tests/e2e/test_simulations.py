"""Simulations end to end on the real stack: a run queued through the API is claimed and run
by the agent worker (text mode, the seeded handoff template's real agents) and its result
read back; a scenario expecting the wrong handoff fails with the reason; and the
``troupe simulate`` CLI runs the example scenario in audio mode through LiveKit (Piper speech,
Whisper listening) with per-turn latency and a JUnit report."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx

from tests.e2e.support import RESULTS, ROOT, demo, demo_admin_headers, env

RUN_TIMEOUT_S = 90.0


def _scenario(template_id: str, name: str, to_agent: str) -> dict[str, Any]:
    return {
        "name": name,
        "goal": "reach an expert",
        "template_id": template_id,
        "user": {"turns": ["I need to talk to an expert, please."]},
        "criteria": [
            {"type": "handoff", "to_agent": to_agent},
            {"type": "tool_call", "tool": "log_observation", "arguments": {"category": "routing"}},
            {"type": "max_turns", "turns": 2},
        ],
    }


async def _run(api: httpx.AsyncClient, headers: dict[str, str], scenario_id: str) -> dict[str, Any]:
    queued = await api.post(
        f"/api/v1/simulations/scenarios/{scenario_id}/runs", json={"mode": "text"}, headers=headers
    )
    assert queued.status_code == 202, queued.text
    run_id = queued.json()["id"]
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run = (await api.get(f"/api/v1/simulations/runs/{run_id}", headers=headers)).json()
        if run["status"] == "completed":
            return dict(run)
        await asyncio.sleep(0.5)
    raise AssertionError(f"run {run_id} not completed by the worker within {RUN_TIMEOUT_S:.0f}s")


async def test_the_worker_runs_queued_simulations_of_the_real_template() -> None:
    template_id = demo()["handoff_template_id"]
    async with httpx.AsyncClient(base_url=env("TROUPE_API_URL"), timeout=30) as api:
        headers = await demo_admin_headers(api)
        good = await api.post(
            "/api/v1/simulations/scenarios",
            json=_scenario(template_id, "e2e: reaches the expert", "test_expert"),
            headers=headers,
        )
        assert good.status_code == 201, good.text
        wrong = await api.post(
            "/api/v1/simulations/scenarios",
            json=_scenario(template_id, "e2e: expects a missing agent", "test_billing"),
            headers=headers,
        )
        assert wrong.status_code == 201, wrong.text

        passed = await _run(api, headers, good.json()["id"])
        failed = await _run(api, headers, wrong.json()["id"])

    assert passed["verdict"] == "passed", passed["result"]
    turns = passed["result"]["turns"]
    assert turns[1]["user_text"] == "I need to talk to an expert, please."
    assert {"from_agent": "test_front", "to_agent": "test_expert"} in turns[1]["handoffs"]
    assert any(r["agent"] == "test_expert" for r in turns[1]["replies"])
    assert any(c["name"] == "log_observation" for c in turns[1]["tool_calls"])

    assert failed["verdict"] == "failed"
    handoff = failed["result"]["criteria"][0]
    assert handoff["status"] == "failed"
    assert "never handed off to test_billing" in handoff["reason"]
    assert "test_front→test_expert" in handoff["reason"]


async def test_cli_audio_mode_through_livekit_with_junit() -> None:
    template_id = demo()["handoff_template_id"]
    async with httpx.AsyncClient(base_url=env("TROUPE_API_URL"), timeout=30) as api:
        headers = await demo_admin_headers(api)
        created = await api.post(
            "/api/v1/api-keys",
            json={"name": "e2e simulate", "scopes": ["sessions:write", "sessions:read"]},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        key = created.json()["key"]
    junit = RESULTS / "simulations-audio.xml"
    troupe = Path(sys.executable).parent / "troupe"
    proc = await asyncio.to_thread(
        subprocess.run,
        [
            str(troupe),
            "simulate",
            str(ROOT / "examples" / "scenarios" / "handoff.yaml"),
            "--template",
            template_id,
            "--mode",
            "audio",
            "--junit",
            str(junit),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={
            **os.environ,
            "TROUPE_API_KEY": key,
            "TROUPE_ENABLE_TEST_PROVIDERS": "true",
            "TROUPE_FAKE_LLM_SCRIPT": str(ROOT / "tests" / "e2e" / "scripts" / "handoff.json"),
        },
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr[-3000:]
    assert "PASSED  front desk hands over to the expert (audio" in out
    assert "PASS hands off to test_expert" in out
    # Whisper heard the expert's Piper voice
    assert "all good" in out.lower()
    case = ET.parse(junit).getroot().find("testsuite/testcase")
    assert case is not None and case.get("classname") == "troupe.simulate.audio"
    assert case.find("failure") is None and case.find("error") is None
    transcript = case.findtext("system-out") or ""
    latency = [line for line in transcript.splitlines() if line.startswith("[1] user:")]
    assert latency and "ms)" in latency[0], transcript
