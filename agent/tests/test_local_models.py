"""The real offline audio path: Piper speaks a sentence, Whisper hears it back."""

import re
import time

import pytest
from livekit import rtc
from troupe_agent.local_models import LocalModels
from troupe_agent.providers.local_stt import WhisperSTT
from troupe_agent.providers.local_tts import PiperTTS
from troupe_agent.simulation.voice_user import word_errors

SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


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


def test_whisper_fitted_window_hears_what_the_full_window_hears(models: LocalModels) -> None:
    """The default fitted encoder window (utterance + 1 s) against faster-whisper's 30 s one, on
    the same audio: both hear the sentence, and silence is no speech on both."""
    import numpy as np
    from troupe_agent.providers.local_stt import frames_to_whisper_input
    from troupe_agent.simulation.voice_user import speech_frames

    quiet = rtc.AudioFrame(b"\x00\x00" * 480, 48000, 1, 480)
    audio = frames_to_whisper_input([quiet] * 30 + speech_frames(SENTENCE, models.piper()))
    fitted, full = WhisperSTT(models.whisper()), WhisperSTT(models.whisper(), window_pad=None)
    assert fitted._window_pad_s == 1.0 and full._window_pad_s is None
    for whisper in (fitted, full):
        assert word_errors(words(whisper.transcribe_sync(audio)), words(SENTENCE)) <= 1
        assert whisper.transcribe_sync(np.zeros(16000, dtype=np.float32)) == ""
    assert fitted.full_window_retries == 0


def test_whisper_redoes_an_unsure_fitted_decode_on_the_full_window(models: LocalModels) -> None:
    """When the fitted decode is unsure (None), the utterance is recognized again the way
    faster-whisper does it, and the retry is counted."""
    from troupe_agent.providers.local_stt import frames_to_whisper_input
    from troupe_agent.simulation.voice_user import speech_frames

    class Unsure(WhisperSTT):
        def _transcribe_fitted(self, audio: object, pad_s: float) -> str | None:
            return None

    audio = frames_to_whisper_input(speech_frames(SENTENCE, models.piper()))
    whisper = Unsure(models.whisper())
    assert word_errors(words(whisper.transcribe_sync(audio)), words(SENTENCE)) <= 1
    assert whisper.full_window_retries == 1


def test_whisper_cuts_a_short_window_repetition() -> None:
    from troupe_agent.providers.local_stt import trim_repetition

    good, morning, dot = 101, 102, 13
    looped = [good, morning, dot] * 3 + [good, morning]
    assert trim_repetition(looped) == [good, morning, dot]
    assert trim_repetition([7, *looped]) == [7, good, morning, dot]
    assert trim_repetition([1, 2, 3, 4]) == [1, 2, 3, 4]
    assert trim_repetition([7, 9, 9]) == [7, 9, 9]  # one token twice: kept
    assert trim_repetition([7, 9, 9, 9]) == [7, 9]
    assert trim_repetition([4, 1, 2, 1]) == [4, 1, 2, 1]  # less than one whole repeat


def test_whisper_window_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from troupe_agent.providers.local_stt import compression_ratio, window_pad_s

    monkeypatch.delenv("TROUPE_STT_WINDOW", raising=False)
    assert window_pad_s() == 1.0
    monkeypatch.setenv("TROUPE_STT_WINDOW", "full")
    assert window_pad_s() is None
    monkeypatch.setenv("TROUPE_STT_WINDOW", "2.5")
    assert window_pad_s() == 2.5
    assert compression_ratio("") == 0.0
    assert compression_ratio("la " * 40) > 2.4 > compression_ratio("Can I talk to Max?")


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
