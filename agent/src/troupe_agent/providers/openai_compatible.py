"""The ``openai-compatible/<model>`` LLM: livekit's OpenAI plugin pointed at OPENAI_BASE_URL
(a llama.cpp server, Ollama, vLLM), with a request timeout that suits a local model.

livekit sends every LLM request with the session's ``APIConnectOptions.timeout`` (10 s) as the
whole httpx timeout; a local model on a CPU that decides on a tool before its first byte can
take longer than that for a legitimate answer, and the retries then ask it all over again.
Here the timeout is at least ``request_timeout_s`` (``OPENAI_COMPATIBLE_TIMEOUT_S``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from livekit.agents import DEFAULT_API_CONNECT_OPTIONS, APIConnectOptions
from livekit.plugins import openai


class OpenAICompatibleLLM(openai.LLM):
    def __init__(self, *, request_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request_timeout_s = request_timeout_s

    def chat(
        self, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS, **kwargs: Any
    ) -> openai.llm.LLMStream:
        if conn_options.timeout != self.request_timeout_s:
            conn_options = dataclasses.replace(conn_options, timeout=self.request_timeout_s)
        return super().chat(conn_options=conn_options, **kwargs)
