"""The connection-quality indicator over a really degraded link: a real session (web app, API,
LiveKit server, agent worker) in headless Chromium, then the link of THAT page only is degraded
with Chrome DevTools Protocol ``Network.emulateNetworkConditions`` and its WebRTC parameters
(``packetLoss``, ``packetQueueLength``, ``packetReordering``: applied by Chromium to the page's
peer connections; the loopback interface and every other process are untouched). LiveKit's
server scores the published microphone's loss, the page gets ``ConnectionQualityChanged``: the
bars read poor and the "your connection is poor" banner appears; lifting the emulation brings
the quality back and the banner goes away."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import CDPSession, Page, expect

from tests.e2e.support import SCREENSHOTS, live_session, speech_wav


def conditions(packet_loss: float) -> dict[str, Any]:
    """Chromium (156) applies the WebRTC parameters only while the page is throttled (a latency
    or a throughput set) and only to peer-connection sockets opened while it was: so 1 ms of
    latency is set before the session connects and kept."""
    return {
        "offline": False,
        "latency": 1,
        "downloadThroughput": -1,
        "uploadThroughput": -1,
        "packetLoss": packet_loss,  # percent of this page's WebRTC packets dropped
        "packetQueueLength": 0,
        "packetReordering": packet_loss > 0,
    }


async def test_quality_turns_poor_on_a_lossy_link_and_recovers(
    demo: dict[str, str], tmp_path: Path
) -> None:
    cdp: CDPSession | None = None

    async def emulate_before_connecting(page: Page) -> None:
        nonlocal cdp
        cdp = await page.context.new_cdp_session(page)
        assert (await cdp.send("Network.canEmulateNetworkConditions"))["result"] is True
        await cdp.send("Network.enable")
        await cdp.send("Network.emulateNetworkConditions", conditions(0))

    wav = speech_wav("Hello there.", tmp_path / "hello.wav", lead_s=1.0, tail_s=4.0)
    async with live_session(
        demo["test_embed_key"], wav, before_start=emulate_before_connecting
    ) as live:
        assert cdp is not None
        page = live.page
        quality = page.get_by_test_id("connection-quality")
        banner = page.get_by_test_id("poor-connection")
        # a healthy loopback link first
        await expect(quality).to_have_attribute("data-quality", "excellent", timeout=60_000)
        await expect(banner).to_have_count(0)

        await cdp.send("Network.emulateNetworkConditions", conditions(40))
        await expect(quality).to_have_attribute("data-quality", "poor", timeout=60_000)
        await expect(quality).to_have_attribute("aria-label", "Poor connection")
        await expect(banner).to_be_visible(timeout=30_000)
        await expect(banner).to_contain_text("Your connection is poor")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "e2e-connection-poor.png"), full_page=True)

        # the link heals: the server re-scores, the bars come back and the banner goes
        await cdp.send("Network.emulateNetworkConditions", conditions(0))
        await expect(quality).to_have_attribute(
            "data-quality", re.compile("^(excellent|good)$"), timeout=60_000
        )
        await expect(banner).to_have_count(0)
        # end only once the agent is not speaking (a reply cut by End is logged cut off)
        await expect(page.get_by_test_id("agent-state")).to_have_text("listening", timeout=60_000)
        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()
