"""The Content-Security-Policy under `next dev` (what `make dev` serves): every page still gets
a nonce, the development build's extra needs (eval for React's error stacks, the HMR socket) are
allowed, and the pages load with no CSP violation in the console."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import ConsoleMessage, async_playwright

from tests.e2e.support import CHROMIUM_ARGS, env

VIOLATION = re.compile(
    r"Content Security Policy|Refused to (execute|load|apply|evaluate|frame|connect)", re.I
)


async def test_pages_load_without_csp_violations_under_next_dev(demo: dict[str, str]) -> None:
    web = env("TROUPE_WEB_URL")
    paths = ["/", "/login", f"/embed/{demo['embed_key']}"]
    async with httpx.AsyncClient(base_url=web, timeout=240) as client:
        for path in paths:  # `next dev` compiles a route on its first request
            policy = (await client.get(path)).headers["content-security-policy"]
            assert re.search(r"script-src [^;]*'nonce-[^']+'", policy), policy
            assert "'unsafe-eval'" in policy and "'unsafe-inline'" not in policy.split(";")[1]
    seen: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()

            def record(message: ConsoleMessage) -> None:
                if VIOLATION.search(message.text):
                    seen.append(message.text)

            page.on("console", record)
            for path in paths:
                await page.goto(f"{web}{path}", wait_until="networkidle", timeout=120_000)
        finally:
            await browser.close()
    assert seen == []
