"""The ``troupe simulate`` console script: scenario files with an inline config, scripted
LLMs from the environment, a readable summary, JUnit XML and the exit status."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import yaml
from support.configs import agent_config, session_config
from troupe_contracts.config import HandoffTarget

TROUPE = Path(sys.executable).parent / "troupe"
SCRIPT = {
    "agents": {
        "front": [{"tool_calls": [{"name": "transfer_to_billing"}]}],
        "billing": ["Billing here, how can I help with your invoice?"],
    }
}


def config() -> dict[str, Any]:
    cfg = session_config(
        agent_config(
            "front",
            llm="fake/scripted",
            handoffs=[HandoffTarget(agent="billing", description="billing questions")],
        ),
        agent_config("billing", llm="fake/scripted", greeting=""),
    )
    return cfg.model_dump(mode="json")


def scenario(path: Path, name: str, criteria: list[dict[str, Any]]) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "name": name,
                "goal": "ask about an invoice",
                "user": {"turns": ["I have a question about my invoice"]},
                "criteria": criteria,
                "config": config(),
            }
        )
    )
    return path


def troupe(*args: str | Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TROUPE_ENABLE_TEST_PROVIDERS": "true",
        "TROUPE_FAKE_LLM_SCRIPT": json.dumps(SCRIPT),
        "TROUPE_RUNTIME_TOKEN": "",
        "TROUPE_LOG_LEVEL": "warning",
    }
    return subprocess.run(
        [str(TROUPE), "simulate", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=240,
    )


def test_passing_and_failing_scenarios_write_junit_and_exit_non_zero(tmp_path: Path) -> None:
    good = scenario(
        tmp_path / "good.yaml",
        "reaches billing",
        [{"type": "handoff", "to_agent": "billing"}, {"type": "must_say", "pattern": "invoice"}],
    )
    bad = scenario(
        tmp_path / "bad.yaml",
        "reaches tech support",
        [{"type": "handoff", "to_agent": "tech"}, {"type": "must_not_say", "pattern": "billing"}],
    )
    junit = tmp_path / "out" / "simulations.xml"

    proc = troupe(good, bad, "--junit", junit, tmp_path=tmp_path)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "PASSED  reaches billing" in proc.stdout
    assert "FAILED  reaches tech support" in proc.stdout
    assert (
        "FAIL hands off to tech: never handed off to tech (handoffs: front→billing" in proc.stdout
    )
    assert "1/2 scenarios passed" in proc.stdout
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["reaches billing"].find("failure") is None
    failure = cases["reaches tech support"].find("failure")
    assert failure is not None
    message = failure.get("message", "")
    assert "hands off to tech: never handed off to tech" in message
    assert "never says /billing/: billing said" in message
    transcript = cases["reaches billing"].findtext("system-out") or ""
    assert "user: I have a question about my invoice" in transcript
    assert "handoff front → billing" in transcript

    only_good = troupe(good, "--quiet", tmp_path=tmp_path)
    assert only_good.returncode == 0, only_good.stdout + only_good.stderr
    assert "1/1 scenarios passed" in only_good.stdout


def test_usage_errors_exit_2_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ncriteria:\n  - type: must_not_say\n    pattern: '('\n")
    proc = troupe(broken, tmp_path=tmp_path)
    assert proc.returncode == 2
    assert "broken.yaml: invalid scenario: criteria.0.must_not_say" in proc.stderr
    assert "invalid regular expression" in proc.stderr

    no_config = tmp_path / "no-config.json"
    no_config.write_text(json.dumps({"name": "x", "user": {"turns": ["hi"]}}))
    proc = troupe(no_config, tmp_path=tmp_path)
    assert proc.returncode == 2
    assert "no inline config and no template_id" in proc.stderr
