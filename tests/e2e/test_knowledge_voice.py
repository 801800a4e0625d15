"""Knowledge bases, end to end by voice: an organization signs up, uploads a document to a
knowledge base through the API, the job worker ingests it (parsed, chunked, embedded), and an
agent with that knowledge base attached is asked by voice (Piper-rendered question through
headless Chromium's fake microphone, the real web app, API, LiveKit server and agent worker with
Whisper STT and Piper TTS). The agent's scripted LLM calls ``search_knowledge`` and then
answers; automatic retrieval runs before the reply too. The session log and the replay show
the retrieved chunk. Another organization's agent, asking the same, gets nothing of it.

Then the same with the local LLM (llama.cpp, no script): automatic retrieval puts the chunk in
the model's context and the log shows which chunk it was."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.e2e.support import SCREENSHOTS, env, live_session, read_complete_log, speech_wav

QUESTION = "What discount does the Zephyr loyalty card give?"
FACT = "fourteen percent"
DOCUMENT = f"""# Zephyr loyalty card

Members who show the Zephyr loyalty card get a {FACT} discount on every Tuesday order,
and free delivery on orders above sixty euros.
""".encode()
AGENT = "test_knowledge"  # its scripted turns: tests/e2e/scripts/handoff.json
LOG_TIMEOUT_S = 90.0


def _api() -> httpx.Client:
    return httpx.Client(base_url=env("TROUPE_API_URL"), timeout=30)


def _ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


def _organization(api: httpx.Client, name: str) -> dict[str, str]:
    """A new organization through sign-up; its admin's bearer header."""
    email = f"kb-{uuid.uuid4().hex[:10]}@example.com"
    body = _ok(
        api.post(
            "/api/v1/auth/register",
            json={
                "email": email,
                "password": "correct-horse-battery",
                "organization_name": name,
                "delivery": "body",
            },
        ),
        201,
    )
    return {"Authorization": f"Bearer {body['access_token']}"}


def _knowledge_base(api: httpx.Client, headers: dict[str, str], document: bytes | None) -> str:
    """A knowledge base with ``document`` uploaded and ingested by the job worker."""
    base = _ok(api.post("/api/v1/knowledge-bases", headers=headers, json={"name": "Handbook"}), 201)
    if document is None:
        return str(base["id"])
    doc = _ok(
        api.post(
            f"/api/v1/knowledge-bases/{base['id']}/documents",
            headers=headers,
            files={"file": ("zephyr-card.md", document, "text/markdown")},
        ),
        202,
    )
    deadline = time.monotonic() + 120
    status = doc["status"]
    while time.monotonic() < deadline:
        doc = _ok(
            api.get(f"/api/v1/knowledge-bases/{base['id']}/documents/{doc['id']}", headers=headers)
        )
        status = doc["status"]
        if status in ("embedded", "error"):
            break
        time.sleep(0.5)
    assert status == "embedded", doc
    return str(base["id"])


def _embed_key(
    api: httpx.Client,
    headers: dict[str, str],
    *,
    llm: str | None,
    knowledge_bases: list[str],
    auto_tokens: int,
) -> str:
    """An agent with the knowledge bases attached (``llm=None``: the offline default LLM), its
    agent set, template and deployment."""
    _ok(
        api.post(
            "/api/v1/agents",
            headers=headers,
            json={
                "slug": AGENT,
                "name": "Knowledge Agent",
                "instructions": "Answer questions about the Zephyr loyalty card from the "
                "organisation's documents. Keep answers to one short sentence.",
                "greeting": "Hello, I can answer questions about the loyalty card.",
                "stt": "local/whisper-tiny",
                **({"llm": llm} if llm else {}),
                "tts": "local/piper-joe",
                "voice": "joe",
                "knowledge_bases": knowledge_bases,
                "knowledge_auto_tokens": auto_tokens,
            },
        ),
        201,
    )
    agent_set = _ok(
        api.post(
            "/api/v1/agent-sets",
            headers=headers,
            json={"name": "Knowledge", "initial_agent": AGENT, "agents": [AGENT]},
        ),
        201,
    )
    template = _ok(
        api.post(
            "/api/v1/session-templates",
            headers=headers,
            json={"name": "Knowledge", "agent_set_id": agent_set["id"], "idle_timeout_s": 120},
        ),
        201,
    )
    deployment = _ok(
        api.post(
            f"/api/v1/session-templates/{template['id']}/deployments",
            headers=headers,
            json={"name": "site", "allowed_origins": [env("TROUPE_WEB_URL")]},
        ),
        201,
    )
    return str(deployment["embed_key"])


async def _ask_by_voice(embed_key: str, wav: Path, screenshot: str) -> tuple[str, str]:
    """One voice session: the greeting, the question heard, a spoken answer; ended by the
    user. Returns the session id and its participant token."""
    async with live_session(embed_key, wav) as live:
        page = live.page
        agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
        user_lines = page.locator('[data-testid="transcript-entry"][data-role="user"]')
        await expect(agent_lines.first).to_be_visible(timeout=60_000)
        await expect(
            user_lines.filter(has_text=re.compile("loyalty|discount", re.I)).first
        ).to_be_visible(timeout=90_000)
        await expect(agent_lines.nth(1)).to_be_visible(timeout=120_000)
        await page.wait_for_function("window.__troupeAudioPeak > 0.01", timeout=30_000)
        # End only once the reply has been spoken to the end: ending mid-reply logs it cut off.
        await expect(page.get_by_test_id("agent-state")).to_have_text("listening", timeout=60_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True)
        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()
    return live.session_id, live.token


def _calls(log: dict[str, Any], tool: str) -> list[dict[str, Any]]:
    return [e for e in log["entries"] if e["kind"] == "tool_call" and e["tool"] == tool]


def _chunk_texts(entry: dict[str, Any]) -> list[str]:
    assert entry["error"] is None, entry
    return [c["text"] for c in json.loads(entry["result"])["chunks"]]


async def test_voice_question_is_answered_from_the_orgs_knowledge_base_only(
    tmp_path: Path,
) -> None:
    with _api() as api:
        acme = _organization(api, "Acme Knowledge")
        other = _organization(api, "Other Knowledge")
        acme_base = _knowledge_base(api, acme, DOCUMENT)
        acme_key = _embed_key(
            api, acme, llm="fake/scripted", knowledge_bases=[acme_base], auto_tokens=200
        )
        # The other organization's agent names Acme's knowledge base id beside its own (empty)
        # one: its sessions get only its own (the session config drops ids of other orgs).
        other_base = _knowledge_base(api, other, None)
        other_key = _embed_key(
            api,
            other,
            llm="fake/scripted",
            knowledge_bases=[acme_base, other_base],
            auto_tokens=200,
        )

    wav = speech_wav(QUESTION, tmp_path / "question.wav", lead_s=6.0, tail_s=20.0)
    session_id, token = await _ask_by_voice(acme_key, wav, "e2e-knowledge-voice.png")
    log = await read_complete_log(session_id, token, LOG_TIMEOUT_S)
    # The scripted LLM called search_knowledge; the API found the uploaded document's chunk
    (search,) = _calls(log, "search_knowledge")[:1]
    assert any(FACT in t for t in _chunk_texts(search)), search
    assert json.loads(search["result"])["chunks"][0]["source"] == "zephyr-card.md"
    # ... and the model got it as the tool's output before its spoken reply.
    said = [e["text"] for e in log["entries"] if e["kind"] == "message" and e["agent"] == AGENT]
    assert "Here is what the search returned." in said, said
    # Automatic retrieval ran before the reply, on what Whisper heard, and found it too.
    auto = _calls(log, "search_knowledge:auto")
    assert auto and any(FACT in t for e in auto for t in _chunk_texts(e)), auto
    # The replay links the turn to the chunk: document name and snippet.
    with _api() as api:
        replay = _ok(api.get(f"/api/v1/sessions/{session_id}/replay", headers=acme))
    linked = [
        k
        for i in replay["items"]
        if i["kind"] == "tool_call" and i.get("knowledge")
        for k in i["knowledge"]
    ]
    assert linked and linked[0]["document_name"] == "zephyr-card.md", replay
    assert FACT in linked[0]["snippet"]

    other_id, other_token = await _ask_by_voice(other_key, wav, "e2e-knowledge-other-org.png")
    other_log = await read_complete_log(other_id, other_token, LOG_TIMEOUT_S)
    searches = _calls(other_log, "search_knowledge") + _calls(other_log, "search_knowledge:auto")
    assert searches, other_log["entries"]
    assert all(_chunk_texts(e) == [] for e in searches), searches
    assert FACT not in json.dumps(other_log)


@pytest.fixture
def local_llm_runtime() -> None:
    try:
        import llama_cpp  # noqa: F401  (the worker runs in this same environment)
    except ImportError:
        reason = "llama-cpp-python is not installed (make install-local-llm)"
        if os.environ.get("TROUPE_REQUIRE_LOCAL_LLM") == "1":
            pytest.fail(f"TROUPE_REQUIRE_LOCAL_LLM=1 but {reason}")
        pytest.skip(reason)


@pytest.mark.usefixtures("local_llm_runtime")
async def test_local_llm_gets_the_chunk_by_automatic_retrieval(tmp_path: Path) -> None:
    with _api() as api:
        org = _organization(api, "Local Knowledge")
        base = _knowledge_base(api, org, DOCUMENT)
        key = _embed_key(api, org, llm=None, knowledge_bases=[base], auto_tokens=200)

    wav = speech_wav(QUESTION, tmp_path / "question.wav", lead_s=6.0, tail_s=20.0)
    session_id, token = await _ask_by_voice(key, wav, "e2e-knowledge-local-llm.png")
    log = await read_complete_log(session_id, token, LOG_TIMEOUT_S)
    auto = _calls(log, "search_knowledge:auto")
    assert auto and any(FACT in t for e in auto for t in _chunk_texts(e)), log["entries"]
    said = [e for e in log["entries"] if e["kind"] == "message" and e["agent"] == AGENT]
    assert len(said) >= 2, said  # the greeting and an answer from the local model
