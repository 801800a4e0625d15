"""The offline default LLM with real weights (llama.cpp): tool calls by constrained decoding on
the seeded demo's agents, words for small talk, honest token counts, one shared model."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from livekit.agents import llm
from support.local_llm import demo_agents, missing, require_llama_cpp
from troupe_agent.local_models import LocalModels, LocalModelUnavailable
from troupe_agent.providers import local_llm
from troupe_agent.providers.local_llm import LlamaCppLLM
from troupe_contracts.providers import DEFAULT_OFFLINE, ProviderRole

MODEL = DEFAULT_OFFLINE[ProviderRole.LLM].split("/", 1)[1]


@pytest.fixture(scope="module")
def model() -> Any:
    require_llama_cpp()
    try:
        return LocalModels().llama(MODEL)
    except LocalModelUnavailable as e:
        missing(str(e))


@pytest.fixture(scope="module")
def demo() -> Any:
    return demo_agents()


async def reply(lm: LlamaCppLLM, chat: llm.ChatContext, tools: list[llm.Tool], **kw: Any) -> Any:
    stream = lm.chat(chat_ctx=chat, tools=tools, **kw)
    async with stream:
        chunks = [c async for c in stream]
    texts = [c.delta.content for c in chunks if c.delta and c.delta.content]
    calls = [t for c in chunks if c.delta for t in c.delta.tool_calls]
    return texts, calls, chunks[-1].usage, stream


async def test_plain_request_for_max_calls_the_transfer_tool(model: Any, demo: Any) -> None:
    lm = LlamaCppLLM(model, name=MODEL)
    texts, calls, usage, _ = await reply(
        lm, demo.chat("ava", "Can I talk to Max about my bill?"), demo.tools("ava")
    )
    assert [(c.name, json.loads(c.arguments)) for c in calls] == [("transfer_to_max", {})]
    assert texts == []  # a tool reply says nothing
    assert usage.prompt_tokens > 300 and usage.completion_tokens >= 0


async def test_small_talk_is_answered_in_streamed_words(model: Any, demo: Any) -> None:
    lm = LlamaCppLLM(model, name=MODEL)
    texts, calls, usage, stream = await reply(
        lm, demo.chat("ava", "Hello, how are you today?"), demo.tools("ava")
    )
    assert calls == []
    assert "".join(texts).strip()
    assert len(texts) > 1  # the say string reaches TTS piece by piece, as it is decoded
    assert "{" not in "".join(texts) and '"say"' not in "".join(texts)
    # the whole prompt is counted (system prompt, tool list, examples, the turn)
    assert usage.prompt_tokens == stream.decoder.prompt_tokens > 300
    assert usage.completion_tokens == stream.decoder.completion_tokens > 1
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


async def test_the_system_prompt_is_served_from_the_kv_cache_on_the_next_turn(
    model: Any, demo: Any
) -> None:
    lm = LlamaCppLLM(model, name=MODEL)
    await reply(lm, demo.chat("ava", "Good morning."), demo.tools("ava"))
    _, _, usage, _ = await reply(lm, demo.chat("ava", "Thanks a lot!"), demo.tools("ava"))
    assert usage.prompt_cached_tokens > 300  # instructions, tools and examples not re-evaluated


async def test_after_a_tool_result_the_model_answers_in_words(model: Any, demo: Any) -> None:
    chat = demo.chat("ava", "Please open the notepad.")
    chat.insert(llm.FunctionCall(call_id="c1", name="open_notepad", arguments="{}"))
    chat.insert(
        llm.FunctionCallOutput(
            call_id="c1", name="open_notepad", output="The notepad panel is open.", is_error=False
        )
    )
    texts, calls, _, _ = await reply(LlamaCppLLM(model, name=MODEL), chat, demo.tools("ava"))
    assert calls == [] and "".join(texts).strip()


async def test_required_tool_call_has_arguments_shaped_by_the_schema(model: Any, demo: Any) -> None:
    remember = [
        t for t in demo.tools("ava") if getattr(t, "info", None) and t.info.name == "remember"
    ]
    _, calls, _, _ = await reply(
        LlamaCppLLM(model, name=MODEL),
        demo.chat("ava", "My name is Sam, please keep that in mind."),
        remember,
        tool_choice="required",
    )
    [call] = calls
    args = json.loads(call.arguments)
    assert call.name == "remember"
    assert set(args) == {"key", "value"} and all(isinstance(v, str) for v in args.values())


async def test_sessions_share_one_model_one_generation_at_a_time(model: Any, demo: Any) -> None:
    a, b = LlamaCppLLM(model, name=MODEL), LlamaCppLLM(model, name=MODEL)
    assert local_llm._runner(model) is local_llm._runner(model)
    chat_a = demo.chat("ava", "Hello, how are you today?")
    chat_b = demo.chat("max", "Thanks, that's really helpful.")
    alone_a = "".join((await reply(a, chat_a, demo.tools("ava")))[0])
    alone_b = "".join((await reply(b, chat_b, demo.tools("max")))[0])
    together = await asyncio.gather(
        reply(a, chat_a, demo.tools("ava")), reply(b, chat_b, demo.tools("max"))
    )
    # greedy decoding: interleaved on one llama.cpp context they would corrupt each other
    assert ["".join(r[0]) for r in together] == [alone_a, alone_b]


async def first_turn_after_another_agent(
    model: Any, demo: Any, monkeypatch: pytest.MonkeyPatch, *, prefilled: bool
) -> tuple[int, Any, Any]:
    """Ava's first user turn right after Max's turn on the same shared model (which pushed
    Ava's prompt out of llama.cpp's live KV cache), with Ava's prefix prefilled (as on entering,
    while the greeting plays) or not. Returns the prompt tokens the turn evaluated, its usage and
    its stream."""
    ava = LlamaCppLLM(model, name=MODEL)
    max_ = LlamaCppLLM(model, name=MODEL)
    local_llm.prefix_states(model)._states.clear()
    if prefilled:
        source = await asyncio.wrap_future(ava.prefill(demo.instructions("ava"), demo.tools("ava")))
        assert source == "evaluated"
    await reply(max_, demo.chat("max", "Thanks, that's really helpful."), demo.tools("max"))
    evaluated = 0
    real_eval = model.eval

    def counting_eval(tokens: Any) -> None:
        nonlocal evaluated
        evaluated += len(tokens)
        real_eval(tokens)

    monkeypatch.setattr(model, "eval", counting_eval)
    # the first decoded token is evaluated too: count prompt tokens through the usage's cache
    _, _, usage, stream = await reply(
        ava, demo.chat("ava", "Hello, how are you today?"), demo.tools("ava")
    )
    monkeypatch.undo()
    return evaluated - usage.completion_tokens, usage, stream


async def test_an_agents_prefilled_prompt_prefix_is_reused_on_its_first_turn(
    model: Any, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated, usage, stream = await first_turn_after_another_agent(
        model, demo, monkeypatch, prefilled=True
    )
    prefix = stream.decoder.prefix_tokens
    assert stream.decoder.prefix_source == "restored"  # Max's turn had replaced it in the cache
    assert prefix > 300  # instructions, tool list and examples
    assert usage.prompt_cached_tokens >= prefix
    # only the conversation after the prefix was evaluated
    assert evaluated <= usage.prompt_tokens - prefix + 2 < usage.prompt_tokens


async def test_without_the_prefill_the_first_turn_evaluates_its_whole_prompt(
    model: Any, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated, usage, stream = await first_turn_after_another_agent(
        model, demo, monkeypatch, prefilled=False
    )
    assert stream.decoder.prefix_source == "evaluated"  # and saved for the next time
    assert usage.prompt_cached_tokens < 20  # at most a shared opening with Max's prompt
    assert evaluated >= usage.prompt_tokens - usage.prompt_cached_tokens - 1
    assert local_llm.prefix_states(model).evaluated >= 1


async def test_prompt_and_completion_tokens_reach_the_session_usage(model: Any, demo: Any) -> None:
    """Billing: the usage livekit collects for the session (what the log sink turns into the
    ``usage`` entries the API meters per organization) carries the llama.cpp model's prompt and
    completion tokens under provider ``local``, exactly as the decoder counted them."""
    from livekit.agents.metrics import LLMMetrics, LLMModelUsage, ModelUsageCollector

    lm = LlamaCppLLM(model, name=MODEL)
    seen: list[LLMMetrics] = []
    lm.on("metrics_collected", seen.append)
    collector = ModelUsageCollector()
    lm.on("metrics_collected", collector.collect)
    _, _, first, _ = await reply(
        lm, demo.chat("ava", "Hello, how are you today?"), demo.tools("ava")
    )
    _, _, second, _ = await reply(lm, demo.chat("ava", "Thanks a lot!"), demo.tools("ava"))
    assert len(seen) == 2
    usage = [u for u in collector.flatten() if isinstance(u, LLMModelUsage)]
    assert [(u.provider, u.model) for u in usage] == [("local", MODEL)]
    assert usage[0].input_tokens == first.prompt_tokens + second.prompt_tokens > 600
    assert usage[0].output_tokens == first.completion_tokens + second.completion_tokens > 0
