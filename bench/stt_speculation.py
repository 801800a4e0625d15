"""Speculative transcription, stage bench: end of speech -> Whisper's transcript, on/off
interleaved trial by trial in one process (so a busy shared machine slows both alike).

The real ``local/whisper-tiny`` behind ``FlushedSTT``, fed Piper-rendered sentences in real
time (10 ms frames, then silence), flushed the way the session flushes it: at the VAD's end of
speech (``--flush-ms`` of silence, Silero's 250 ms plus a 32 ms window and Smart Turn's
answer). ``off`` recognizes only at the flush (the engine before); ``on`` starts Whisper after
``--pause-ms`` of quiet audio. Also a "resumed" case per trial: a pause of ``--pause-ms`` +
50 ms in the middle of the utterance (the speculation must be discarded, the transcript must
be the whole utterance). Writes ``bench/results/stt_speculation-<UTC time>.json`` with the
machine's load average and the git revision.

    uv run python bench/stt_speculation.py --trials 6
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from livekit import rtc
from livekit.agents import stt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from troupe_agent.local_models import LocalModels
from troupe_agent.providers.local_stt import FlushedSTT, WhisperSTT
from troupe_agent.simulation.voice_user import FRAME, RATE, speech_frames
from voice_latency import (
    RESULTS,
    SENTENCES,
    git_revision,
    load_average,
    machine,
    summary,
)

SILENCE = rtc.AudioFrame(b"\x00\x00" * FRAME, RATE, 1, FRAME)


async def trial(
    whisper: WhisperSTT, frames: list[rtc.AudioFrame], pause_s: float, flush_s: float
) -> dict[str, Any]:
    """Feeds ``frames`` in real time, then silence; flushes after ``flush_s`` of silence.
    Returns end of speech -> final transcript (ms) and the transcript."""
    flushed = FlushedSTT(whisper, speculate_after_s=pause_s)
    stream = flushed.stream()
    start = time.perf_counter()
    for i, f in enumerate(frames):
        stream.push_frame(f)
        await asyncio.sleep(max(0.0, start + (i + 1) * 0.01 - time.perf_counter()))
    end_of_speech = time.perf_counter()
    n = 0
    while time.perf_counter() - end_of_speech < flush_s:
        stream.push_frame(SILENCE)
        n += 1
        await asyncio.sleep(max(0.0, end_of_speech + n * 0.01 - time.perf_counter()))
    stream.flush()
    flushed_at = time.perf_counter()

    async def keep_quiet() -> None:  # the line stays open: silence goes on
        k = 0
        while True:
            stream.push_frame(SILENCE)
            k += 1
            await asyncio.sleep(max(0.0, flushed_at + k * 0.01 - time.perf_counter()))

    feeder = asyncio.create_task(keep_quiet())
    text = ""
    async for ev in stream:
        if ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT:
            text = ev.alternatives[0].text
            break
    done = time.perf_counter()
    feeder.cancel()
    await stream.aclose()
    return {
        "eos_to_text_ms": round((done - end_of_speech) * 1000, 1),
        "flush_to_text_ms": round((done - flushed_at) * 1000, 1),
        "text": text,
        **flushed.speculations,
    }


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--trials", type=int, default=6, help="rounds over the sentences")
    p.add_argument("--pause-ms", type=float, default=150)
    p.add_argument("--flush-ms", type=float, default=330)
    args = p.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report: dict[str, Any] = {
        "started_at": stamp,
        "machine": machine(),
        "load_average_start": load_average(),
        "git": git_revision(),
        "args": vars(args),
    }
    models = LocalModels()
    whisper = WhisperSTT(models.whisper())
    voice = models.piper()
    speech = [speech_frames(s, voice) for s in SENTENCES]
    gap = [SILENCE] * round((args.pause_ms + 50) / 10)
    pause_s, flush_s = args.pause_ms / 1000, args.flush_ms / 1000
    await trial(whisper, speech[0], 0, flush_s)  # warm-up
    rows: dict[str, list[dict[str, Any]]] = {
        "off": [],
        "on": [],
        "resumed-off": [],
        "resumed-on": [],
    }
    for t in range(args.trials):
        for i, frames in enumerate(speech):
            split = speech[(i + 1) % len(speech)]
            cases = [
                ("off", frames, 0.0),
                ("on", frames, pause_s),
                ("resumed-off", frames + gap + split, 0.0),
                ("resumed-on", frames + gap + split, pause_s),
            ]
            if (t + i) % 2:  # alternate which goes first
                cases = [cases[1], cases[0], cases[3], cases[2]]
            for name, audio, pause in cases:
                rows[name].append(await trial(whisper, audio, pause, flush_s))
        print(f"trial {t + 1}/{args.trials}, load {load_average()}", file=sys.stderr)
    agg = {
        name: {
            "eos_to_text_ms": summary([r["eos_to_text_ms"] for r in rs]),
            "flush_to_text_ms": summary([r["flush_to_text_ms"] for r in rs]),
            "speculations_used": sum(r["used"] for r in rs),
            "speculations_discarded": sum(r["discarded"] for r in rs),
        }
        for name, rs in rows.items()
    }
    # the transcript with speculation is the one without (same audio, same model)
    same = sum(
        a["text"] == b["text"]
        for x, y in (("off", "on"), ("resumed-off", "resumed-on"))
        for a, b in zip(rows[x], rows[y], strict=True)
    )
    report.update(
        rows=rows,
        aggregate=agg,
        same_transcripts=f"{same}/{2 * len(rows['on'])}",
        load_average_end=load_average(),
    )
    lines = [
        f"{'case':<13}{'EOS->text p50/p95':>20}{'flush->text p50/p95':>22}{'used':>6}{'discarded':>11}"
    ]
    for name, a in agg.items():
        e, f = a["eos_to_text_ms"], a["flush_to_text_ms"]
        lines.append(
            f"{name:<13}{e['p50']:>11.0f}/{e['p95']:<8.0f}{f['p50']:>13.0f}/{f['p95']:<8.0f}"
            f"{a['speculations_used']:>6}{a['speculations_discarded']:>11}"
        )
    lines.append(
        f"pause {args.pause_ms:.0f} ms, flush at {args.flush_ms:.0f} ms of silence; transcripts "
        f"equal on/off: {report['same_transcripts']}; load {report['load_average_start']} -> "
        f"{report['load_average_end']}; git {report['git']['sha'][:10]}"
        f"{' (dirty)' if report['git']['dirty'] else ''}"
    )
    report["table"] = "\n".join(lines)
    print(report["table"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"stt_speculation-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"report: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
