"""Local processes for tests, benchmarks and scripts: a free loopback port, waiting for an HTTP
server, child processes in their own process group, and a throw-away ``livekit-server``.

Standard library only, and runnable as a script for the shell scripts:
``python3 tests/localhost.py free-port`` prints a free port (``scripts/lib.sh``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIVEKIT_BIN = ROOT / ".tools" / "bin" / "livekit-server"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as e:
        return e.code < 500
    except (OSError, ValueError):
        return False


async def wait_http(url: str, timeout_s: float, *, alive: Callable[[], bool] | None = None) -> None:
    """Return once ``url`` answers (any status below 500). ``TimeoutError`` after ``timeout_s``;
    ``RuntimeError`` as soon as ``alive()`` says the server's process is gone."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError(f"the server for {url} exited")
        if await asyncio.to_thread(_answers, url):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout_s:.0f} s")


@dataclass
class Process:
    """A child process in its own process group (a Ctrl-C reaches us, not it), its output in
    ``log_path``."""

    name: str
    proc: asyncio.subprocess.Process
    log_path: Path

    @property
    def running(self) -> bool:
        return self.proc.returncode is None

    async def stop(self, timeout: float = 10.0) -> str:
        """SIGTERM, then SIGKILL to the whole group after ``timeout``; how it ended."""
        if self.proc.returncode is not None:
            return f"exited {self.proc.returncode}"
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        try:
            return f"exited {await asyncio.wait_for(self.proc.wait(), timeout)}"
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # it and its children
            await self.proc.wait()
            return "killed"


async def spawn(
    name: str,
    argv: list[str],
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
) -> Process:
    with open(log_path, "w") as out:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    return Process(name, proc, log_path)


@dataclass
class LiveKit:
    process: Process
    port: int
    key: str
    secret: str

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def livekit_config(
    *,
    port: int,
    key: str,
    secret: str,
    webhook_url: str | None = None,
    extra: str = "",
) -> str:
    """A loopback-only, single-node config with its own RTC ports; ``extra`` is appended YAML."""
    config = (
        f"port: {port}\n"
        "bind_addresses: ['127.0.0.1']\n"
        f"rtc:\n  tcp_port: {free_port()}\n  udp_port: {free_port()}\n  use_external_ip: false\n"
        f"keys:\n  {key}: {secret}\n"
        "logging:\n  level: info\n"
    )
    if webhook_url:
        config += f"webhook:\n  api_key: {key}\n  urls: ['{webhook_url}']\n"
    return config + extra


async def start_livekit(
    log_path: Path,
    *,
    key: str | None = None,
    secret: str | None = None,
    webhook_url: str | None = None,
    extra_config: str = "",
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout_s: float = 20.0,
) -> LiveKit:
    """``livekit-server`` (from ``scripts/install.sh``) on free ports, ready to take rooms."""
    port = free_port()
    key = key or f"test{secrets.token_hex(4)}"
    secret = secret or secrets.token_hex(24)
    config = livekit_config(
        port=port, key=key, secret=secret, webhook_url=webhook_url, extra=extra_config
    )
    process = await spawn(
        "livekit-server", [str(LIVEKIT_BIN), *args, "--config-body", config], log_path, env
    )
    try:
        await wait_http(f"http://127.0.0.1:{port}/", timeout_s, alive=lambda: process.running)
    except (RuntimeError, TimeoutError) as e:
        await process.stop(5)
        raise RuntimeError(f"livekit-server did not start ({e}); see {log_path}") from e
    return LiveKit(process, port, key, secret)


@contextlib.asynccontextmanager
async def livekit_server(log_path: Path, **kwargs: object) -> AsyncIterator[LiveKit]:
    """``start_livekit`` for the length of a ``with`` block."""
    server = await start_livekit(log_path, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        await server.process.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["free-port"]:
        print(free_port())
    else:
        sys.exit("usage: localhost.py free-port")
