"""Whisper's encoder window, stage bench: word error rate and time of ``local/whisper-tiny`` on
the full 30 s window (faster-whisper's path) against fitted windows (the utterance plus a
padding), every variant on the same audio, interleaved utterance by utterance (so a busy shared
machine slows all alike).

The utterances are the tool eval's (``agent/evals/*.jsonl``) and the voice bench's sentences,
spoken by two voices: Piper's joe-medium (with its natural variation) and espeak-ng (a robotic,
different voice), at 48 kHz in 10 ms frames, then converted exactly as a session's flushed
buffer is (``frames_to_whisper_input``), with 0.3 s of quiet before (the lead-in the stream
keeps) and 0.28 s after (the VAD's end of speech). Writes
``bench/results/stt_window-<UTC time>.json`` with the machine's load average and the git
revision, and prints one table.

    uv run python bench/stt_window.py --variants full,0.5,1,2 --limit 40
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from livekit import rtc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from troupe_agent.local_models import LocalModels
from troupe_agent.providers.local_stt import WhisperSTT, frames_to_whisper_input
from troupe_agent.simulation.voice_user import FRAME, RATE, speech_frames, word_errors
from voice_latency import RESULTS, ROOT, SENTENCES, git_revision, load_average, machine, summary

LEAD_S = 0.3
TAIL_S = 0.28


def utterances() -> list[str]:
    texts: list[str] = []
    for name in ("tool_calls.jsonl", "calibration.jsonl"):
        for line in (ROOT / "agent" / "evals" / name).read_text().splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    texts.extend(SENTENCES)
    return list(dict.fromkeys(texts))


def normalize(text: str) -> list[str]:
    text = text.lower().replace("-", " ")
    return re.sub(r"[^a-z0-9' ]+", " ", text).split()


def errors_and_words(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words) over normalized words."""
    ref = normalize(reference)
    return word_errors(normalize(hypothesis), ref), len(ref)


def espeak_frames(text: str) -> list[rtc.AudioFrame]:
    wav = subprocess.run(
        ["espeak-ng", "--stdout", "-v", "en-us", text], capture_output=True, check=True
    ).stdout
    # espeak-ng's WAV: 44-byte header, 22050 Hz mono int16
    frame = rtc.AudioFrame(wav[44:], 22050, 1, (len(wav) - 44) // 2)
    resampler = rtc.AudioResampler(22050, RATE, num_channels=1)
    audio = rtc.combine_audio_frames([*resampler.push(frame), *resampler.flush()])
    samples = np.frombuffer(audio.data, dtype=np.int16)
    loud = np.flatnonzero(np.abs(samples) > 300)
    samples = samples[loud[0] : loud[-1] + 1] if len(loud) else samples[:0]
    return [
        rtc.AudioFrame(samples[i : i + FRAME].tobytes(), RATE, 1, FRAME)
        for i in range(0, len(samples) - FRAME + 1, FRAME)
    ]


def session_audio(frames: list[rtc.AudioFrame]) -> np.ndarray:
    quiet = rtc.AudioFrame(b"\x00\x00" * FRAME, RATE, 1, FRAME)
    lead = [quiet] * round(LEAD_S * 100)
    tail = [quiet] * round(TAIL_S * 100)
    return frames_to_whisper_input([*lead, *frames, *tail])


def parse_variant(name: str) -> float | None:
    return None if name == "full" else float(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="full,0.5,1,2", help="full or padding seconds")
    parser.add_argument("--voices", default="piper,espeak")
    parser.add_argument("--limit", type=int, default=0, help="first N utterances (0: all)")
    args = parser.parse_args()

    started = datetime.now(UTC)
    load_start = load_average()
    models = LocalModels()
    model = models.whisper()
    variants = args.variants.split(",")
    stts = {name: WhisperSTT(model, window_pad=parse_variant(name)) for name in variants}
    voices = args.voices.split(",")
    if "espeak" in voices and shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed (scripts/install.sh installs it)")
    texts = utterances()
    if args.limit:
        texts = texts[: args.limit]

    warm = session_audio(speech_frames(SENTENCES[0], models.piper()))
    for whisper in stts.values():
        whisper.transcribe_sync(warm)

    cases: list[dict[str, Any]] = []
    for index, text in enumerate(texts):
        for voice in voices:
            frames = (
                speech_frames(text, models.piper()) if voice == "piper" else espeak_frames(text)
            )
            audio = session_audio(frames)
            case: dict[str, Any] = {"text": text, "voice": voice, "seconds": len(audio) / 16000}
            order = variants[index % len(variants) :] + variants[: index % len(variants)]
            for name in order:
                whisper = stts[name]
                retries = whisper.full_window_retries
                t0 = time.perf_counter()
                heard = whisper.transcribe_sync(audio)
                ms = (time.perf_counter() - t0) * 1000
                errors, words = errors_and_words(text, heard)
                case[name] = {
                    "heard": heard,
                    "ms": round(ms, 1),
                    "errors": errors,
                    "words": words,
                    "retried_full": whisper.full_window_retries > retries,
                }
            case["load_average"] = load_average()
            cases.append(case)
            print(
                f"{len(cases):4d} {voice:6s} "
                + " ".join(f"{n}:{case[n]['ms']:.0f}ms/{case[n]['errors']}" for n in variants),
                flush=True,
            )

    aggregate: dict[str, Any] = {}
    for name in variants:
        rows = [c[name] for c in cases]
        per_voice = {}
        for voice in voices:
            vrows = [c[name] for c in cases if c["voice"] == voice]
            per_voice[voice] = round(
                sum(r["errors"] for r in vrows) / max(1, sum(r["words"] for r in vrows)), 4
            )
        aggregate[name] = {
            "wer": round(sum(r["errors"] for r in rows) / max(1, sum(r["words"] for r in rows)), 4),
            "wer_by_voice": per_voice,
            "utterances_exact": sum(r["errors"] == 0 for r in rows),
            "same_as_full": (
                sum(c[name]["heard"] == c["full"]["heard"] for c in cases)
                if "full" in variants
                else None
            ),
            "retried_full": sum(r["retried_full"] for r in rows),
            "ms": summary([r["ms"] for r in rows]),
        }

    lines = [
        "| window | WER (all) | WER piper / espeak | utterances exact | same text as full | "
        "redone on full | ms p50 / p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    full_p50 = aggregate.get("full", {}).get("ms", {}).get("p50")
    for name in variants:
        a = aggregate[name]
        label = "full 30 s" if name == "full" else f"utterance + {name} s"
        ratio = f" ({a['ms']['p50'] / full_p50:.2f}x)" if full_p50 and name != "full" else ""
        lines.append(
            f"| {label} | {a['wer']:.3f} | "
            + " / ".join(f"{a['wer_by_voice'][v]:.3f}" for v in voices)
            + f" | {a['utterances_exact']}/{len(cases)} | {a['same_as_full']} | "
            f"{a['retried_full']} | {a['ms']['p50']:.0f} / {a['ms']['p95']:.0f}{ratio} |"
        )
    table = "\n".join(lines)
    print(table)
    out = {
        "started_at": started.isoformat(),
        "machine": machine(),
        "git": git_revision(),
        "args": vars(args),
        "load_average_start": load_start,
        "load_average_end": load_average(),
        "aggregate": aggregate,
        "table": table,
        "cases": cases,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"stt_window-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
