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
    argument_spans,
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
    spans = remember["properties"]["value"]["enum"]
    assert remember["properties"]["value"] == {
        "enum": list(argument_spans(specs["remember"], said))
    }
    assert set(spans) <= set(quoted_spans(said))
    assert "B-778" in spans and "order number" in spans
    assert remember["required"] == ["key", "value"]
    # not quoted: a free string, as before
    assert remember_free(specs["remember"], said)["type"] == "string"
    # nested texts too, constants and enums untouched; the text a set command writes is
    # required and not null
    control = args_schema(specs["control_notepad"], "Write buy milk in the notepad.", quote=True)
    notepad_set = control["$defs"]["control_notepad__NotepadSet"]
    set_text = notepad_set["properties"]
    assert set_text["op"]["const"] == "notepad.set"
    assert notepad_set["required"] == ["op", "text"]
    assert set_text["text"] == {"enum": ["buy", "buy milk", "milk"]}
    grammar = args_grammar(specs["remember"], said, quote=True)
    assert "B-778" in grammar


def test_argument_spans_leave_out_the_request_and_function_words_at_the_edges() -> None:
    tools, _ = demo_like()
    specs = {s.name: s for s in tool_specs(tools)}
    remember = argument_spans(specs["remember"], "Remember that my name is Sam.")
    assert "Sam" in remember and "name" in remember and "name is Sam" in remember
    assert not any(s.lower().startswith(("remember", "that", "my")) for s in remember)
    assert "is Sam" not in remember and "my name" not in remember
    # the words naming a parameter ("called") and the tool ("notepad") are no title
    title = argument_spans(specs["open_notepad"], "Open a notepad called Meeting notes.")
    assert "Meeting notes" in title
    assert not any("called" in s or "notepad" in s.lower() for s in title)
    # nothing left: every quote, as before
    assert argument_spans(specs["remember"], "Remember it.") == quoted_spans("Remember it.")


def test_a_parameter_named_by_a_cue_word_is_required() -> None:
    tools, _ = demo_like()
    opener = {s.name: s for s in tool_specs(tools)}["open_notepad"]
    for said in ("Open a notepad called Ideas.", "Open the notepad titled Groceries."):
        assert mentioned_parameters(opener, said) == ["title"]
        assert args_schema(opener, said, quote=True)["required"] == ["title"]


def test_a_set_command_requires_its_text_even_unquoted() -> None:
    tools, _ = demo_like()
    control = args_schema({s.name: s for s in tool_specs(tools)}["control_notepad"])
    notepad_set = control["$defs"]["control_notepad__NotepadSet"]
    assert notepad_set["required"] == ["op", "text"]
    assert notepad_set["properties"]["text"] == {"type": "string", "minLength": 1}
    assert "required" not in notepad_set["properties"]["placeholder"]  # still optional
    clear = control["$defs"]["control_notepad__NotepadClear"]
    assert clear["required"] == ["op"]


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


def test_clauses_split_an_utterance_at_punctuation_and_and() -> None:
    from troupe_agent.providers.local_llm import clauses

    assert clauses("Remember my order number B-778 and put me through to Max.") == [
        "Remember my order number B-778",
        "put me through to Max",
    ]
    assert clauses("Thanks, then get Max on the line!") == ["get Max on the line"]
    assert clauses("Can I talk to Max about my bill?") == ["Can I talk to Max about my bill"]


class ClauseRouter:
    """Routings given per clause (what the real encoder would say, fixed for the test)."""

    def __init__(self, routings: dict[str, Routing]) -> None:
        self.routings = routings

    def route(self, utterance: str, specs: Any) -> Routing:
        return self.routings[utterance]


def batch_decoder(text: str, routings: dict[str, Routing]) -> _Decoder:
    tools, _ = demo_like()
    lm = LlamaCppLLM(object(), name="smollm2", router=None)
    lm._router = ClauseRouter(routings)  # type: ignore[assignment]
    request = _Request("", 1, ReplyParser(), tool_specs(tools), user_text=text)
    return _Decoder(lm, request, lambda _: None)


def test_an_action_and_a_transfer_in_one_utterance_make_a_batch_action_first() -> None:
    said = "Put me through to Max and remember my order number B-778"
    remember = Routing(tools={"remember": 0.6, "transfer_to_max": 0.2}, talk=0.2)
    transfer = Routing(tools={"remember": 0.1, "transfer_to_max": 0.7}, talk=0.2)
    routings = {"Put me through to Max": transfer, "remember my order number B-778": remember}
    batch = batch_decoder(said, routings)._batch()
    assert batch is not None
    assert [(s.name, clause) for s, clause in batch] == [
        ("remember", "remember my order number B-778"),
        ("transfer_to_max", "Put me through to Max"),
    ]
    # a clause that is conversation rather than a request: one call as usual
    chat = Routing(tools={"remember": 0.3, "transfer_to_max": 0.2}, talk=0.25)
    routings["remember my order number B-778"] = chat
    assert batch_decoder(said, routings)._batch() is None
    # two actions and no transfer: no batch
    both = {"Put me through to Max": remember, "remember my order number B-778": remember}
    assert batch_decoder(said, both)._batch() is None
    # one clause: no batch (and no routing asked for)
    assert batch_decoder("Please put me through to Max", {})._batch() is None


def test_requests_in_a_frame_of_troupes_tools_route_to_them_whatever_their_topic() -> None:
    from troupe_agent.providers.tool_router import FRAME_SIMILARITY, framed_tools

    names = ["remember", "control_notepad", "control_code", "open_notepad"]
    for said, tool in (
        ("Remember that my car is a Volvo.", "remember"),
        ("Could you please store my badge number 88?", "remember"),
        ("My seat is 14C, please save it.", "remember"),
        ("Don't forget my dentist is on Monday.", "remember"),
        ("Jot down pay the rent on the notepad.", "control_notepad"),
        ("Add oat milk and eggs to my notes.", "control_notepad"),
        ("Please put y = 2 in the code editor.", "control_code"),
    ):
        assert framed_tools(said, names) == {tool}, said
    # statements and questions about memory or writing are no request
    for said in (
        "I can't remember his name.",
        "Do you remember what I said?",
        "What should I write in the notepad?",
        "I put it on the notepad already.",
    ):
        assert framed_tools(said, names) == set(), said
    # the router counts a framed request as an intent matched at FRAME_SIMILARITY
    tools, _ = demo_like()
    routing = ToolRouter(BagOfWords()).route("Remember that my car is a Volvo.", tool_specs(tools))
    assert routing.tools["remember"] == FRAME_SIMILARITY
    assert max(routing.tools, key=routing.tools.__getitem__) == "remember"
