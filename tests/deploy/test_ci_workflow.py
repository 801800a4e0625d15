"""The hosted CI workflow runs exactly the README's test command, like `.ci/run`, on pull
requests, with the caches that keep it near the warm run time."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_hosted_ci_runs_make_test_on_pull_requests() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    # PyYAML reads the bare key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers
    steps = workflow["jobs"]["test"]["steps"]
    assert [s["run"] for s in steps if "run" in s] == ["make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
    cached = next(s for s in steps if s.get("uses", "").startswith("actions/cache"))["with"]
    for path in ("~/.cache/uv", "~/go/pkg/mod", ".tools"):
        assert path in cached["path"]
