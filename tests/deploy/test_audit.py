"""`make audit` (scripts/audit.sh): the lock files checked against an OSV database snapshot with
no network. The snapshots here are tiny OSV exports written by the test, so what is asserted is
the whole path: lock file parsing, version-range matching, exit codes and the report."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.deploy.tools import INSTALL_HINT, ROOT, tool

pytestmark = pytest.mark.skipif(tool("osv-scanner") is None, reason=f"osv-scanner: {INSTALL_HINT}")


def _locked_python(name: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return next(p["version"] for p in lock["package"] if p["name"] == name)


def _locked_npm(name: str) -> str:
    lock = json.loads((ROOT / "web/package-lock.json").read_text())
    return str(lock["packages"][f"node_modules/{name}"]["version"])


def _snapshot(db: Path, advisories: dict[str, list[tuple[str, str, str, str]]]) -> Path:
    """``{ecosystem: [(id, package, introduced, fixed)]}`` as OSV all.zip exports."""
    for eco, items in advisories.items():
        folder = db / "osv-scalibr" / eco
        folder.mkdir(parents=True)
        with zipfile.ZipFile(folder / "all.zip", "w") as zf:
            for vid, package, introduced, fixed in items:
                events = [{"introduced": introduced}, {"fixed": fixed}]
                zf.writestr(
                    f"{vid}.json",
                    json.dumps(
                        {
                            "schema_version": "1.6.0",
                            "id": vid,
                            "modified": "2026-11-01T00:00:00Z",
                            "summary": "test advisory",
                            "affected": [
                                {
                                    "package": {"ecosystem": eco, "name": package},
                                    "ranges": [{"type": "ECOSYSTEM", "events": events}],
                                }
                            ],
                        }
                    ),
                )
    return db


def _audit(db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TROUPE_OSV_DB": str(db)}
    return subprocess.run(
        ["bash", str(ROOT / "scripts/audit.sh")], capture_output=True, text=True, env=env
    )


def test_a_vulnerable_locked_version_fails_the_audit(tmp_path: Path) -> None:
    httpx, nxt = _locked_python("httpx"), _locked_npm("next")
    db = _snapshot(
        tmp_path,
        {
            "PyPI": [("TEST-PY-1", "httpx", "0", "999.0")],
            "npm": [("TEST-NPM-1", "next", "0", "999.0.0")],
        },
    )
    out = _audit(db)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "TEST-PY-1" in out.stdout and httpx in out.stdout
    assert "TEST-NPM-1" in out.stdout and nxt in out.stdout


def test_advisories_fixed_before_our_versions_pass(tmp_path: Path) -> None:
    db = _snapshot(
        tmp_path,
        {
            "PyPI": [("TEST-PY-OLD", "httpx", "0", "0.0.1")],
            "npm": [("TEST-NPM-OLD", "next", "0", "0.0.1")],
        },
    )
    out = _audit(db)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "TEST-PY-OLD" not in out.stdout and "No issues found" in out.stdout


def test_no_snapshot_says_how_to_get_one(tmp_path: Path) -> None:
    out = _audit(tmp_path / "empty")
    assert out.returncode == 2
    assert "no OSV snapshot for PyPI npm" in out.stderr and "--download" in out.stderr
