"""The local LLMs' tool routing by sentence similarity (``providers/tool_router.py``), the
argument grammar's use of the user's words, and how the decoder combines the router with the
model's own scores. A fake encoder (bag of words) stands in where the behaviour is arithmetic;
the real offline MiniLM is checked on the seeded demo's paraphrases."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest
from livekit.agents import llm
from support.configs import agent_config, session_config
from troupe_agent.agents import AgentFactory, agent_role, handoff_description
from troupe_agent.providers.local_llm import LOCAL_LLMS, LlamaCppLLM, _Decoder, _Request
from troupe_agent.providers.local_tools import (
    ReplyParser,
    ToolSpec,
    args_grammar,
    args_schema,
    mentioned_parameters,
    quoted_spans,
    tool_specs,
)
from troupe_agent.providers.tool_router import (
    CONVERSATION_INTENTS,
    Routing,
    ToolRouter,
    tool_intents,
)
from troupe_contracts.config import HandoffTarget
from troupe_contracts.session import PanelType


class BagOfWords:
    """A deterministic stand-in encoder: hashed word counts, L2-normalised."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> Any:
        self.calls.append(list(texts))
        rows = np.zeros((len(texts), 256), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().replace("?", " ").replace(".", " ").split():
                rows[i, int(hashlib.sha1(word.encode()).hexdigest(), 16) % 256] += 1.0
        return rows / np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9, None)


def demo_like() -> tuple[list[llm.Tool], Any]:
    front = agent_config(
        "ava",
        name="Ava",
        instructions="You are Ava, the friendly receptionist. Help people.",
        panels=[PanelType.NOTEPAD],
        handoffs=[HandoffTarget(agent="max", description="The user needs technical help.")],
    )
    expert = agent_config(
        "max", name="Max", instructions="You are Max, a patient technical specialist."
    )
    config = session_config(front, expert).model_copy(
        update={"enabled_panels": [PanelType.NOTEPAD]}
    )
    return AgentFactory(config, registry=None).tools(front), config  # type: ignore[arg-type]


def test_handoff_descriptions_say_who_the_target_is() -> None:
    _, config = demo_like()
    max_config = config.agent("max")
    assert agent_role(max_config) == "a patient technical specialist"
    assert agent_role(config.agent("ava")) == "the friendly receptionist"
    text = handoff_description(config.agent("ava").handoffs[0], max_config)
    assert text.startswith(
        "Transfer the user to Max, another agent of this conversation "
        "(a patient technical specialist). Use it when: The user needs technical help."
    )
    plain = max_config.model_copy(update={"instructions": "Answer questions about billing."})
    assert agent_role(plain) == ""
    assert "another agent of this conversation. Use it when" in handoff_description(
        config.agent("ava").handoffs[0], plain
    )


def test_intents_are_written_from_each_tool() -> None:
    tools, _ = demo_like()
    intents = {s.name: tool_intents(s) for s in tool_specs(tools)}
    transfer = intents["transfer_to_max"]
    assert "I want to talk to Max." in transfer
    assert "I need a patient technical specialist." in transfer
    assert "The user needs technical help." in transfer
    assert "Open the notepad." in intents["open_notepad"]
    assert "Close the notepad." in intents["close_notepad"]
    assert intents["remember"][0] == "Remember."
    assert intents["remember"][1].startswith("Save a short fact about the user")
    custom = ToolSpec("check_order_status", "Look up an order. Needs its number.", {})
    assert tool_intents(custom) == ["Check order status.", "Look up an order."]


def test_router_compares_the_utterance_with_tools_and_conversation() -> None:
    tools, _ = demo_like()
    specs = tool_specs(tools)
    encoder = BagOfWords()
    router = ToolRouter(encoder)
    routing = router.route("please transfer me to max", specs)
    assert max(routing.tools, key=routing.tools.__getitem__) == "transfer_to_max"
    assert routing.best_tool > routing.talk
    small = router.route("thank you very much", specs)
    assert small.talk > small.best_tool
    # the intents were encoded once; afterwards only each utterance is
    first_query, intents, second_query = encoder.calls
    assert len(first_query) == 1 and len(second_query) == 1
    assert set(CONVERSATION_INTENTS) <= set(intents)


def decoder(routing: Routing | None, **weights: float) -> _Decoder:
    spec = LOCAL_LLMS["smollm2"]
    lm = LlamaCppLLM(object(), name="smollm2", router=None)
    lm._spec = type(spec)(spec.name, spec.prompt_format, **{"tool_bias": 0.0, **weights})
    request = _Request("", 1, ReplyParser(), [], user_text="hi")
    d = _Decoder(lm, request, lambda _: None)
    d.routing = routing
    if routing is not None:
        lm._router = ToolRouter(BagOfWords())  # present; the routing above is used as is
    return d


def test_the_choice_adds_the_routers_weighted_similarity_to_the_models_margin() -> None:
    routing = Routing(tools={"transfer_to_max": 0.8, "open_notepad": 0.3}, talk=0.2)
    assert decoder(None, route_choice=10.0)._choice_score(-1.0) == -1.0  # no router: the model
    score = decoder(routing, route_choice=10.0, route_offset=-2.0)._choice_score(-1.0)
    assert score == pytest.approx(-1.0 + 10.0 * (0.8 - 0.2) - 2.0)
    talk = Routing(tools={"transfer_to_max": 0.1}, talk=0.9)
    assert decoder(talk, route_choice=10.0)._choice_score(1.0) < 0


def test_mentioned_optional_parameters_become_required_and_texts_non_empty() -> None:
    tools, _ = demo_like()
    specs = {s.name: s for s in tool_specs(tools)}
    opener = specs["open_notepad"]
    assert mentioned_parameters(opener, "Open the notepad with the title Shopping list.") == [
        "title"
    ]
    assert mentioned_parameters(opener, "Open the notepad.") == []
    schema = args_schema(opener, "Open the notepad with the title Shopping list.")
    assert schema["required"] == ["title"]
    assert schema["properties"]["title"]["minLength"] == 1
    assert "required" not in args_schema(opener, "Open the notepad.")
    remember = args_schema(specs["remember"])
    assert remember["properties"]["value"]["minLength"] == 1
    assert remember["properties"]["key"]["minLength"] == 1


def test_quoted_spans_are_the_users_words_trimmed_of_punctuation() -> None:
    spans = quoted_spans("Remember that my name is Sam.")
    assert "Sam" in spans and "my name is Sam" in spans and "name" in spans
    assert "Sam." not in spans  # trimmed
    assert all(s and s[-1] not in ".,!?" for s in spans)
    assert len(quoted_spans("one two three four", max_words=2)) == 4 + 3
    assert quoted_spans("") == ()


def test_quoted_free_text_arguments_are_one_of_the_users_words() -> None:
    tools, _ = demo_like()
    specs = {s.name: s for s in tool_specs(tools)}
    said = "My order number is B-778, please remember it."
    remember = args_schema(specs["remember"], said, quote=True)
    assert remember["properties"]["value"] == {"enum": list(quoted_spans(said))}
    assert "B-778" in remember["properties"]["value"]["enum"]
    assert remember["required"] == ["key", "value"]
    # not quoted: a free string, as before
    assert remember_free(specs["remember"], said)["type"] == "string"
    # nested texts too, constants and enums untouched
    control = args_schema(specs["control_notepad"], "Write buy milk in the notepad.", quote=True)
    set_text = control["$defs"]["control_notepad__NotepadSet"]["properties"]
    assert set_text["op"]["const"] == "notepad.set"
    assert {"enum": list(quoted_spans("Write buy milk in the notepad."))} in set_text["text"][
        "anyOf"
    ]
    grammar = args_grammar(specs["remember"], said, quote=True)
    assert "B-778" in grammar


def remember_free(spec: ToolSpec, said: str) -> Any:
    return args_schema(spec, said)["properties"]["value"]


def test_the_offline_encoder_routes_paraphrases_of_the_seeded_demo() -> None:
    from support.local_llm import demo_agents
    from troupe_agent.providers.tool_router import minilm_router

    demo = demo_agents()
    router = minilm_router()
    ava = tool_specs(demo.tools("ava"))
    for utterance in ("I'd like to speak to someone technical.", "Could Max help me instead?"):
        routing = router.route(utterance, ava)
        assert max(routing.tools, key=routing.tools.__getitem__) == "transfer_to_max"
    routing = router.route("Thanks, have a lovely evening!", ava)
    assert routing.talk > routing.best_tool
    # the shared memory's tools have intents of their own (BUILTIN_INTENTS)
    routing = router.route("Save this: my flight is on Friday.", ava)
    assert max(routing.tools, key=routing.tools.__getitem__) == "remember"
    assert routing.tools["remember"] > routing.talk


async def test_the_routed_local_llm_hands_off_on_a_paraphrase_and_answers_small_talk() -> None:
    """The default local LLM as sessions build it (``build_local_llm``: the router on)."""
    from support.local_llm import demo_agents, missing, require_llama_cpp
    from troupe_agent.local_models import LocalModels, LocalModelUnavailable
    from troupe_agent.providers.local_llm import build_local_llm

    require_llama_cpp()
    try:
        lm = build_local_llm(LocalModels(), "smollm2")
    except LocalModelUnavailable as e:
        missing(str(e))
    assert lm._router is not None
    demo = demo_agents()

    async def answer(slug: str, text: str) -> tuple[str, list[str]]:
        stream = lm.chat(chat_ctx=demo.chat(slug, text), tools=demo.tools(slug))
        async with stream:
            chunks = [c async for c in stream]
        said = "".join(c.delta.content or "" for c in chunks if c.delta)
        return said, [t.name for c in chunks if c.delta for t in c.delta.tool_calls]

    assert (await answer("ava", "Can I talk to Max about my bill?"))[1] == ["transfer_to_max"]
    assert (await answer("ava", "I'd like to speak to someone technical."))[1] == [
        "transfer_to_max"
    ]
    said, calls = await answer("ava", "Hello, how are you today?")
    assert calls == [] and said.strip()


async def test_the_default_local_llm_quotes_the_users_words_in_a_free_text_argument() -> None:
    """``quote_args`` on (the default): the fact saved is words the user said, never an
    invented or empty one (the model still chooses which words)."""
    import json

    from support.local_llm import demo_agents, missing, require_llama_cpp
    from troupe_agent.local_models import LocalModels, LocalModelUnavailable
    from troupe_agent.providers.local_llm import build_local_llm

    require_llama_cpp()
    try:
        lm = build_local_llm(LocalModels(), "smollm2")
    except LocalModelUnavailable as e:
        missing(str(e))
    assert lm._quote_args
    demo = demo_agents()
    text = "My order number is B-778, please remember it."
    stream = lm.chat(
        chat_ctx=demo.chat("ava", text), tools=demo.tools("ava"), tool_choice="required"
    )
    async with stream:
        calls = [t for c in [c async for c in stream] if c.delta for t in c.delta.tool_calls]
    assert [c.name for c in calls] == ["remember"]
    args = json.loads(calls[0].arguments)
    assert set(args) == {"key", "value"}
    for value in args.values():
        assert value and value in quoted_spans(text)
