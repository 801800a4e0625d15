"""Session recordings: after a recorded session, split livekit-agents' stereo Ogg/Opus file
(channel 0 the user as received, channel 1 the agent as played) into user-only, agent-only and
mixed mono Ogg/Opus files and upload them to the API.

The stereo file is first moved out of the job's temporary session directory into an on-disk
spool (``<spool>/recordings/<session_id>/``), so an API outage loses nothing: delivery retries
with backoff, and whatever is still there is delivered by the next job's worker process in the
background (``deliver_all``), never in the way of a conversation. A directory is claimed by an
atomic rename while one process works on it."""

import asyncio
import contextlib
import json
import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final
from uuid import UUID

import av
import numpy as np
from livekit.agents.voice.agent_session import RecordingOptions
from troupe_contracts.recording import RecordingKind

from troupe_agent.logging import get_logger

log = get_logger(__name__)

UploadRecording = Callable[[UUID, RecordingKind, bytes, int, int | None], Awaitable[None]]
"""(session id, kind, Ogg bytes, duration ms, epoch ms of the first sample or None)."""
SAMPLE_RATE = 48000
STEREO_NAME = "stereo.ogg"
META_NAME = "durations.json"
STARTED_NAME = "started_at_ms"
UPLOAD_ORDER = (RecordingKind.MIXED, RecordingKind.USER, RecordingKind.AGENT)
RECORD_OPTIONS: Final = RecordingOptions(audio=True, traces=False, logs=False, transcript=False)
"""``AgentSession.start(record=...)`` for a recorded session: audio only (nothing else is
exported anywhere)."""
FINISH_TIMEOUT_S = 20.0


def _channels(frame: av.AudioFrame) -> np.ndarray:
    """A decoded frame as float32 of shape (channels, samples)."""
    data = frame.to_ndarray()
    if frame.format.is_planar:
        out = data
    else:
        out = data.reshape(-1, len(frame.layout.channels)).T
    # The resampler above always hands over float planar frames.
    return np.asarray(out, dtype=np.float32)


class _MonoWriter:
    def __init__(self, path: Path) -> None:
        self.container = av.open(str(path), mode="w", format="ogg")
        self.stream = self.container.add_stream("libopus", rate=SAMPLE_RATE, layout="mono")
        self.samples = 0

    def write(self, samples: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(
            samples.reshape(1, -1).astype(np.float32), format="flt", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self.samples
        self.samples += samples.shape[-1]
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def close(self) -> int:
        """Flush and close; the duration written, in milliseconds."""
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self.container.close()
        return round(self.samples * 1000 / SAMPLE_RATE)


def split_stereo(stereo: Path, out_dir: Path) -> dict[RecordingKind, int]:
    """Write ``user.ogg``, ``agent.ogg`` and ``mixed.ogg`` (mono Opus, 48 kHz) next to each
    other in ``out_dir``; returns each file's duration in milliseconds. A mono source (no agent
    channel) gives a silent agent file of the same length."""
    writers = {kind: _MonoWriter(out_dir / f"{kind.value}.ogg") for kind in RecordingKind}
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
    with av.open(str(stereo)) as container:
        for decoded in container.decode(audio=0):
            for frame in resampler.resample(decoded):
                channels = _channels(frame)
                user, agent = channels[0], channels[1]
                writers[RecordingKind.USER].write(user)
                writers[RecordingKind.AGENT].write(agent)
                writers[RecordingKind.MIXED].write(np.clip(user + agent, -1.0, 1.0))
        for frame in resampler.resample(None):
            channels = _channels(frame)
            writers[RecordingKind.USER].write(channels[0])
            writers[RecordingKind.AGENT].write(channels[1])
            writers[RecordingKind.MIXED].write(np.clip(channels[0] + channels[1], -1.0, 1.0))
    return {kind: writer.close() for kind, writer in writers.items()}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RecordingSpool:
    """Recordings waiting for upload, one directory per session under ``<root>/recordings``."""

    def __init__(self, spool_root: Path) -> None:
        self.root = spool_root / "recordings"

    def adopt(self, session_id: UUID, stereo: Path, *, started_at: float | None = None) -> Path:
        """Move the recorder's file out of the job's temporary directory into the spool."""
        directory = self.root / str(session_id)
        directory.mkdir(parents=True, exist_ok=True)
        if started_at is not None:
            (directory / STARTED_NAME).write_text(str(round(started_at * 1000)))
        target = directory / STEREO_NAME
        shutil.move(str(stereo), target)
        return directory

    def sessions(self) -> list[UUID]:
        if not self.root.is_dir():
            return []
        out: list[UUID] = []
        for entry in self.root.iterdir():
            name, _, pid = entry.name.partition(".claimed-")
            if pid and pid.isdigit() and not _pid_alive(int(pid)):
                # A process died while delivering: release its claim.
                with contextlib.suppress(OSError):
                    os.replace(entry, self.root / name)
                    entry, pid = self.root / name, ""
            with contextlib.suppress(ValueError):
                if entry.is_dir() and not pid:
                    out.append(UUID(name))
        return out

    async def deliver(self, session_id: UUID, upload: UploadRecording) -> bool:
        """Split (once) and upload every file of one session; True when nothing is left.
        Each upload is idempotent on the API side, so a file sent twice is harmless."""
        directory = self.root / str(session_id)
        claimed = self.root / f"{session_id}.claimed-{os.getpid()}"
        try:
            os.replace(directory, claimed)
        except FileNotFoundError:
            return True  # another process has it (or it is done)
        try:
            meta_path = claimed / META_NAME
            if not meta_path.exists():
                durations = await asyncio.to_thread(split_stereo, claimed / STEREO_NAME, claimed)
                tmp = meta_path.with_suffix(".tmp")
                tmp.write_text(json.dumps({k.value: v for k, v in durations.items()}))
                os.replace(tmp, meta_path)
                (claimed / STEREO_NAME).unlink()
            durations_ms: dict[str, int] = json.loads(meta_path.read_text())
            started = claimed / STARTED_NAME
            started_at_ms = int(started.read_text()) if started.exists() else None
            for kind in UPLOAD_ORDER:
                path = claimed / f"{kind.value}.ogg"
                if not path.exists():
                    continue  # delivered by an earlier attempt
                data = await asyncio.to_thread(path.read_bytes)
                await upload(session_id, kind, data, int(durations_ms[kind.value]), started_at_ms)
                path.unlink()
        except BaseException as e:  # cancelled or timed out too: give the claim back
            os.replace(claimed, directory)
            if not isinstance(e, Exception):
                raise
            log.warning(
                "recording delivery failed; will retry", session_id=str(session_id), error=str(e)
            )
            return False
        shutil.rmtree(claimed, ignore_errors=True)
        log.info("recording delivered", session_id=str(session_id))
        return True


async def deliver_all(
    spool: RecordingSpool,
    upload: UploadRecording,
    *,
    attempts: int = 6,
    first_wait_s: float = 2.0,
    max_wait_s: float = 60.0,
) -> int:
    """Deliver every spooled session, retrying failures with exponential backoff; returns
    how many sessions were delivered. Runs as a background task of a job."""
    delivered = 0
    wait = first_wait_s
    for attempt in range(attempts):
        pending = spool.sessions()
        if not pending:
            break
        for session_id in pending:
            if await spool.deliver(session_id, upload):
                delivered += 1
        if attempt + 1 < attempts and spool.sessions():
            await asyncio.sleep(wait)
            wait = min(wait * 2, max_wait_s)
    return delivered


async def finish_recording(
    session: Any,
    session_directory: Path,
    session_id: UUID,
    spool: RecordingSpool,
    upload: UploadRecording,
    *,
    timeout_s: float = FINISH_TIMEOUT_S,
) -> bool:
    """At the end of a recorded session: close the session (the recorder flushes its file),
    move the file into the spool and try to deliver it for up to ``timeout_s``; what is not
    delivered stays spooled for a later job. True when delivered now."""
    recorder = getattr(session, "_recorder_io", None)  # livekit keeps it private
    with contextlib.suppress(Exception):
        await session.aclose()
    started_at = getattr(recorder, "recording_started_at", None)
    stereo = session_directory / "audio.ogg"
    if not stereo.exists():
        log.warning("recording on but no audio file was written", session_id=str(session_id))
        return False
    spool.adopt(
        session_id, stereo, started_at=started_at if isinstance(started_at, float) else None
    )
    try:
        return await asyncio.wait_for(spool.deliver(session_id, upload), timeout_s)
    except TimeoutError:
        log.warning("recording upload timed out; spooled", session_id=str(session_id))
        return False
