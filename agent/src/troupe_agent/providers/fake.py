"""Deterministic fake providers for tests: ``fake/echo`` and ``fake/scripted`` LLMs, plus a fake
STT and TTS.

The worker exposes the two LLMs only when ``TROUPE_ENABLE_TEST_PROVIDERS`` is true (for
whole-system tests); unit tests import everything here directly."""

import asyncio
import base64
import dataclasses
import io
import json
import math
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from livekit import rtc
from livekit.agents import APIConnectionError, APIConnectOptions, llm, stt, tts, utils
from livekit.agents.language import LanguageCode
from livekit.agents.llm.tool_context import Tool, ToolChoice
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

from troupe_agent.providers._chat import last_user_text

ECHO_PREFIX = "You said: "
ECHO_EMPTY_REPLY = "Hello! I am listening."
SCRIPT_ENV = "TROUPE_FAKE_LLM_SCRIPT"
"""JSON (inline, or a path to a file) with the script the worker's ``fake/scripted`` follows."""
STT_SCRIPT_ENV = "TROUPE_FAKE_STT_SCRIPT"
"""JSON list of transcripts (inline, or a path) the worker's ``fake/instant`` STT cycles through."""
INSTANT_DEFAULT_TRANSCRIPT = "Hello there."


def split_in_chunks(text: str, parts: int = 3) -> list[str]:
    """``text`` cut at word boundaries into at most ``parts`` pieces that join back to it."""
    words = text.split(" ")
    size = max(1, -(-len(words) // parts))
    pieces = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [p + " " for p in pieces[:-1]] + pieces[-1:]


# --------------------------------------------------------------------------------------- LLM


@dataclass(frozen=True)
class ScriptedToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScriptedTurn:
    """One LLM reply: text and/or tool calls, or an error raised instead."""

    text: str = ""
    tool_calls: tuple[ScriptedToolCall, ...] = ()
    error: str | None = None
    first_token_delay_s: float = 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ScriptedTurn":
        return cls(
            text=data.get("text", ""),
            tool_calls=tuple(
                ScriptedToolCall(c["name"], c.get("arguments", {}))
                for c in data.get("tool_calls", [])
            ),
            error=data.get("error"),
            first_token_delay_s=float(data.get("first_token_delay_s", 0.0)),
        )


class _FakeLLMBase(llm.LLM[Any]):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[llm.ChatContext] = []
        """Every chat context this LLM was asked to continue, for assertions."""

    @property
    def provider(self) -> str:
        return "fake"

    def next_turn(self, chat_ctx: llm.ChatContext) -> ScriptedTurn:
        raise NotImplementedError

    def chat(
        self,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> llm.LLMStream:
        self.calls.append(chat_ctx.copy())
        turn = self.next_turn(chat_ctx)
        return _ScriptedStream(
            self, turn=turn, chat_ctx=chat_ctx, tools=tools or [], conn_options=conn_options
        )


class _ScriptedStream(llm.LLMStream):
    def __init__(self, owner: llm.LLM[Any], *, turn: ScriptedTurn, **kw: Any) -> None:
        super().__init__(owner, **kw)
        self._turn = turn

    async def _run(self) -> None:
        turn = self._turn
        request_id = uuid.uuid4().hex
        if turn.first_token_delay_s:
            await asyncio.sleep(turn.first_token_delay_s)
        if turn.error is not None:
            raise APIConnectionError(turn.error, retryable=False)
        if turn.text:
            for piece in split_in_chunks(turn.text):
                self._event_ch.send_nowait(
                    llm.ChatChunk(
                        id=request_id, delta=llm.ChoiceDelta(role="assistant", content=piece)
                    )
                )
                await asyncio.sleep(0)
        for call in turn.tool_calls:
            self._event_ch.send_nowait(
                llm.ChatChunk(
                    id=request_id,
                    delta=llm.ChoiceDelta(
                        role="assistant",
                        tool_calls=[
                            llm.FunctionToolCall(
                                name=call.name,
                                arguments=json.dumps(call.arguments),
                                call_id=f"call_{uuid.uuid4().hex[:8]}",
                            )
                        ],
                    ),
                )
            )
        words = len(turn.text.split())
        self._event_ch.send_nowait(
            llm.ChatChunk(
                id=request_id,
                usage=llm.CompletionUsage(
                    completion_tokens=words, prompt_tokens=10, total_tokens=words + 10
                ),
            )
        )


class EchoLLM(_FakeLLMBase):
    """``fake/echo``: replies exactly ``You said: <last user text>``, in a few chunks."""

    @property
    def model(self) -> str:
        return "echo"

    def next_turn(self, chat_ctx: llm.ChatContext) -> ScriptedTurn:
        text = last_user_text(chat_ctx)
        return ScriptedTurn(text=f"{ECHO_PREFIX}{text}" if text else ECHO_EMPTY_REPLY)


ScriptData = list[Any] | dict[str, Any]


def script_turns(data: ScriptData, agent: str | None = None) -> list[Any]:
    """The turns of a scripted-LLM script meant for ``agent``. Formats:

    - a list of turns: every agent follows it (each agent's LLM keeps its own position);
    - ``{"turns": [...]}``: the same;
    - ``{"agents": {"<slug>": [...]}, "default": [...]}``: each agent its own turns; an agent
      not listed (or ``agent=None``) gets ``default`` (``turns`` is accepted for it), else none.

    A turn is a string (text) or an object with ``text``, ``tool_calls`` (``name``,
    ``arguments``), ``error``, ``first_token_delay_s``. A turn's text may report what the LLM
    received (see ``describe_received``): ``{image_count}``, ``{last_image}``,
    ``{last_tool_output}``, ``{last_knowledge}`` (the best chunk of the last
    ``search_knowledge`` result)."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise ValueError("a scripted-LLM script is a list of turns or an object")
    default = data.get("default", data.get("turns", []))
    agents = data.get("agents") or {}
    if not isinstance(agents, dict):
        raise ValueError('"agents" must map agent slugs to lists of turns')
    turns = agents.get(agent, default) if agent is not None else default
    if not isinstance(turns, list):
        raise ValueError(f"the turns for {agent or 'default'!r} must be a list")
    return turns


def _image_description(image: llm.ImageContent) -> str:
    """``640x480 JPEG`` for an image the context holds as a data URL (decoded, not guessed)."""
    from PIL import Image

    source = image.image
    if not isinstance(source, str) or not source.startswith("data:"):
        return "an image that is not a data URL"
    header, _, payload = source.partition(",")
    try:
        with Image.open(io.BytesIO(base64.b64decode(payload))) as img:
            return f"{img.width}x{img.height} {img.format}"
    except Exception:
        return f"an unreadable image ({header})"


def describe_received(chat_ctx: llm.ChatContext) -> dict[str, str]:
    """Facts about the context a fake LLM was given, for script placeholders: how many images
    it holds, the last one's size and format, and the last tool output (errors included)."""
    images = [
        c
        for item in chat_ctx.items
        if isinstance(item, llm.ChatMessage)
        for c in item.content
        if isinstance(c, llm.ImageContent)
    ]
    outputs = [i for i in chat_ctx.items if isinstance(i, llm.FunctionCallOutput)]
    return {
        "{image_count}": str(len(images)),
        "{last_image}": _image_description(images[-1]) if images else "no image",
        "{last_tool_output}": outputs[-1].output if outputs else "no tool output",
        "{last_knowledge}": _last_knowledge(outputs),
    }


def _last_knowledge(outputs: list[llm.FunctionCallOutput]) -> str:
    """The text of the best chunk the last knowledge search returned (a ``search_knowledge``
    result, ``troupe_contracts.knowledge.KnowledgeSearchResult``), or a sentence saying none."""
    for output in reversed(outputs):
        if output.name != "search_knowledge":
            continue
        try:
            chunks = json.loads(output.output).get("chunks") or []
        except (ValueError, AttributeError):
            return "the knowledge search failed"
        if not chunks:
            return "nothing in the knowledge base"
        return " ".join(str(chunks[0].get("text", "")).split())
    return "no knowledge search"


def fill_placeholders(text: str, chat_ctx: llm.ChatContext) -> str:
    if "{" not in text:
        return text
    for key, value in describe_received(chat_ctx).items():
        text = text.replace(key, value)
    return text


class ScriptedLLM(_FakeLLMBase):
    """``fake/scripted``: answers each call with the next turn of its script. Past the end of
    the script it falls back to echoing, so a test never hangs on a missing turn. The worker
    builds one per agent per session (``from_env(agent=slug)``, see ``script_turns``), so
    each agent of each session consumes its own turns from the first."""

    def __init__(self, turns: Iterable[ScriptedTurn | dict[str, Any] | str] = ()) -> None:
        super().__init__()
        self._turns: list[ScriptedTurn] = [
            t
            if isinstance(t, ScriptedTurn)
            else ScriptedTurn(text=t)
            if isinstance(t, str)
            else ScriptedTurn.from_dict(t)
            for t in turns
        ]

    @classmethod
    def from_env(cls, agent: str | None = None) -> "ScriptedLLM":
        """The script of ``TROUPE_FAKE_LLM_SCRIPT`` (inline JSON or a file path, read at each
        call so every session starts from the first turn), for the agent ``agent``."""
        raw = os.environ.get(SCRIPT_ENV, "").strip()
        if not raw:
            return cls()
        if not raw.startswith(("[", "{")):
            with open(raw, encoding="utf-8") as f:
                raw = f.read()
        return cls(script_turns(json.loads(raw), agent))

    @property
    def model(self) -> str:
        return "scripted"

    @property
    def remaining(self) -> int:
        return len(self._turns)

    def next_turn(self, chat_ctx: llm.ChatContext) -> ScriptedTurn:
        if self._turns:
            turn = self._turns.pop(0)
            if turn.text:
                turn = dataclasses.replace(turn, text=fill_placeholders(turn.text, chat_ctx))
            return turn
        text = last_user_text(chat_ctx)
        return ScriptedTurn(text=f"{ECHO_PREFIX}{text}" if text else ECHO_EMPTY_REPLY)


# --------------------------------------------------------------------------------------- TTS


class FakeTTS(tts.TTS[Any]):
    """Silent audio whose length grows with the text (``seconds_per_char``), so playback
    takes a known time; ``fail=True`` makes every synthesis raise."""

    def __init__(
        self, *, sample_rate: int = 24000, seconds_per_char: float = 0.01, fail: bool = False
    ) -> None:
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=sample_rate,
            num_channels=1,
        )
        self.seconds_per_char = seconds_per_char
        self.fail = fail
        self.inputs: list[str] = []

    @property
    def model(self) -> str:
        return "fake-tts"

    @property
    def provider(self) -> str:
        return "fake"

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        self.inputs.append(text)
        return _FakeChunkedStream(tts=self, input_text=text, conn_options=conn_options)


class _FakeChunkedStream(tts.ChunkedStream):
    def __init__(self, *, tts: FakeTTS, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._fake = tts

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        if self._fake.fail:
            raise APIConnectionError("fake TTS failure", retryable=False)
        output_emitter.initialize(
            request_id=uuid.uuid4().hex,
            sample_rate=self._fake.sample_rate,
            num_channels=1,
            mime_type="audio/pcm",
        )
        samples = int(len(self.input_text) * self._fake.seconds_per_char * self._fake.sample_rate)
        output_emitter.push(b"\x00\x00" * max(samples, 1))
        output_emitter.flush()


class ToneTTS(tts.TTS[Any]):
    """``fake/tone``: a short sine tone per synthesis, generated at once and pushed in 20 ms
    chunks, so the voice pipeline is measured with no synthesis time (latency benches)."""

    def __init__(
        self, *, sample_rate: int = 24000, seconds: float = 0.3, freq_hz: float = 440.0
    ) -> None:
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=sample_rate,
            num_channels=1,
        )
        self.seconds = seconds
        self.freq_hz = freq_hz
        self._pcm = self._generate()

    @property
    def model(self) -> str:
        return "tone"

    @property
    def provider(self) -> str:
        return "fake"

    def pcm(self) -> bytes:
        return self._pcm

    def _generate(self) -> bytes:
        n = int(self.seconds * self.sample_rate)
        step = 2 * math.pi * self.freq_hz / self.sample_rate
        ramp = max(1, self.sample_rate // 200)  # 5 ms fade in/out, no clicks
        samples = (
            int(8000 * min(1.0, (i + 1) / ramp, (n - i) / ramp) * math.sin(i * step))
            for i in range(n)
        )
        return b"".join(s.to_bytes(2, "little", signed=True) for s in samples)

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        return _ToneChunkedStream(tts=self, input_text=text, conn_options=conn_options)


class _ToneChunkedStream(tts.ChunkedStream):
    def __init__(self, *, tts: ToneTTS, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._tone = tts

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        output_emitter.initialize(
            request_id=uuid.uuid4().hex,
            sample_rate=self._tone.sample_rate,
            num_channels=1,
            mime_type="audio/pcm",
        )
        pcm = self._tone.pcm()
        chunk = 2 * self._tone.sample_rate // 50
        for i in range(0, len(pcm), chunk):
            output_emitter.push(pcm[i : i + chunk])
        output_emitter.flush()


# --------------------------------------------------------------------------------------- STT


class FakeSTT(stt.STT[Any]):
    """Returns the queued transcripts in order, one per recognized utterance."""

    def __init__(self, transcripts: Iterable[str] = ()) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self.transcripts = list(transcripts)

    @property
    def model(self) -> str:
        return "fake-stt"

    @property
    def provider(self) -> str:
        return "fake"

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        text = self.transcripts.pop(0) if self.transcripts else ""
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=uuid.uuid4().hex,
            alternatives=[stt.SpeechData(language=LanguageCode("en"), text=text, confidence=1.0)],
        )


class InstantSTT(FakeSTT):
    """``fake/instant``: on each VAD-ended utterance, returns at once the next transcript of its
    script (cycling), or a fixed sentence; never empty, so every utterance gets a reply."""

    def __init__(self, transcripts: Iterable[str] = ()) -> None:
        super().__init__(transcripts)
        self._script = list(transcripts) or [INSTANT_DEFAULT_TRANSCRIPT]
        self._next = 0

    @classmethod
    def from_env(cls) -> "InstantSTT":
        raw = os.environ.get(STT_SCRIPT_ENV, "").strip()
        if raw and not raw.startswith("["):
            with open(raw, encoding="utf-8") as f:
                raw = f.read()
        return cls([str(t) for t in json.loads(raw)] if raw else [])

    @property
    def model(self) -> str:
        return "instant"

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        text = self._script[self._next % len(self._script)]
        self._next += 1
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=uuid.uuid4().hex,
            alternatives=[stt.SpeechData(language=LanguageCode("en"), text=text, confidence=1.0)],
        )


def silence(seconds: float, sample_rate: int = 16000) -> rtc.AudioFrame:
    n = int(seconds * sample_rate)
    return rtc.AudioFrame(
        data=b"\x00\x00" * n, sample_rate=sample_rate, num_channels=1, samples_per_channel=n
    )
