"""Deployment files and operator scripts: the compose file validates, the LiveKit config
renders with every placeholder filled, and backup/restore really round-trips a database."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml

from tests.deploy.tools import compose_cmd

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_validates() -> None:
    cmd = compose_cmd()
    assert cmd, "docker compose (or docker-compose) must be installed by scripts/install.sh"
    env = {**os.environ, "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s" * 32}
    out = subprocess.run(
        [*cmd, "-f", str(ROOT / "deploy/docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    for service in ("postgres:", "redis:", "livekit:"):
        assert service in out.stdout


def test_compose_file_rejects_a_broken_file(tmp_path: Path) -> None:
    cmd = compose_cmd()
    assert cmd
    broken = tmp_path / "compose.yml"
    broken.write_text("services:\n  x:\n    ports: 12\n")
    out = subprocess.run([*cmd, "-f", str(broken), "config"], capture_output=True, text=True)
    assert out.returncode != 0


def test_livekit_config_renders_every_placeholder() -> None:
    env = {
        **os.environ,
        "TROUPE_LIVEKIT_PORT": "7880",
        "TROUPE_LIVEKIT_RTC_TCP_PORT": "7881",
        "TROUPE_LIVEKIT_RTC_UDP_START": "50000",
        "TROUPE_LIVEKIT_RTC_UDP_END": "50100",
        "TROUPE_LIVEKIT_PROMETHEUS_PORT": "6789",
        "LIVEKIT_API_KEY": "APIabc",
        "LIVEKIT_API_SECRET": "sec",
        "TROUPE_API_URL": "http://127.0.0.1:8000",
    }
    out = subprocess.run(
        ["python3", str(ROOT / "scripts/render.py"), str(ROOT / "deploy/livekit.yaml")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert not re.search(r"\$\{\w+\}", out)
    assert "APIabc: sec" in out
    assert "http://127.0.0.1:8000/api/v1/webhooks/livekit" in out
    assert yaml.safe_load(out)["prometheus"] == {"port": 6789}
    env.pop("LIVEKIT_API_SECRET")
    bad = subprocess.run(
        ["python3", str(ROOT / "scripts/render.py"), str(ROOT / "deploy/livekit.yaml")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode != 0 and "LIVEKIT_API_SECRET" in bad.stderr


def _psql(db: str, sql: str) -> str:
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    return subprocess.run(
        [
            str(pg_bin / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            os.environ["TROUPE_PG_PORT"],
            "-U",
            "troupe",
            "-d",
            db,
            "-tAc",
            sql,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PGPASSWORD": "troupe"},
    ).stdout.strip()


@pytest.mark.skipif(
    "TROUPE_PG_PORT" not in os.environ or "TROUPE_ENV_FILE" not in os.environ,
    reason="needs the Postgres started by `make test`",
)
def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    db = f"backup_{uuid.uuid4().hex[:8]}"
    _psql("postgres", f"CREATE DATABASE {db}")
    try:
        _psql(
            db,
            "CREATE TABLE notes (id int primary key, body text); INSERT INTO notes VALUES (1, 'kept')",
        )
        dump = tmp_path / "x.dump"
        env = {**os.environ, "TROUPE_DB_NAME": db}
        subprocess.run([str(ROOT / "scripts/db.sh"), "backup", str(dump)], check=True, env=env)
        assert dump.stat().st_size > 0
        _psql(db, "DELETE FROM notes; INSERT INTO notes VALUES (2, 'lost')")
        subprocess.run([str(ROOT / "scripts/db.sh"), "restore", str(dump)], check=True, env=env)
        assert _psql(db, "SELECT string_agg(id || ':' || body, ',') FROM notes") == "1:kept"
    finally:
        _psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
