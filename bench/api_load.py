"""Session-start API load bench: ``POST /api/v1/sessions`` (what a user's browser sends from an
embed page) against the API started as in production, on a real PostgreSQL and Redis.

Starts everything itself on free loopback ports and stops it at the end: PostgreSQL, Redis
and LiveKit through ``scripts/services.sh`` (its own data folder; PostgreSQL with fsync on),
migrations and the demo seed (``troupe-api prestart``), then ``troupe-api serve --workers N``
(uvicorn, the command the API image runs). The seeded demo organization is put on the
``enterprise`` plan and the session-start rate limits are raised, so the figures measure the
route's work (deployment and origin check, the three rate-limit counters in Redis, quotas
under the organization's row lock, the session row, the resolved config of the demo's two
agents with their tools, the LiveKit token with its dispatch) rather than the limiter saying
no. The load comes from vegeta (a Go tool from the Go module proxy, installed into
``.tools/bin`` on first use), which costs far less CPU per request than a Python client on the
same two cores.

For each variant it runs, after a warm-up,
- a closed loop: ``--concurrency`` requests in flight for ``--duration`` seconds: the most
  requests per second the API serves, with p50/p99;
- an open loop at ``--rate`` requests per second (default 500, the issue's target): p50/p99
  when requests arrive at that rate whatever the answers take.

``--baseline REV`` (repeatable) adds a variant that runs the API's code of git revision ``REV``
(a temporary worktree put first on PYTHONPATH; same database, same services) so a change is
measured side by side with what it replaced, in one run; ``--no-tree`` leaves out the working
tree. The sessions table is emptied between variants.

    uv run python bench/api_load.py                         # this tree, 2 workers
    uv run python bench/api_load.py --baseline HEAD~3 --duration 20
    uv run python bench/api_load.py --no-tree --baseline 8e3c42c --baseline 28d3fd7

It prints one table and writes ``bench/results/api_load-<UTC>.json`` (machine, load average
before and after, git revision, every figure).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TOOLS_BIN = ROOT / ".tools" / "bin"
VEGETA_MODULE = "github.com/tsenart/vegeta/v12@v12.13.0"
RAISED_LIMIT = "1000000/minute"


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_mb": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "shared": "other work may run on this machine: read the load average with the figures",
    }


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True).stdout.strip()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def read_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    return env


def vegeta() -> str:
    """The vegeta binary: on PATH, in .tools/bin, or installed there from the Go module proxy."""
    found = shutil.which("vegeta") or shutil.which("vegeta", path=str(TOOLS_BIN))
    if found:
        return found
    if not shutil.which("go"):
        raise SystemExit("vegeta is not installed and Go is missing: run scripts/install.sh")
    print(f"installing {VEGETA_MODULE} into {TOOLS_BIN} ...", file=sys.stderr)
    TOOLS_BIN.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["go", "install", VEGETA_MODULE], env={**os.environ, "GOBIN": str(TOOLS_BIN)}, check=True
    )
    return str(TOOLS_BIN / "vegeta")


@dataclass
class Stack:
    """PostgreSQL, Redis and LiveKit of scripts/services.sh under ``work``."""

    work: Path
    env: dict[str, str] = field(default_factory=dict)

    def _script_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TROUPE_ENV_FILE": str(self.work / "env"),
            "TROUPE_DATA_DIR": str(self.work / "data"),
            "TROUPE_RUN_DIR": str(self.work / "run"),
        }

    def up(self) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "env.sh"), "test", str(self.work)],
            check=True,
            capture_output=True,
        )
        log = self.work / "services.log"
        with log.open("wb") as out:
            started = subprocess.run(
                [str(ROOT / "scripts" / "services.sh"), "up"],
                env=self._script_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        if started.returncode != 0:
            raise SystemExit(f"scripts/services.sh up failed:\n{log.read_text()[-3000:]}")
        self.env = read_env(self.work / "env")

    def down(self) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "services.sh"), "down"],
            env=self._script_env(),
            capture_output=True,
        )

    def process_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {
            **os.environ,
            **self.env,
            "TROUPE_ENV_FILE": str(self.work / "env"),
            "TROUPE_RATE_LIMIT_SESSION_START": RAISED_LIMIT,
            "TROUPE_RATE_LIMIT_SESSION_START_DEPLOYMENT": RAISED_LIMIT,
            "TROUPE_RATE_LIMIT_SESSION_START_ORG": RAISED_LIMIT,
            **(extra or {}),
        }

    def dsn(self) -> str:
        return self.env["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")


async def sql(dsn: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@dataclass
class Variant:
    name: str
    pythonpath: str | None = None
    """Source folders put first on PYTHONPATH (a baseline revision's API and contracts)."""
    revision: str = ""


def baseline_variant(rev: str, worktrees: Path) -> Variant:
    sha = git("rev-parse", rev)
    if not sha:
        raise SystemExit(f"unknown git revision {rev!r}")
    path = worktrees / sha[:12]
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), sha],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return Variant(
        f"baseline {sha[:9]}",
        pythonpath=f"{path / 'api' / 'src'}{os.pathsep}{path / 'contracts' / 'src'}",
        revision=sha,
    )


class Api:
    """``troupe-api serve --workers N`` in its own process group."""

    def __init__(self, stack: Stack, variant: Variant, workers: int, log: Path) -> None:
        self.stack, self.variant, self.workers, self.log = stack, variant, workers, log
        self.url = stack.env["TROUPE_API_URL"]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> None:
        import httpx

        extra = {"TROUPE_API_WORKERS": str(self.workers)}
        if self.variant.pythonpath:
            extra["PYTHONPATH"] = self.variant.pythonpath
        exe = shutil.which("troupe-api", path=str(Path(sys.executable).parent)) or "troupe-api"
        argv = [exe, "serve", "--workers", str(self.workers)]
        if self.variant.pythonpath:
            # an older revision's CLI may not know --workers: run uvicorn as serve does
            argv = [
                sys.executable,
                "-m",
                "uvicorn",
                "troupe_api.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                self.stack.env["TROUPE_API_PORT"],
                "--workers",
                str(self.workers),
                "--proxy-headers",
                "--no-access-log",
            ]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.stack.process_env(extra),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the API exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/v1/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.5)
        raise SystemExit(f"the API did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def attack(
    tool: str, targets: Path, *, duration_s: float, rate: int, concurrency: int
) -> dict[str, Any]:
    """One vegeta attack; its JSON report plus the figures we print (ms, req/s)."""
    argv = [
        tool,
        "attack",
        f"-targets={targets}",
        f"-duration={duration_s}s",
        "-timeout=10s",
        "-keepalive=true",
    ]
    if rate > 0:
        argv += [f"-rate={rate}/s", f"-workers={concurrency}"]
    else:  # closed loop: as fast as `concurrency` requests in flight allow
        argv += ["-rate=0", f"-workers={concurrency}", f"-max-workers={concurrency}"]
    raw = subprocess.run(argv, check=True, capture_output=True).stdout
    report = json.loads(
        subprocess.run(
            [tool, "report", "-type=json"], input=raw, check=True, capture_output=True
        ).stdout
    )
    lat = report["latencies"]
    codes = report.get("status_codes", {})
    return {
        "requests": report["requests"],
        "created_per_s": round(report["throughput"], 1),
        "sent_per_s": round(report["rate"], 1),
        "p50_ms": round(lat["50th"] / 1e6, 1),
        "p90_ms": round(lat["90th"] / 1e6, 1),
        "p99_ms": round(lat["99th"] / 1e6, 1),
        "max_ms": round(lat["max"] / 1e6, 1),
        "success": report["success"],
        "status_codes": codes,
        "errors": report.get("errors", [])[:5],
    }


def py_spy() -> list[str]:
    found = shutil.which("py-spy")
    return [found] if found else ["uvx", "--from", "py-spy==0.4.3", "py-spy"]


def start_profilers(api: Api, duration_s: float, work: Path) -> list[tuple[Any, Path]]:
    """``py-spy record`` (sampling, collapsed stacks) on every uvicorn worker process."""
    import psutil

    assert api.proc is not None
    profilers = []
    for child in psutil.Process(api.proc.pid).children(recursive=True):
        out = work / f"profile-{child.pid}.txt"
        cmd = [*py_spy(), "record", "--pid", str(child.pid), "--duration", str(int(duration_s))]
        cmd += ["--format", "raw", "--output", str(out), "--rate", "200", "--nonblocking"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        profilers.append((proc, out))
    return profilers


def finish_profilers(profilers: list[tuple[Any, Path]], name: str) -> dict[str, Any]:
    """Waits for the profiles; returns the functions with the most samples (inclusive and
    self) over all workers, and keeps the collapsed stacks in bench/results/."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    stacks: list[str] = []
    for proc, out in profilers:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=60)
        if not out.exists():
            continue
        for line in out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            total += n
            stacks.append(line)
            frames = stack.split(";")
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + n
            own[frames[-1]] = own.get(frames[-1], 0) + n
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}-profile.txt").write_text("\n".join(stacks) + "\n")

    def top(table: dict[str, int], n: int) -> list[list[Any]]:
        ranked = sorted(table.items(), key=lambda kv: -kv[1])[:n]
        return [[frame, round(100 * count / max(total, 1), 1)] for frame, count in ranked]

    return {"samples": total, "inclusive_pct": top(inclusive, 60), "self_pct": top(own, 30)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (default 2)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=16, help="closed loop: in flight")
    parser.add_argument("--rate", type=int, default=500, help="open loop: requests/s (0: off)")
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        help="git revision measured side by side (repeatable, in order)",
    )
    parser.add_argument(
        "--no-tree", action="store_true", help="measure only the --baseline revisions"
    )
    parser.add_argument("--name", default="api_load")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the API's workers during the closed loop"
    )
    args = parser.parse_args()

    tool = vegeta()
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    work = Path(tempfile.mkdtemp(prefix="troupe-api-load-"))
    work.chmod(0o755)  # PostgreSQL runs as its own user when we are root
    worktrees = work / "worktrees"
    stack = Stack(work)
    variants = [] if args.no_tree else [Variant("this tree")]
    report: dict[str, Any] = {
        "bench": "api_load",
        "route": "POST /api/v1/sessions (embed key, Origin, demo template: 2 agents with tools)",
        "started_at": started.isoformat(),
        "machine": machine(),
        "load_average_before": load_average(),
        "git": {
            "sha": git("rev-parse", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--", "api", "contracts", "bench")),
        },
        "settings": {
            "uvicorn_workers": args.workers,
            "duration_s": args.duration,
            "concurrency": args.concurrency,
            "open_loop_rate": args.rate,
            "rate_limits": RAISED_LIMIT,
            "plan": "enterprise",
            "postgres_fsync": "on",
        },
        "variants": [],
    }
    apis: list[Api] = []
    try:
        for i, rev in enumerate(args.baseline):
            variants.insert(i, baseline_variant(rev, worktrees))
        stack.up()
        # migrations and seed by the newest code measured (the last variant)
        newest = variants[-1].pythonpath
        prestart = subprocess.run(
            [sys.executable, "-m", "troupe_api.cli", "prestart"],
            cwd=ROOT,
            env=stack.process_env({"PYTHONPATH": newest} if newest else {}),
            check=True,
            capture_output=True,
            text=True,
        )
        demo = json.loads(prestart.stdout.strip().splitlines()[-1])
        dsn = stack.dsn()
        asyncio.run(sql(dsn, "UPDATE organizations SET plan = 'enterprise'"))
        body = work / "body.json"
        body.write_text(json.dumps({"embed_key": demo["embed_key"], "display_name": "Bench"}))
        targets = work / "targets.txt"
        targets.write_text(
            f"POST {stack.env['TROUPE_API_URL']}/api/v1/sessions\n"
            "Content-Type: application/json\n"
            f"Origin: {stack.env['TROUPE_WEB_URL']}\n"
            f"@{body}\n"
        )
        for variant in variants:
            asyncio.run(sql(dsn, "TRUNCATE sessions CASCADE"))
            api = Api(stack, variant, args.workers, work / f"api-{len(apis)}.log")
            apis.append(api)
            api.start()
            attack(tool, targets, duration_s=args.warmup, rate=0, concurrency=args.concurrency)
            row: dict[str, Any] = {"variant": variant.name, "revision": variant.revision}
            profilers = start_profilers(api, args.duration, work) if args.profile else []
            row["closed_loop"] = attack(
                tool, targets, duration_s=args.duration, rate=0, concurrency=args.concurrency
            )
            if profilers:
                row["profile"] = finish_profilers(profilers, f"{args.name}-{stamp}-{len(apis)}")
            if args.rate > 0:
                row["open_loop"] = attack(
                    tool,
                    targets,
                    duration_s=args.duration,
                    rate=args.rate,
                    concurrency=args.concurrency,
                )
            api.stop()
            report["variants"].append(row)
    finally:
        for api in apis:
            api.stop()
        stack.down()
        if worktrees.exists():
            for path in worktrees.iterdir():
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(path)],
                    cwd=ROOT,
                    capture_output=True,
                )
        report["load_average_after"] = load_average()
        shutil.rmtree(work, ignore_errors=True)

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{args.name}-{stamp}.json"
    out.write_text(json.dumps(report, indent=2))
    print(
        f"\nPOST /api/v1/sessions, {args.workers} uvicorn workers, load average "
        f"{report['load_average_before']} -> {report['load_average_after']}"
    )
    header = (
        f"{'variant':<22} {'closed: req/s':>13} {'p50':>7} {'p99':>7} {'ok':>6}   "
        f"{'open @' + str(args.rate) + '/s: got':>18} {'p50':>7} {'p99':>7} {'ok':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in report["variants"]:
        c = row["closed_loop"]
        o = row.get("open_loop")
        line = (
            f"{row['variant']:<22} {c['created_per_s']:>13} {c['p50_ms']:>7} {c['p99_ms']:>7} "
            f"{c['success']:>6.2f}"
        )
        if o:
            line += (
                f"   {o['created_per_s']:>18} {o['p50_ms']:>7} {o['p99_ms']:>7} "
                f"{o['success']:>6.2f}"
            )
        print(line)
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
