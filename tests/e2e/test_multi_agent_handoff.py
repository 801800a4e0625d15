"""A multi-agent session end to end, on real components: the seeded "Test: handoff" template
(front desk -> expert, both on the scripted LLM following tests/e2e/scripts/handoff.json),
headless Chromium with a fake microphone asking for an expert, the real web app, API, LiveKit
server and agent worker (local Whisper STT, local Piper TTS). Then the session log the runtime
delivered to the API: messages of both agents, the tool call, the transfer the handoff's
rejection rule refused (topic "unknown"), and the transition with the variable the scripted
LLM passed and the summary plan's method."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.async_api import expect

from tests.e2e.support import (
    ROOT,
    SCREENSHOTS,
    live_session,
    read_complete_log,
    speech_wav,
)

SENTENCE = "I need to talk to an expert please."
SCRIPT = json.loads((ROOT / "tests" / "e2e" / "scripts" / "handoff.json").read_text())
FRONT_GREETING = "Hi, I am the front desk."
EXPERT_ANSWER = SCRIPT["agents"]["test_expert"][0]
OBSERVATION = next(
    c["arguments"]
    for c in SCRIPT["agents"]["test_front"][0]["tool_calls"]
    if c["name"] == "log_observation"
)
EXPERT_NAME = "Test Expert"
TRANSFERS = [
    c["arguments"]
    for turn in SCRIPT["agents"]["test_front"]
    for c in turn["tool_calls"]
    if c["name"] == "transfer_to_test_expert"
]
LOG_TIMEOUT_S = 90.0


async def test_front_desk_hands_off_to_the_expert_by_voice(
    demo: dict[str, str], tmp_path: Path
) -> None:
    wav = speech_wav(SENTENCE, tmp_path / "sentence.wav", lead_s=6.0, tail_s=6.0)
    async with live_session(demo["handoff_embed_key"], wav) as live:
        page = live.page
        participant_token = live.token
        session_id = live.session_id

        agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
        user_lines = page.locator('[data-testid="transcript-entry"][data-role="user"]')
        active = page.get_by_test_id("active-agent")

        # The front desk greets first ...
        await expect(agent_lines.filter(has_text="front desk").first).to_be_visible(timeout=60_000)
        await expect(active).to_have_text("Test Front Desk", timeout=10_000)
        # ... the user's request is recognised ...
        await expect(user_lines.filter(has_text=re.compile("expert", re.I)).first).to_be_visible(
            timeout=60_000
        )
        # ... and the expert takes over and answers by voice.
        await expect(agent_lines.filter(has_text=EXPERT_ANSWER).first).to_be_visible(timeout=60_000)
        await expect(active).to_have_text(EXPERT_NAME, timeout=10_000)
        await page.wait_for_function("window.__troupeAudioPeak > 0.01", timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "e2e-handoff.png"), full_page=True)

        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()

    log = await read_complete_log(session_id, participant_token, LOG_TIMEOUT_S)
    entries = log["entries"]
    seqs = [e["seq"] for e in entries]
    assert seqs == list(range(len(entries))), f"gaps or duplicates in the log: {seqs}"

    said = [(e["agent"], e["text"]) for e in entries if e["kind"] == "message"]
    assert ("test_front", FRONT_GREETING) in said, said
    assert ("test_expert", EXPERT_ANSWER) in said, said
    assert any(
        agent is None and re.search("expert", text, re.I)
        for agent, text in said
        if (agent, text) != ("test_front", FRONT_GREETING)
    ), said
    # only the new agent spoke after the transfer: the front desk said nothing but its greeting
    assert [t for a, t in said if a == "test_front"] == [FRONT_GREETING], said

    transitions = [
        (e["from_agent"], e["to_agent"], e["context_policy"])
        for e in entries
        if e["kind"] == "transition"
    ]
    assert transitions[:2] == [
        (None, "test_front", "preserve"),
        ("test_front", "test_expert", "summary"),
    ], transitions
    handoff = next(
        e for e in entries if e["kind"] == "transition" and e["to_agent"] == "test_expert"
    )
    # the variable the scripted LLM passed, in shared state; the summary was extractive
    # (the scripted LLM is not one that summarises)
    assert TRANSFERS == [{"topic": "unknown"}, {"topic": "a broken router"}]
    assert handoff["variables"] == {"topic": "a broken router"}
    assert handoff["summary_method"] == "extractive"

    tool_calls = [e for e in entries if e["kind"] == "tool_call"]
    observation = next(e for e in tool_calls if e["tool"] == "log_observation")
    assert observation["agent"] == "test_front"
    assert observation["arguments"] == OBSERVATION
    assert observation["error"] is None and observation["result"] == "Recorded."
    # the first transfer was refused by the rejection rule, and logged with its message
    [refused] = [e for e in tool_calls if e["tool"] == "transfer_to_test_expert"]
    assert refused["agent"] == "test_front" and refused["arguments"] == {"topic": "unknown"}
    assert refused["error"] == "Ask the user what they need help with before transferring."

    # in time order: greeting, transfer (with the observation before it), expert's answer
    seq_of = {
        "greeting": next(e["seq"] for e in entries if e.get("text") == FRONT_GREETING),
        "tool": observation["seq"],
        "refused": refused["seq"],
        "transfer": next(
            e["seq"]
            for e in entries
            if e["kind"] == "transition" and e["to_agent"] == "test_expert"
        ),
        "answer": next(e["seq"] for e in entries if e.get("text") == EXPERT_ANSWER),
    }
    assert seq_of["greeting"] < seq_of["tool"] < seq_of["transfer"] < seq_of["answer"], seq_of
    assert seq_of["refused"] < seq_of["transfer"], seq_of
