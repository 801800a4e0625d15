"""A document shared in a live session, end to end: headless Chromium (silent fake microphone)
uploads a PDF from the control bar, the real agent worker reads it from the LiveKit byte stream
(pypdf), confirms it with an ``upload_received`` event, and the echo LLM answers with the
document's text, which the browser shows in the agent's transcript."""

from __future__ import annotations

import re
import wave
from pathlib import Path

from livekit import api as lk
from livekit import rtc
from playwright.async_api import expect
from troupe_agent.uploads import send_file

from tests.e2e.support import SCREENSHOTS, env, live_session

SENTENCE = "The lighthouse keeper counts forty ships every night."
SUMMARY = "Ships counted: forty.\n"


async def send_from_an_agent_participant(room_name: str, user_identity: str) -> None:
    """Join as an agent-side participant (identity ``agent-…``) and send a file on
    ``TOPIC_FILES`` with the worker's own ``send_file`` helper."""
    token = (
        lk.AccessToken(env("LIVEKIT_API_KEY"), env("LIVEKIT_API_SECRET"))
        .with_identity("agent-e2e-files")
        .with_grants(lk.VideoGrants(room_join=True, room=room_name, can_publish_data=True))
        .to_jwt()
    )
    room = rtc.Room()
    await room.connect(env("LIVEKIT_URL"), token)
    try:
        await send_file(
            room.local_participant,
            SUMMARY.encode(),
            name="summary.txt",
            mime_type="text/plain",
            destination=user_identity,
        )
    finally:
        await room.disconnect()


def silent_wav(path: Path, seconds: float = 5.0, rate: int = 48_000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))
    return path


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF (standard Helvetica font) with one text line per entry."""
    ops = " ".join(
        f"72 {720 - 24 * i} Td ({line}) Tj" if i == 0 else f"0 -24 Td ({line}) Tj"
        for i, line in enumerate(lines)
    )
    stream = f"BT /F1 14 Tf {ops} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


async def test_user_uploads_a_pdf_and_the_agent_answers_from_it(
    demo: dict[str, str], tmp_path: Path
) -> None:
    wav = silent_wav(tmp_path / "silence.wav")
    pdf = tmp_path / "lighthouse.pdf"
    pdf.write_bytes(text_pdf([SENTENCE]))
    not_allowed = tmp_path / "clip.mp4"
    not_allowed.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    async with live_session(demo["test_embed_key"], wav, accept_downloads=True) as live:
        page = live.page
        connection = live.connection

        agent_lines = page.locator('[data-testid="transcript-entry"][data-role="agent"]')
        await expect(agent_lines.filter(has_text="test agent").first).to_be_visible(timeout=60_000)
        button = page.get_by_test_id("upload-button")
        await expect(button).to_be_enabled()
        status = page.get_by_test_id("upload-status")

        # A type the platform does not take is refused in the browser, before sending.
        await page.get_by_test_id("upload-input").set_input_files(str(not_allowed))
        await expect(status).to_have_attribute("data-status", "rejected")
        await expect(status).to_contain_text("can't be shared")

        # The PDF goes to the agent, which confirms it ...
        await page.get_by_test_id("upload-input").set_input_files(str(pdf))
        await expect(status).to_have_attribute("data-status", "received", timeout=30_000)
        await expect(status).to_contain_text("lighthouse.pdf")
        await expect(status).to_contain_text("1 page")
        # ... and answers from its text (the echo LLM repeats the document it was given).
        answer = agent_lines.filter(has_text=re.compile(r"lighthouse keeper counts forty"))
        await expect(answer.first).to_be_visible(timeout=60_000)
        await expect(answer.first).to_contain_text("Uploaded document")

        # Files from the agent side (TOPIC_FILES) are listed as downloads.
        await send_from_an_agent_participant(
            connection["room_name"], connection["participant_identity"]
        )
        link = page.get_by_test_id("received-file")
        await expect(link).to_have_text("summary.txt", timeout=15_000)
        await expect(link).to_have_attribute("download", "summary.txt")
        async with page.expect_download() as download_info:
            await link.click()
        download = await download_info.value
        assert download.suggested_filename == "summary.txt"
        assert Path(await download.path()).read_text() == SUMMARY

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "e2e-upload.png"), full_page=True)

        await page.get_by_test_id("end-session").click()
        await page.get_by_test_id("confirm-end").click()
