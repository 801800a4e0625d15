"""The Helm chart lints and renders for every values file, and every rendered manifest is valid
against the Kubernetes 1.33 schemas (kubeconform -strict, schemas bundled offline). Structural
checks pin what the chart promises: HPAs, the migrations hook, non-root pods, TLS ingress."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.tools import (
    CHART,
    HELM,
    INSTALL_HINT,
    K8S_VERSION,
    SCHEMAS,
    by_kind,
    render,
    standalone_schemas,
    tool,
)

ENVS = ("dev", "staging", "production")
KUBECONFORM = tool("kubeconform")

needs_helm = pytest.mark.skipif(HELM is None, reason=f"helm not installed; {INSTALL_HINT}")


@needs_helm
@pytest.mark.parametrize("env", ENVS)
def test_helm_lint(env: str) -> None:
    out = subprocess.run(
        [HELM, "lint", "--strict", str(CHART), "-f", str(CHART / f"values-{env}.yaml"),
         "--kube-version", K8S_VERSION],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


@needs_helm
@pytest.mark.skipif(KUBECONFORM is None, reason=f"kubeconform not installed; {INSTALL_HINT}")
@pytest.mark.skipif(
    not (SCHEMAS / f"v{K8S_VERSION}-local-strict").exists(),
    reason=f"Kubernetes schemas (kubernetes-validate package) not installed; {INSTALL_HINT}",
)
@pytest.mark.parametrize("env", ENVS)
def test_rendered_manifests_validate_with_kubeconform(env: str, tmp_path: Path) -> None:
    docs = render(env)
    manifest = tmp_path / "rendered.yaml"
    manifest.write_text(yaml.safe_dump_all(docs))
    schemas = standalone_schemas(docs, tmp_path / "schemas")
    out = subprocess.run(
        [KUBECONFORM, "-strict", "-summary", "-output", "text",
         "-schema-location", str(schemas) + "/{{ .ResourceKind }}{{ .KindSuffix }}.json",
         str(manifest)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Valid: {len(docs)}," in out.stdout, out.stdout


@needs_helm
@pytest.mark.skipif(KUBECONFORM is None, reason=f"kubeconform not installed; {INSTALL_HINT}")
def test_kubeconform_rejects_an_invalid_manifest(tmp_path: Path) -> None:
    bad = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"replicas": "two", "selector": {}, "template": {}, "unknownField": 1},
    }
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(yaml.safe_dump(bad))
    schemas = standalone_schemas([bad], tmp_path / "schemas")
    out = subprocess.run(
        [KUBECONFORM, "-strict", "-schema-location",
         str(schemas) + "/{{ .ResourceKind }}{{ .KindSuffix }}.json", str(manifest)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode != 0


@needs_helm
@pytest.mark.parametrize("env", ENVS)
def test_chart_shape(env: str) -> None:
    docs = render(env)
    deployments = by_kind(docs, "Deployment")
    assert {"troupe-api", "troupe-agent", "troupe-web", "troupe-livekit"} <= set(deployments)
    jobs_worker = deployments["troupe-jobs"]["spec"]["template"]["spec"]["containers"][0]
    assert jobs_worker["command"] == ["troupe-api", "worker"] and jobs_worker["resources"]
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    if env != "dev":
        assert {"troupe-api", "troupe-agent"} <= set(hpas)
        agent_hpa = hpas["troupe-agent"]["spec"]
        assert agent_hpa["metrics"][0]["resource"]["name"] == "cpu"
        sessions = agent_hpa["metrics"][1]["pods"]
        assert sessions["metric"]["name"] == "troupe_agent_sessions_active"
        assert sessions["target"] == {"type": "AverageValue", "averageValue": "8"}
        assert agent_hpa["scaleTargetRef"]["name"] == "troupe-agent"
    # migrations: a pre-install/pre-upgrade hook outside dev; config + secret exist before it
    jobs = [d for d in docs if d["kind"] == "Job"]
    assert len(jobs) == 1 and jobs[0]["spec"]["template"]["spec"]["containers"][0]["command"] == [
        "troupe-api",
        "prestart",
    ]
    if env != "dev":
        hook = jobs[0]["metadata"]["annotations"]
        assert hook["helm.sh/hook"] == "pre-install,pre-upgrade"
        config = by_kind(docs, "ConfigMap")["troupe-config"]["metadata"]["annotations"]
        assert int(config["helm.sh/hook-weight"]) < int(hook["helm.sh/hook-weight"])
        assert not by_kind(docs, "Secret"), "production/staging secrets come from existingSecret"
    # pods run as non-root with a read-only root filesystem (dev databases excepted)
    for name, d in deployments.items():
        pod = d["spec"]["template"]["spec"]
        if name in ("troupe-redis",):
            continue
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for c in pod["containers"]:
            assert c["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"], name
            # LiveKit's probes are its own; the job worker serves no port (the queue retries).
            if name not in ("troupe-livekit", "troupe-jobs"):
                assert c.get("readinessProbe") and c.get("resources"), name
    agent = deployments["troupe-agent"]["spec"]["template"]["spec"]
    assert agent["terminationGracePeriodSeconds"] >= (30 if env == "dev" else 600)
    # ingress: TLS outside dev, /metrics never routed
    ingress = next(iter(by_kind(docs, "Ingress").values()))["spec"]
    assert bool(ingress.get("tls")) == (env != "dev")
    paths = [p["path"] for r in ingress["rules"] for p in r["http"]["paths"]]
    assert "/metrics" not in paths and "/api" in paths
    # LiveKit: multi-node through Redis outside dev
    lk_config = yaml.safe_load(by_kind(docs, "ConfigMap")["troupe-livekit"]["data"]["livekit.yaml"])
    assert lk_config["webhook"]["urls"] == ["http://troupe-api:8000/api/v1/webhooks/livekit"]
    if env != "dev":
        assert deployments["troupe-livekit"]["spec"]["replicas"] >= 2
        assert lk_config["redis"]["address"]
    if env == "production":
        # TURN for firewalled users: TLS (behind the load balancer's 443) and UDP
        assert lk_config["turn"]["enabled"] is True and lk_config["turn"]["external_tls"] is True
        lk_ports = {
            p["name"]: p
            for p in deployments["troupe-livekit"]["spec"]["template"]["spec"]["containers"][0][
                "ports"
            ]
        }
        assert lk_ports["turn-udp"]["protocol"] == "UDP" and "turn-tls" in lk_ports


@needs_helm
def test_chart_refuses_unsafe_values() -> None:
    def fails(*args: str) -> str:
        out = subprocess.run(
            [HELM, "template", "troupe", str(CHART), "--kube-version", K8S_VERSION, *args],
            capture_output=True, text=True,
        )  # fmt: skip
        assert out.returncode != 0
        return out.stderr

    assert "existingSecret" in fails()
    assert "redisAddress" in fails(
        "--set", "secrets.existingSecret=x", "--set", "livekit.replicas=3"
    )
    assert "TROUPE_JWT_SECRET" in fails(
        "-f", str(CHART / "values-dev.yaml"), "--set", "secrets.values.TROUPE_JWT_SECRET="
    )
