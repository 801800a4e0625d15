"""Recording uploads survive a real API outage: the runtime's recording spool and client
against a second ``troupe-api serve`` process (same database as the stack under test) that is
stopped and started again. Nothing is lost; the files arrive once the API is back."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
from troupe_agent.recording import RecordingSpool, deliver_all
from troupe_contracts.recording import RecordingKind

from tests.e2e.support import (
    ApiProcess,
    demo_admin_headers,
    env,
    runtime_client,
    started_session,
)


def stereo_recording(path: Path, seconds: int) -> Path:
    """A stereo Ogg/Opus file like livekit's recorder writes (tone on each channel)."""
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=880:duration={seconds}",
            "-filter_complex",
            "[0][1]amerge=inputs=2",
            "-ar",
            "48000",
            "-c:a",
            "libopus",
            str(path),
        ],
        check=True,
    )
    return path


async def test_recording_upload_survives_an_api_outage(
    demo: dict[str, str], api_process: ApiProcess, tmp_path: Path
) -> None:
    session_id, _ = started_session(demo)
    client = runtime_client(api_process)
    spool = RecordingSpool(tmp_path / "spool")
    try:
        spool.adopt(
            session_id, stereo_recording(tmp_path / "audio.ogg", 3), started_at=1_800_000_000.0
        )
        # API down: nothing is delivered, nothing is lost.
        api_process.stop()
        assert await deliver_all(spool, client.put_recording, attempts=2, first_wait_s=0.1) == 0
        assert spool.sessions() == [session_id]

        # API back: the spool is delivered and emptied.
        api_process.start()
        assert await deliver_all(spool, client.put_recording, first_wait_s=0.1) == 1
        assert spool.sessions() == []
    finally:
        await client.aclose()

    async with httpx.AsyncClient(base_url=env("TROUPE_API_URL"), timeout=10) as api:
        headers = await demo_admin_headers(api)
        listed = await api.get(f"/api/v1/sessions/{session_id}/recordings", headers=headers)
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert sorted(i["kind"] for i in items) == sorted(k.value for k in RecordingKind)
        for item in items:
            assert abs(item["duration_ms"] - 3000) < 100, item
            assert item["started_at"].startswith("2027-01-15T08:00:00")
            got = await api.get(item["url"].removeprefix(env("TROUPE_API_URL")))
            assert got.status_code == 200 and got.content.startswith(b"OggS")
