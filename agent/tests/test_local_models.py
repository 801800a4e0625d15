"""The real offline audio path: Piper speaks a sentence, Whisper hears it back."""

import re
import time

import pytest
from livekit import rtc
from troupe_agent.local_models import LocalModels
from troupe_agent.providers.local_stt import WhisperSTT
from troupe_agent.providers.local_tts import PiperTTS

SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def word_errors(heard: list[str], said: list[str]) -> int:
    """Word-level edit distance (substitutions, insertions, deletions)."""
    row = list(range(len(said) + 1))
    for i, h in enumerate(heard, 1):
        prev, row[0] = row[0], i
        for j, w in enumerate(said, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (h != w))
    return row[-1]


def test_word_errors_counts_edits() -> None:
    assert word_errors(["a", "b", "c"], ["a", "b", "c"]) == 0
    assert word_errors(["a", "x", "c"], ["a", "b", "c"]) == 1
    assert word_errors(["a", "c"], ["a", "b", "c"]) == 1
    assert word_errors([], ["a", "b"]) == 2


@pytest.fixture(scope="module")
def models() -> LocalModels:
    return LocalModels()


async def test_piper_then_whisper_round_trip(models: LocalModels) -> None:
    piper = PiperTTS(models.piper())
    started = time.perf_counter()
    frames = [audio.frame async for audio in piper.synthesize(SENTENCE)]
    tts_s = time.perf_counter() - started
    audio = rtc.combine_audio_frames(frames)
    assert audio.sample_rate == 22050 and audio.duration > 2.0

    whisper = WhisperSTT(models.whisper())
    started = time.perf_counter()
    event = await whisper.recognize([audio])
    stt_s = time.perf_counter() - started
    heard = event.alternatives[0].text
    print(
        f"piper {tts_s * 1000:.0f} ms for {audio.duration:.2f} s audio; whisper {stt_s * 1000:.0f} ms: {heard!r}"
    )
    # Whisper tiny on CPU threads is not bit-reproducible ("jumps" came back as "jumped" once):
    # allow one word error in thirteen (WER < 8%), far below what a broken audio path gives.
    assert word_errors(words(heard), words(SENTENCE)) <= 1, heard


async def test_smollm2_streams_a_short_reply(models: LocalModels) -> None:
    from livekit.agents import llm
    from support.local_llm import missing
    from troupe_agent.local_models import LocalModelUnavailable
    from troupe_agent.providers.local_llm import LlamaCppLLM

    try:
        model = models.llama()
    except LocalModelUnavailable as e:
        missing(str(e))  # a failure under `make test` (TROUPE_REQUIRE_LOCAL_LLM=1)
    chat = llm.ChatContext()
    chat.add_message(
        role="system", content="You are a friendly assistant. Answer in one short sentence."
    )
    chat.add_message(role="user", content="What colour is the sky on a clear day?")
    chunks = [c async for c in LlamaCppLLM(model).chat(chat_ctx=chat)]
    text = "".join(c.delta.content or "" for c in chunks if c.delta)
    assert text.strip()
    assert chunks[-1].usage is not None


def test_clauses_split_after_a_few_words_and_sentences_always() -> None:
    from troupe_agent.providers.local_tts import split_clauses

    text = "Sure, I can help with that, since Paris is sunny today. It is warm!"
    assert [p for p, _, _ in split_clauses(text)] == [
        "Sure, I can help with that,",
        "since Paris is sunny today.",
        "It is warm!",
    ]
    assert [p for p, _, _ in split_clauses("Hi, there. Yes.")] == ["Hi, there.", "Yes."]


async def test_flushed_stt_recognizes_what_was_buffered_since_the_last_flush(
    models: LocalModels,
) -> None:
    """One VAD per session: the session flushes the STT stream; each flush gives the final
    transcript of the audio since the previous one (leading silence trimmed)."""
    from livekit.agents import stt
    from troupe_agent.providers.local_stt import FlushedSTT
    from troupe_agent.simulation.voice_user import speech_frames

    flushed = FlushedSTT(WhisperSTT(models.whisper()))
    stream = flushed.stream()
    stream.push_frame(rtc.AudioFrame(b"\x00\x00" * 48000, 48000, 1, 48000))  # 1 s of silence
    for frame in speech_frames(SENTENCE, models.piper()):
        stream.push_frame(frame)
    stream.flush()
    stream.push_frame(rtc.AudioFrame(b"\x00\x00" * 4800, 48000, 1, 4800))
    stream.flush()
    stream.end_input()  # a last flush
    finals = [
        ev.alternatives[0].text
        async for ev in stream
        if ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT
    ]
    assert len(finals) == 3 and finals[1:] == ["", ""], finals
    assert word_errors(words(finals[0]), words(SENTENCE)) <= 1, finals[0]
