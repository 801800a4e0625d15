"""Load bench: N concurrent voice sessions against one worker on a real LiveKit server.

Starts everything itself on free loopback ports and stops it at the end (reusing the voice
latency bench's pieces): ``livekit-server``, a stand-in for the API's runtime endpoints, and one
``troupe-agent start`` worker with the fake providers (``fake/instant`` STT, ``fake/echo`` LLM,
``fake/tone`` TTS), so the figures are the platform's own overhead, not a model's, and then,
with ``--sets fake,local``, the local models (Whisper tiny, SmolLM2, Piper). For each
concurrency level it runs that many sessions at once (Python participants that speak Piper
speech, as in bench/voice_latency.py) and reports

- turn latency p50/p95: end of user speech -> first agent audio frame, as heard in the room;
- CPU per session: CPU seconds used by the worker's whole process tree (psutil, sampled every
  0.25 s so job processes that exit are still counted) during the level, divided by sessions;
- memory: the worker tree's PSS (proportional set size: shared model pages counted once),
  sampled every second; MB per session = (peak during the level - the idle worker before it) /
  sessions. With ``--executor thread`` (the default here) every job is a thread of one process
  that loads the models once; ``--executor process`` is livekit's process per job;
- log delivery: every session's log reached the stand-in API with its final batch and no gap
  in the entry sequence (nothing lost).

    uv run python bench/load.py                     # fake 1,10,20,40 then local 1,2,4,6,10
    uv run python bench/load.py --sets fake --levels 1,2,4,8 --turns 3
    uv run python bench/load.py --executor process --sets fake,local --levels 1,2,4

It prints, per provider set, the sessions per worker at which turn p95 doubles against the first
level of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from troupe_agent.simulation.voice_user import speech_frames

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the sibling bench: LiveKit, the stand-in API, the scripted user sessions
import voice_latency as vl


class TreeCpu:
    """CPU seconds used by a process and all its descendants, robust to children exiting, and
    the tree's memory (PSS, MB), sampled every second."""

    def __init__(self, *pids: int) -> None:
        self.roots = [psutil.Process(pid) for pid in pids]
        self.latest: dict[int, float] = {}
        self._task: asyncio.Task[None] | None = None
        self.mem_peak_mb = 0.0
        self._mem_at = 0.0

    def memory_mb(self) -> float:
        total = 0
        for p in self.procs():
            with contextlib.suppress(psutil.Error):
                info = p.memory_full_info()
                total += getattr(info, "pss", info.rss)
        return total / 2**20

    def procs(self) -> list[psutil.Process]:
        out: list[psutil.Process] = []
        for root in self.roots:
            with contextlib.suppress(psutil.Error):
                out += [root, *root.children(recursive=True)]
        return out

    def reset_peak(self) -> float:
        """The memory now, which becomes the peak to beat."""
        self.mem_peak_mb = self.memory_mb()
        return self.mem_peak_mb

    def sample(self) -> None:
        for p in self.procs():
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                self.latest[p.pid] = t.user + t.system

    def snapshot(self) -> dict[int, float]:
        self.sample()
        return dict(self.latest)

    @staticmethod
    def used(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(v - before.get(pid, 0.0) for pid, v in after.items())

    def start(self) -> None:
        async def run() -> None:
            while True:
                self.sample()
                if time.perf_counter() - self._mem_at > 1.0:
                    self._mem_at = time.perf_counter()
                    self.mem_peak_mb = max(self.mem_peak_mb, self.memory_mb())
                await asyncio.sleep(0.25)

        self._task = asyncio.create_task(run())

    async def aclose(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


WORKERS_KEY = "TROUPE_BENCH_WORKERS"
"""A variant key, not a worker env: how many worker processes share the LiveKit server (e.g.
``two-workers:TROUPE_BENCH_WORKERS=2``). With the thread executor one worker process runs every
job on one GIL, so a second process can use the second core."""


class WorkerLogs(vl.WorkerLog):
    """The JSON logs of several worker processes read as one."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(paths[0])
        self.paths = paths

    def records(self) -> list[dict[str, Any]]:
        return [r for path in self.paths for r in vl.WorkerLog(path).records()]

    def jobs_per_worker(self) -> list[int]:
        return [
            len({r.get("session_id") for r in vl.WorkerLog(p).records() if r.get("session_id")})
            for p in self.paths
        ]


@dataclass
class Level:
    concurrency: int
    sessions: list[vl.SessionResult] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    logs_complete: int = 0
    mem_idle_mb: float = 0.0
    mem_peak_mb: float = 0.0
    client_cpu_s: float = 0.0
    """CPU of this bench process: the simulated users (one asyncio loop, one GIL)."""
    livekit_cpu_s: float = 0.0

    def turns(self) -> list[float]:
        return [t["first_audio_ms"] for r in self.sessions for t in r.turns if t["first_audio_ms"]]

    def summary(self) -> dict[str, Any]:
        turns = self.turns()
        e2e = [
            m["e2e_latency_ms"]
            for r in self.sessions
            for m in r.turn_metrics
            if m.get("e2e_latency_ms") is not None
        ]
        return {
            "concurrency": self.concurrency,
            "sessions": len(self.sessions),
            "failed": sum(1 for r in self.sessions if r.error),
            "turns": len(turns),
            "turns_missing_audio": sum(
                1 for r in self.sessions for t in r.turns if not t["first_audio_ms"]
            ),
            "turn_ms": vl.summary(turns),
            "greeting_ms": vl.summary([r.greeting_ms for r in self.sessions if r.greeting_ms]),
            "agent_e2e_ms": vl.summary(e2e),
            "wall_s": round(self.wall_s, 1),
            "cpu_s": round(self.cpu_s, 2),
            "cpu_s_per_session": round(self.cpu_s / max(len(self.sessions), 1), 2),
            "avg_cores": round(self.cpu_s / self.wall_s, 2) if self.wall_s else None,
            "client_avg_cores": round(self.client_cpu_s / self.wall_s, 2) if self.wall_s else None,
            "livekit_avg_cores": round(self.livekit_cpu_s / self.wall_s, 2)
            if self.wall_s
            else None,
            "mem_idle_mb": round(self.mem_idle_mb),
            "mem_peak_mb": round(self.mem_peak_mb),
            "mb_per_session": round(
                max(self.mem_peak_mb - self.mem_idle_mb, 0.0) / max(len(self.sessions), 1), 1
            ),
            "logs_complete": self.logs_complete,
        }


def log_complete(api: vl.FakeRuntimeApi, session_id: str) -> bool:
    """The final batch arrived and the entries' sequence numbers have no gap."""
    if not api.final(session_id):
        return False
    seqs = sorted({e["seq"] for b in api.batches.get(session_id, []) for e in b["entries"]})
    return bool(seqs) and seqs == list(range(seqs[0], seqs[0] + len(seqs)))


def table(levels: list[dict[str, Any]]) -> str:
    head = (
        f"{'sessions':>8} {'ok':>4} {'turns':>5} {'turn p50':>9} {'turn p95':>9} {'p95/L1':>7} "
        f"{'greet p50':>9} {'agent e2e p50':>13} {'CPU s/sess':>10} {'avg cores':>9} "
        f"{'client cores':>12} {'LiveKit cores':>13} {'MB/sess':>8} {'MB peak':>8} "
        f"{'logs complete':>13}"
    )
    lines = [head, "-" * len(head)]
    base = levels[0]["turn_ms"]["p95"] if levels else None
    for s in levels:
        p95 = s["turn_ms"]["p95"]
        ratio = f"{p95 / base:.2f}" if p95 is not None and base else "—"
        lines.append(
            f"{s['concurrency']:>8} {s['sessions'] - s['failed']:>4} {s['turns']:>5} "
            f"{vl.fmt(s['turn_ms']['p50']):>9} {vl.fmt(p95):>9} {ratio:>7} "
            f"{vl.fmt(s['greeting_ms']['p50']):>9} {vl.fmt(s['agent_e2e_ms']['p50']):>13} "
            f"{s['cpu_s_per_session']:>10.2f} {s['avg_cores'] or 0:>9.2f} "
            f"{s['client_avg_cores'] or 0:>12.2f} {s['livekit_avg_cores'] or 0:>13.2f} "
            f"{s['mb_per_session']:>8.1f} {s['mem_peak_mb']:>8} "
            f"{s['logs_complete']:>6}/{s['sessions']:<6}"
        )
    lines.append(
        "latencies in ms (turn: end of user speech -> first agent audio in the room); "
        "MB/sess: (tree PSS peak - idle worker) / sessions; avg cores: the worker(s); client "
        "cores: this bench's simulated users (one process: near 1.0 it is the bottleneck, not the "
        "worker); LiveKit cores: livekit-server"
    )
    return "\n".join(lines)


def p95_doubles_at(levels: list[dict[str, Any]]) -> int | None:
    """The first concurrency whose turn p95 is at least twice the first level's (None: never)."""
    base = levels[0]["turn_ms"]["p95"] if levels else None
    if not base:
        return None
    return next(
        (
            s["concurrency"]
            for s in levels[1:]
            if s["turn_ms"]["p95"] is not None and s["turn_ms"]["p95"] >= 2 * base
        ),
        None,
    )


async def worker_metrics(port: int) -> dict[str, float]:
    """A few totals from the worker's own Prometheus endpoint (checks the metrics hook live)."""
    import aiohttp

    wanted = (
        "troupe_agent_sessions_started_total",
        "troupe_agent_sessions_active",
        'troupe_agent_turn_latency_seconds_count{stage="e2e"}',
        'troupe_agent_turn_latency_seconds_sum{stage="e2e"}',
        "lk_agents_active_job_count",
    )
    out: dict[str, float] = {}
    with contextlib.suppress(Exception):
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/metrics") as r,
        ):
            for line in (await r.text()).splitlines():
                name, _, value = line.rpartition(" ")
                key = next((w for w in wanted if name == w or name.startswith(w + "{")), None)
                if key and not line.startswith("#"):
                    out[key] = out.get(key, 0.0) + float(value)
    return out


async def run(
    args: argparse.Namespace,
    report: dict[str, Any],
    variant: str = "",
    worker_env: dict[str, str] | None = None,
) -> int:
    sets = vl.provider_sets([x.strip() for x in args.sets.split(",") if x.strip()])
    per_set = {
        "fake": args.levels or args.fake_levels,
        "local": args.levels or args.local_levels,
    }
    set_levels = {
        ps.name: [int(x) for x in per_set[ps.name].split(",") if x.strip()] for ps in sets
    }
    levels = sorted({n for ls in set_levels.values() for n in ls})
    stamp = report["started_at"]
    run_dir = vl.RESULTS / (f"load-{stamp}-{variant}" if variant else f"load-{stamp}")
    run_dir.mkdir(parents=True)
    children: list[vl.Process] = []
    runner = None
    cpu: TreeCpu | None = None
    spool = Path(tempfile.mkdtemp(prefix="troupe-load-spool-"))
    metrics_dir = Path(tempfile.mkdtemp(prefix="troupe-load-metrics-"))
    try:
        lk, url, key, secret = await vl.start_livekit(run_dir)
        children.append(lk)
        fake_api = vl.FakeRuntimeApi()
        api_port = vl.free_port()
        runner = await fake_api.start(api_port)
        worker_env = dict(worker_env or {})
        n_workers = max(1, int(worker_env.pop(WORKERS_KEY, "1")))
        worker_log = WorkerLogs(
            [
                run_dir / ("worker.log" if i == 0 else f"worker-{i + 1}.log")
                for i in range(n_workers)
            ]
        )
        exe = shutil.which("troupe-agent", path=str(Path(sys.executable).parent)) or ""
        argv = [exe, "start"] if exe else [sys.executable, "-m", "troupe_agent.worker", "start"]
        env = {
            **os.environ,
            "LIVEKIT_URL": url,
            "LIVEKIT_API_KEY": key,
            "LIVEKIT_API_SECRET": secret,
            "TROUPE_API_URL": f"http://127.0.0.1:{api_port}",
            "TROUPE_RUNTIME_TOKEN": secrets.token_hex(8),
            "TROUPE_ENABLE_TEST_PROVIDERS": "true",
            # one prewarmed job process (or runner) per concurrent session: sessions never wait
            # for one, whichever worker LiveKit gives them to
            "TROUPE_AGENT_NUM_IDLE_PROCESSES": str(
                max(levels) if args.executor == "thread" else -(-max(levels) // n_workers)
            ),
            # never refuse a job for CPU load: the bench measures what the load costs (on a
            # small machine livekit's CPU-based availability check would refuse the level)
            "TROUPE_AGENT_LOAD_THRESHOLD": "inf",
            "TROUPE_AGENT_SPOOL_DIR": str(spool),
            "TROUPE_FAKE_STT_SCRIPT": json.dumps(vl.SENTENCES),
            "TROUPE_AGENT_JOB_EXECUTOR": args.executor,
            "TROUPE_SIMULATIONS_ENABLED": "false",
            **worker_env,
        }
        workers: list[vl.Process] = []
        metrics_ports: list[int] = []
        for i, path in enumerate(worker_log.paths):
            # each worker's Prometheus endpoint (its job processes aggregated), read at the end
            metrics_ports.append(vl.free_port())
            (metrics_dir / str(i)).mkdir()
            worker_env_i = {
                **env,
                "TROUPE_AGENT_HEALTH_PORT": str(vl.free_port()),
                "TROUPE_AGENT_METRICS_PORT": str(metrics_ports[-1]),
                "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir / str(i)),
            }
            workers.append(await vl.spawn(path.stem, argv, path, worker_env_i))
        children += workers
        vl.log(
            f"livekit {url}; {n_workers} worker(s), pids {[w.proc.pid for w in workers]}; "
            f"waiting for {max(levels)} processes"
        )
        deadline = time.perf_counter() + 180
        wanted = max(levels)
        while (
            worker_log.processes_ready() < wanted
            or worker_log.count("registered worker") < n_workers
        ):
            if time.perf_counter() > deadline or any(
                w.proc.returncode is not None for w in workers
            ):
                raise RuntimeError(f"worker processes not ready; see {worker_log.path}")
            await asyncio.sleep(0.5)
        speech = [(s, speech_frames(s)) for s in vl.SENTENCES]
        await asyncio.sleep(3.0)  # let the worker's CPU average forget the prewarm
        cpu = TreeCpu(*(w.proc.pid for w in workers))
        cpu.start()
        client = psutil.Process(os.getpid())
        livekit = psutil.Process(lk.proc.pid)

        def own_cpu(p: psutil.Process) -> float:
            t = p.cpu_times()
            return t.user + t.system

        jobs = 0
        by_set: dict[str, list[Level]] = {}
        for ps, n in [(s_, n) for s_ in sets for n in set_levels[s_.name]]:
            results = by_set.setdefault(ps.name, [])
            # every session of the level gets a prewarmed process (jobs so far + n)
            deadline = time.perf_counter() + 120
            while worker_log.processes_ready() < jobs + n:
                if time.perf_counter() > deadline:
                    vl.log(f"  only {worker_log.processes_ready() - jobs} idle processes")
                    break
                await asyncio.sleep(0.25)
            await asyncio.sleep(1.0)  # let the prewarm CPU settle out of the measurement
            level = Level(n)
            level.mem_idle_mb = cpu.reset_peak()
            before, t0 = cpu.snapshot(), time.perf_counter()
            client0, livekit0 = own_cpu(client), own_cpu(livekit)
            level.sessions = list(
                await asyncio.gather(
                    *(
                        vl.run_session(
                            ps,
                            url,
                            key,
                            secret,
                            fake_api,
                            worker_log,
                            speech,
                            args.turns,
                            args.reply_wait,
                        )
                        for _ in range(n)
                    )
                )
            )
            level.wall_s = time.perf_counter() - t0
            level.cpu_s = TreeCpu.used(before, cpu.snapshot())
            level.client_cpu_s = own_cpu(client) - client0
            level.livekit_cpu_s = own_cpu(livekit) - livekit0
            level.mem_peak_mb = max(cpu.mem_peak_mb, cpu.memory_mb())
            jobs += n
            level.logs_complete = sum(log_complete(fake_api, r.session_id) for r in level.sessions)
            results.append(level)
            s = level.summary()
            vl.log(
                f"{ps.name} level {n}: turn p50 {vl.fmt(s['turn_ms']['p50'])} ms p95 "
                f"{vl.fmt(s['turn_ms']['p95'])} ms, CPU {s['cpu_s_per_session']} s/session, "
                f"logs {s['logs_complete']}/{n}, failed {s['failed']}"
            )
        summaries: list[dict[str, Any]] = []
        for name, results in by_set.items():
            set_summaries = [lv.summary() for lv in results]
            doubling = p95_doubles_at(set_summaries)
            report.setdefault("sets", {})[name] = {
                "levels": set_summaries,
                "p95_doubles_at_sessions": doubling,
                "sessions": {lv.concurrency: [r.__dict__ for r in lv.sessions] for lv in results},
            }
            summaries += set_summaries
            label = f"{name} [{variant}]" if variant else name
            print(f"\n{label}: {next(ps.note for ps in sets if ps.name == name)}")
            print(table(set_summaries))
            print(
                "sessions per worker at which turn p95 doubles (vs the first level, same run): "
                + (
                    str(doubling)
                    if doubling is not None
                    else f"not reached up to {set_levels[name][-1]}"
                )
            )
        report["jobs_per_worker"] = worker_log.jobs_per_worker()
        report["worker_metrics"] = {}
        for port in metrics_ports:
            for k, v in (await worker_metrics(port)).items():
                report["worker_metrics"][k] = report["worker_metrics"].get(k, 0.0) + v
        if n_workers > 1:
            print(f"sessions per worker process: {report['jobs_per_worker']}")
        print(
            "worker /metrics: " + ", ".join(f"{k}={v}" for k, v in report["worker_metrics"].items())
        )
        ok = all(
            s["failed"] == 0
            and s["turns_missing_audio"] == 0
            and s["logs_complete"] == s["sessions"]
            for s in summaries
        )
        return 0 if ok else 1
    finally:
        if cpu is not None:
            await cpu.aclose()
        for child in reversed(children):
            report.setdefault("shutdown", {})[child.name] = await child.stop(
                40 if child.name.startswith("worker") else 10
            )
        if runner is not None:
            await runner.cleanup()
        shutil.rmtree(spool, ignore_errors=True)
        shutil.rmtree(metrics_dir, ignore_errors=True)


def parse_variants(spec: str) -> list[tuple[str, dict[str, str]]]:
    out: list[tuple[str, dict[str, str]]] = []
    for part in (x.strip() for x in spec.split(",") if x.strip()):
        name, _, assignments = part.partition(":")
        env = dict(a.split("=", 1) for a in assignments.split("+") if "=" in a)
        out.append((name, env))
    return out


def comparison(by_variant: dict[str, dict[str, Any]]) -> str:
    """One line per set and level: turn p95 and failures of every variant."""
    lines: list[str] = []
    names = list(by_variant)
    sets = sorted({s for v in by_variant.values() for s in v.get("sets", {})})
    for set_name in sets:
        levels = sorted(
            {
                lv["sessions"]
                for v in by_variant.values()
                for lv in v.get("sets", {}).get(set_name, {}).get("levels", [])
            }
        )
        for n in levels:
            cells = []
            for name in names:
                lv = next(
                    (
                        x
                        for x in by_variant[name]
                        .get("sets", {})
                        .get(set_name, {})
                        .get("levels", [])
                        if x["sessions"] == n
                    ),
                    None,
                )
                cells.append(
                    f"{name}: p50 {vl.fmt(lv['turn_ms']['p50'])} / p95 "
                    f"{vl.fmt(lv['turn_ms']['p95'])} ms, failed {lv['failed']}/{n}, "
                    f"CPU {lv['cpu_s_per_session']} s/session"
                    if lv
                    else f"{name}: not run"
                )
            lines.append(f"\n  {set_name} x{n}: " + " | ".join(cells))
    return "".join(lines)


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--levels", default="", help="concurrency levels for every set, in order")
    p.add_argument("--fake-levels", default="1,10,20,40", help="levels of the fake set")
    p.add_argument("--local-levels", default="1,2,4,6,10", help="levels of the local set")
    p.add_argument("--sets", default="fake,local", help="provider sets, in order (fake,local)")
    p.add_argument(
        "--executor",
        choices=("thread", "process"),
        default="thread",
        help="job executor: thread (models shared by all jobs) or process (one per job)",
    )
    p.add_argument("--turns", type=int, default=2, help="user turns per session")
    p.add_argument("--reply-wait", type=float, default=6.0, help="max s to let a reply finish")
    p.add_argument("--max-seconds", type=float, default=900, help="hard bound on the whole run")
    p.add_argument("--out", type=Path, default=None, help="JSON report path")
    p.add_argument(
        "--variants",
        default="",
        help="worker configurations run one after another in this run, side by side, as "
        "name:KEY=VAL+KEY=VAL,... e.g. 'fanout-off:TROUPE_AGENT_FFI_BATCH=false,"
        "fanout-on:TROUPE_AGENT_FFI_BATCH=true' (default: one run with the defaults)",
    )
    args = p.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    vl.RESULTS.mkdir(parents=True, exist_ok=True)
    out = args.out or vl.RESULTS / f"load-{stamp}.json"
    report: dict[str, Any] = {
        "started_at": stamp,
        "machine": vl.machine(),
        "load_average_start": vl.load_average(),
        "git": vl.git_revision(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "providers": [ps.__dict__ for ps in vl.provider_sets(args.sets.split(","))],
    }
    t0 = time.perf_counter()
    variants = parse_variants(args.variants)
    report["variants"] = {name: env for name, env in variants}

    async def run_all() -> int:
        if not variants:
            return await run(args, report)
        rc = 0
        for name, env in variants:
            sub = report.setdefault("by_variant", {}).setdefault(name, {"worker_env": env})
            sub["started_at"] = report["started_at"]
            vl.log(f"variant {name}: worker env {env}")
            rc |= await run(args, sub, name, env)
        print("\nside by side (same run): " + comparison(report["by_variant"]))
        return rc

    task = asyncio.create_task(run_all())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    rc = 1
    try:
        rc = await asyncio.wait_for(task, args.max_seconds)
    except (TimeoutError, asyncio.CancelledError):
        vl.log(f"stopped after {time.perf_counter() - t0:.0f} s (bound {args.max_seconds} s)")
        report["error"] = "time bound reached or interrupted"
    except Exception as e:
        vl.log(f"load bench failed: {type(e).__name__}: {e}")
        report["error"] = f"{type(e).__name__}: {e}"
    report["wall_s"] = round(time.perf_counter() - t0, 1)
    report["load_average_end"] = vl.load_average()
    print(
        f"load average (1/5/15 min) at start {report['load_average_start']}, at end "
        f"{report['load_average_end']}; executor {args.executor}"
    )
    out.write_text(json.dumps(report, indent=2, default=str))
    vl.log(f"report: {out}; {report['wall_s']} s; shutdown {report.get('shutdown')}")
    return rc


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
