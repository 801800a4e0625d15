"""Where the deploy tools live (scripts/install.sh puts them in .tools/) and how to turn the
Kubernetes JSON schemas bundled in the `kubernetes-validate` package into the standalone schemas
kubeconform reads, so validation needs no network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools"
K8S_VERSION = "1.33.0"
SCHEMAS = TOOLS / "k8s-schemas" / "kubernetes_validate" / "kubernetes-json-schema"
INSTALL_HINT = "install it with scripts/install.sh"
CHART = ROOT / "deploy" / "helm" / "troupe"


def tool(name: str) -> str | None:
    local = TOOLS / "bin" / name
    return str(local) if local.exists() else shutil.which(name)


def _kind_suffix(api_version: str) -> str:
    # kubeconform's file naming: deployment-apps-v1.json, configmap-v1.json,
    # ingress-networking-v1.json (group up to the first dot).
    if "/" not in api_version:
        return f"-{api_version}"
    group, version = api_version.split("/")
    return f"-{group.split('.')[0]}-{version}"


def standalone_schemas(docs: list[dict[str, Any]], out: Path, version: str = K8S_VERSION) -> Path:
    """Writes ``<kind><suffix>.json`` standalone strict schemas for the kinds in ``docs``."""
    src = SCHEMAS / f"v{version}-local-strict"
    defs: dict[str, Any] = json.loads((src / "_definitions.json").read_text())["$defs"]
    out.mkdir(parents=True, exist_ok=True)
    for kind, api_version in {(d["kind"], d["apiVersion"]) for d in docs}:
        name = f"{kind.lower()}{_kind_suffix(api_version)}.json"
        if not (src / name).exists():
            continue  # kubeconform then reports the missing schema: the test fails
        text = (src / name).read_text().replace("/api/_definitions.json#/$defs/", "#/$defs/")
        schema = json.loads(text)
        schema.pop("$id", None)
        needed: dict[str, Any] = {}
        todo = set(re.findall(r'"#/\$defs/([^"]+)"', text))
        while todo:
            ref = todo.pop()
            if ref in needed:
                continue
            needed[ref] = defs[ref]
            todo |= set(re.findall(r'"#/\$defs/([^"]+)"', json.dumps(defs[ref]))) - set(needed)
        schema["$defs"] = needed
        (out / name).write_text(json.dumps(schema))
    return out


def run_isolated(script: str, env: dict[str, str]) -> str:
    """Run ``script`` in a fresh interpreter of this environment with only ``env`` (plus a
    minimal PATH) and return its stdout; fails with the tail of its stderr. For tests of code
    that installs process-wide hooks (tracer providers, error reporting)."""
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


HELM = tool("helm")


def render(env: str, *extra: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        [HELM, "template", "troupe", str(CHART), "--kube-version", K8S_VERSION,
         "-f", str(CHART / f"values-{env}.yaml"), *extra],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def compose_cmd() -> list[str] | None:
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None
