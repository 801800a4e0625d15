"""Recording post-processing: the stereo recorder file split into user/agent/mixed Ogg/Opus,
and the spool that keeps recordings through an API outage."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID, uuid4

import av
import numpy as np
import pytest
from troupe_agent.recording import RecordingSpool, deliver_all, split_stereo
from troupe_contracts.recording import RecordingKind

RATE = 48_000
USER_HZ, AGENT_HZ = 440.0, 1320.0


def _stereo(path: Path, seconds: float) -> None:
    """Stereo Opus like livekit's recorder: channel 0 the user, channel 1 the agent (the agent
    speaks only in the second half)."""
    t = np.arange(int(seconds * RATE)) / RATE
    user = 0.3 * np.sin(2 * np.pi * USER_HZ * t)
    agent = np.where(t >= seconds / 2, 0.3 * np.sin(2 * np.pi * AGENT_HZ * t), 0.0)
    planar = np.stack([user, agent]).astype(np.float32)
    with av.open(str(path), mode="w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=RATE, layout="stereo")
        for start in range(0, planar.shape[1], 960):
            chunk = np.ascontiguousarray(planar[:, start : start + 960])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = RATE
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _mono(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "opus" and stream.codec_context.channels == 1
        return np.concatenate(
            [f.to_ndarray().reshape(-1).astype(np.float32) for f in container.decode(stream)]
        )


def _level_at(samples: np.ndarray, hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    return float(spectrum[np.argmin(np.abs(freqs - hz))] / len(samples))


def test_split_gives_each_side_its_own_channel_and_a_mix(tmp_path: Path) -> None:
    _stereo(tmp_path / "stereo.ogg", 4.0)
    durations = split_stereo(tmp_path / "stereo.ogg", tmp_path)
    assert set(durations) == set(RecordingKind)
    for kind, ms in durations.items():
        assert abs(ms - 4000) < 60, (kind, ms)
        assert abs(len(_mono(tmp_path / f"{kind.value}.ogg")) / RATE - 4.0) < 0.1
    user = _mono(tmp_path / "user.ogg")
    agent = _mono(tmp_path / "agent.ogg")
    mixed = _mono(tmp_path / "mixed.ogg")
    assert _level_at(user, USER_HZ) > 10 * _level_at(user, AGENT_HZ)
    assert _level_at(agent, AGENT_HZ) > 10 * _level_at(agent, USER_HZ)
    assert _level_at(mixed, USER_HZ) > 0.02 and _level_at(mixed, AGENT_HZ) > 0.01
    # The agent was silent in the first half of its channel.
    half = len(agent) // 2
    assert np.sqrt(np.mean(agent[: half - RATE // 10] ** 2)) < 0.01
    assert np.sqrt(np.mean(agent[half + RATE // 10 :] ** 2)) > 0.1


class FlakyApi:
    """Fails the first ``failures`` uploads (an API outage), then stores them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.stored: dict[tuple[UUID, RecordingKind], tuple[int, int, int | None]] = {}

    async def upload(
        self, session_id: UUID, kind: RecordingKind, data: bytes, ms: int, started: int | None
    ) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("API down")
        assert data.startswith(b"OggS")
        self.stored[(session_id, kind)] = (len(data), ms, started)


async def test_spool_keeps_recordings_through_an_outage(tmp_path: Path) -> None:
    session_id = uuid4()
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    _stereo(job_dir / "audio.ogg", 2.0)
    spool = RecordingSpool(tmp_path / "spool")
    spool.adopt(session_id, job_dir / "audio.ogg", started_at=1_700_000_000.25)
    assert not (job_dir / "audio.ogg").exists()  # out of the temporary job directory

    api = FlakyApi(failures=1)
    assert not await spool.deliver(session_id, api.upload)
    assert spool.sessions() == [session_id]  # still spooled, claim released
    # A second outage after one file went through: only what is left is sent again.
    api.failures = 0
    api_second = FlakyApi(failures=0)

    async def partial(*args: object) -> None:
        kind = args[1]
        if kind == RecordingKind.USER:
            raise ConnectionError("API down again")
        await api_second.upload(*args)  # type: ignore[arg-type]

    assert not await spool.deliver(session_id, partial)
    assert set(api_second.stored) == {(session_id, RecordingKind.MIXED)}

    assert await deliver_all(spool, api.upload, first_wait_s=0.01) == 1
    assert spool.sessions() == []
    assert not (tmp_path / "spool" / "recordings" / str(session_id)).exists()
    assert set(api.stored) == {(session_id, RecordingKind.USER), (session_id, RecordingKind.AGENT)}
    for size, ms, started in api.stored.values():
        assert size > 0 and abs(ms - 2000) < 60 and started == 1_700_000_000_250


def _spooled_recording(tmp_path: Path) -> tuple[UUID, RecordingSpool]:
    """One session's one-second stereo recording, adopted into a fresh spool."""
    session_id = uuid4()
    _stereo(tmp_path / "audio.ogg", 1.0)
    spool = RecordingSpool(tmp_path / "spool")
    spool.adopt(session_id, tmp_path / "audio.ogg")
    return session_id, spool


async def test_deliver_all_backs_off_until_the_api_is_back(tmp_path: Path) -> None:
    _, spool = _spooled_recording(tmp_path)
    api = FlakyApi(failures=2)
    assert await deliver_all(spool, api.upload, attempts=4, first_wait_s=0.01) == 1
    assert {k for _, k in api.stored} == set(RecordingKind)
    assert all(started is None for _, _, started in api.stored.values())


async def test_deliver_all_gives_up_but_keeps_the_files(tmp_path: Path) -> None:
    session_id, spool = _spooled_recording(tmp_path)
    api = FlakyApi(failures=100)
    assert await deliver_all(spool, api.upload, attempts=2, first_wait_s=0.01) == 0
    assert spool.sessions() == [session_id]


@pytest.mark.parametrize("dead_pid", [2**22 + 12345])
def test_a_claim_of_a_dead_process_is_released(tmp_path: Path, dead_pid: int) -> None:
    spool = RecordingSpool(tmp_path)
    session_id = uuid4()
    (spool.root / f"{session_id}.claimed-{dead_pid}").mkdir(parents=True)
    assert spool.sessions() == [session_id]
