"""Container images and the staging compose file: the compose file validates with every service
wired, and the Dockerfiles keep their promises (multi-stage, locked uv sync, non-root user,
healthcheck). Also the alert rules pass promtool."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.tools import HELM, INSTALL_HINT, ROOT, by_kind, compose_cmd, render, tool

DOCKER = ROOT / "deploy" / "docker"
STAGING = ROOT / "deploy" / "docker-compose.staging.yml"
STAGING_ENV = {
    "LIVEKIT_API_KEY": "APIstaging",
    "LIVEKIT_API_SECRET": "s" * 40,
    "TROUPE_PG_PASSWORD": "pg" * 10,
    "TROUPE_JWT_SECRET": "j" * 40,
    "TROUPE_RUNTIME_TOKEN": "r" * 40,
    "TROUPE_ENCRYPTION_KEY": "e" * 40,
}


def _config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = compose_cmd()
    assert cmd, "docker compose (or docker-compose) must be installed by scripts/install.sh"
    # Only what compose itself needs: the file must not pick up the caller's TROUPE_* / LIVEKIT_*
    # (`make test` exports TROUPE_ENV=test, for one).
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [*cmd, "-f", str(STAGING), "config"], capture_output=True, text=True, env={**clean, **env}
    )


def test_staging_compose_validates_with_every_service() -> None:
    out = _config(STAGING_ENV)
    assert out.returncode == 0, out.stderr
    services = yaml.safe_load(out.stdout)["services"]
    assert set(services) == {
        *("postgres", "redis", "livekit", "migrate", "api", "worker", "agent", "web"),
        *("loki", "alloy"),
    }
    assert services["worker"]["command"] == ["troupe-api", "worker"]
    assert services["migrate"]["command"] == ["troupe-api", "prestart"]
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    lk = yaml.safe_load(services["livekit"]["environment"]["LIVEKIT_CONFIG"])
    assert lk["redis"]["address"] == "redis:6379"
    assert lk["keys"] == {"APIstaging": "s" * 40}
    assert lk["webhook"]["urls"] == ["http://api:8000/api/v1/webhooks/livekit"]
    assert lk["prometheus"]["port"] == 6789
    assert lk["turn"] == {
        "enabled": True,
        "domain": "localhost",
        "tls_port": 5349,
        "udp_port": 3478,
        "external_tls": True,
    }
    for name in ("api", "migrate"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+asyncpg://troupe:")
        assert env["TROUPE_ENV"] == "production"
    # Published on loopback unless TROUPE_BIND says otherwise (compose v1: strings, v2: dicts).
    for published in (p for s in services.values() for p in s.get("ports", [])):
        host = published.get("host_ip") if isinstance(published, dict) else published.split(":")[0]
        assert host == "127.0.0.1", published


def test_staging_compose_refuses_missing_secrets() -> None:
    env = dict(STAGING_ENV)
    env.pop("TROUPE_JWT_SECRET")
    out = _config(env)
    assert out.returncode != 0 and "TROUPE_JWT_SECRET" in out.stderr


@pytest.mark.parametrize("name", ["api", "agent", "web"])
def test_dockerfile_is_multistage_nonroot_with_healthcheck(name: str) -> None:
    text = (DOCKER / f"{name}.Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w[\w-]*)", text, re.M)
    assert len(stages) >= 2 and stages[-1] == "runtime", stages
    runtime = text.split(" AS runtime", 1)[1]
    assert re.search(r"^USER (?!root|0\b)\S+", runtime, re.M)
    assert "HEALTHCHECK" in runtime
    assert (DOCKER / f"{name}.Dockerfile.dockerignore").exists()
    if name in ("api", "agent"):
        assert "uv==" in text and "uv sync --frozen --no-dev" in text
        assert "COPY pyproject.toml uv.lock" in text
    if name == "agent":
        assert "espeak-ng" in runtime
    if name == "web":
        assert "npm ci" in text and "npm run build" in text
        # the standalone server: no node_modules tree in the runtime stage
        assert "TROUPE_WEB_STANDALONE=1" in text and '"server.js"' in runtime
        assert "node_modules" not in runtime
        assert "TROUPE_WEB_STANDALONE" in (ROOT / "web/next.config.ts").read_text()


def test_alert_rules_pass_promtool() -> None:
    promtool = tool("promtool")
    if promtool is None:
        pytest.skip(f"promtool not installed; {INSTALL_HINT}")
    out = subprocess.run(
        [promtool, "check", "rules", str(ROOT / "deploy/observability/alerts.yml")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_promtool_rejects_a_broken_rule(tmp_path: Path) -> None:
    promtool = tool("promtool")
    if promtool is None:
        pytest.skip(f"promtool not installed; {INSTALL_HINT}")
    bad = tmp_path / "bad.yml"
    bad.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: rate(\n")
    assert subprocess.run([promtool, "check", "rules", str(bad)], capture_output=True).returncode


def test_every_long_running_process_of_procfile_dev_runs_in_staging_and_helm() -> None:
    """What `make dev` runs is what staging and production run: each Procfile.dev command has a
    compose service and a chart workload with the same command (the web app and LiveKit are
    served by their own images; Postgres and Redis are services of their own)."""
    procfile = (ROOT / "Procfile.dev").read_text().splitlines()
    commands = {
        name: cmd.replace("uv run --frozen ", "").split()
        for name, cmd in (line.split(": ", 1) for line in procfile if line.strip())
    }
    assert set(commands) == {"api", "agent", "web", "worker"}
    out = _config(STAGING_ENV)
    assert out.returncode == 0, out.stderr
    services = yaml.safe_load(out.stdout)["services"]
    compose_commands = [s.get("command") for s in services.values()]
    assert ["troupe-api", "worker"] in compose_commands
    assert {"api", "agent", "web", "worker"} <= set(services)
    assert HELM, "helm is installed by scripts/install.sh"
    deployments = by_kind(render("production"), "Deployment")
    chart_commands = [
        c.get("command", [])
        for d in deployments.values()
        for c in d["spec"]["template"]["spec"]["containers"]
    ]
    for name in ("api", "agent", "worker"):
        head = commands[name][:2]
        assert any(cmd[:2] == head for cmd in chart_commands), (name, chart_commands)
    assert any(name.endswith("-web") for name in deployments)
