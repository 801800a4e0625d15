"""Tool calling for the local LLMs, the parts that need no model: tool specs from the runtime's
real tools, the prompt, the chat rendering, the incremental reply parser, the grammar text."""

from __future__ import annotations

import json

import pytest
from livekit.agents import llm
from support.configs import agent_config, session_config
from troupe_agent.agents import AgentFactory
from troupe_agent.providers.local_tools import (
    SAY_GRAMMAR,
    ReplyParser,
    args_grammar,
    args_schema,
    call_prefix,
    chat_turns,
    example_turns,
    last_item_is_instruction,
    last_item_is_tool_output,
    system_prompt,
    tool_specs,
)
from troupe_contracts.config import HandoffTarget
from troupe_contracts.session import PanelType


def demo_like_tools() -> list[llm.Tool]:
    front = agent_config(
        "ava",
        name="Ava",
        panels=[PanelType.NOTEPAD],
        handoffs=[HandoffTarget(agent="max", description="The user needs technical help.")],
    )
    expert = agent_config("max", name="Max")
    config = session_config(front, expert).model_copy(
        update={"enabled_panels": [PanelType.NOTEPAD]}
    )
    return AgentFactory(config, registry=None).tools(front)  # type: ignore[arg-type]


def test_tool_specs_carry_the_runtime_tools_with_their_schemas() -> None:
    specs = {s.name: s for s in tool_specs(demo_like_tools())}
    assert {"open_notepad", "control_notepad", "remember", "transfer_to_max"} <= set(specs)
    assert "Max" in specs["transfer_to_max"].description
    assert specs["remember"].parameters["required"] == ["key", "value"]


def test_args_schema_is_closed_and_bounded_for_a_grammar() -> None:
    control = next(s for s in tool_specs(demo_like_tools()) if s.name == "control_notepad")
    schema = args_schema(control)
    text = json.dumps(schema)
    assert schema["additionalProperties"] is False
    assert "100000" not in text  # a maxLength spelled out rule by rule would be megabytes
    set_op = schema["$defs"]["control_notepad__NotepadSet"]
    assert set_op["required"][0] == "op"  # the discriminating constant is always written
    assert all(ref.startswith("#/$defs/control_notepad__") for ref in _refs(schema))


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_prompt_lists_tools_and_examples_use_the_agents_own_tools() -> None:
    specs = tool_specs(demo_like_tools())
    prompt = system_prompt("You are Ava.", specs)
    assert prompt.startswith("You are Ava.")
    assert "- transfer_to_max(): Transfer the user to Max" in prompt
    assert "- remember(key: string, value: string)" in prompt
    assert "Call it alone" not in prompt  # advice for big models is cut
    examples = example_turns(specs)
    replies = [json.loads(t.content) for t in examples if t.role == "assistant"]
    assert {"tool": "transfer_to_max", "args": {}} in replies
    assert replies[0].keys() == {"say"} and replies[-1].keys() == {"say"}
    assert [t.role for t in examples] == ["user", "assistant"] * (len(examples) // 2)
    # calls with arguments only on request (quoted arguments cannot be copied from them)
    assert not any("args" in r and r["args"] for r in replies)
    with_args = [
        json.loads(t.content)
        for t in example_turns(specs, arg_examples=True)
        if t.role == "assistant"
    ]
    assert {"tool": "remember", "args": {"key": "room number", "value": "12"}} in with_args
    assert {
        "tool": "control_notepad",
        "args": {"command": {"op": "notepad.set", "text": "call the dentist"}},
    } in with_args
    assert with_args[0].keys() == {"say"} and with_args[-1].keys() == {"say"}


def test_chat_turns_render_tool_calls_and_results_in_the_reply_format() -> None:
    ctx = llm.ChatContext()
    ctx.add_message(role="system", content="Be brief.")
    ctx.add_message(role="assistant", content="Hi, I'm Ava.")
    ctx.add_message(role="user", content="Open the notepad")
    ctx.insert(llm.FunctionCall(call_id="c1", name="open_notepad", arguments='{"title": "x"}'))
    ctx.insert(
        llm.FunctionCallOutput(call_id="c1", name="open_notepad", output="Open.", is_error=False)
    )
    assert last_item_is_tool_output(ctx)
    system, turns = chat_turns(ctx, json_replies=True)
    assert system == "Be brief."
    # the greeting before the first user turn is dropped; the call is in the reply format
    assert turns[0].role == "user" and turns[0].content.startswith("Open the notepad")
    assert json.loads(turns[1].content) == {"tool": "open_notepad", "args": {"title": "x"}}
    assert turns[2].role == "user" and "[open_notepad result: Open.]" in turns[2].content
    ctx.add_message(role="user", content="thanks")
    assert not last_item_is_tool_output(ctx)
    _, plain = chat_turns(ctx, json_replies=False)
    assert [t.content for t in plain] == ["Open the notepad\nthanks"]  # merged, no tool items


def test_parser_streams_the_say_string_as_it_is_decoded() -> None:
    parser = ReplyParser(tool_names=frozenset({"x"}))
    pieces = ['{"', 'say": "', "Hel", 'lo \\"you', '\\"', "\\", "n", "ok\\u00e9", '"', "}"]
    out = [parser.feed(p) for p in pieces]
    assert "".join(out) == 'Hello "you"\noké'
    assert out[2] == "Hel"  # text comes out before the string is complete
    assert parser.complete and parser.finish() is None


def test_parser_reads_a_tool_call_once_complete() -> None:
    parser = ReplyParser(tool_names=frozenset({"remember"}))
    for piece in ['{"tool": "remember", "args": {"key": "name",', ' "value": "Sam"}', "}"]:
        assert parser.feed(piece) == ""
    assert parser.complete
    call = parser.finish()
    assert call is not None and call.name == "remember"
    assert json.loads(call.arguments) == {"key": "name", "value": "Sam"}


@pytest.mark.parametrize(
    "reply",
    [
        '{"tool": "delete_everything", "args": {}}',  # not one of the agent's tools
        '{"tool": "remember", "args": {"key": "a"',  # cut off
        '{"tool": "remember", "args": "x"}',
    ],
)
def test_parser_drops_what_is_no_valid_call(reply: str) -> None:
    parser = ReplyParser(tool_names=frozenset({"remember"}))
    parser.feed(reply)
    assert parser.finish() is None


def test_parser_speaks_plain_text_and_other_json_says() -> None:
    plain = ReplyParser()
    assert plain.feed("Hello") + plain.feed(" there") == "Hello there"
    other = ReplyParser(tool_names=frozenset({"x"}))
    other.feed('{"say" : null, "x": 1}')
    assert other.finish() is None and other.unparsed_say() is None
    spaced = ReplyParser(tool_names=frozenset({"x"}))
    assert spaced.feed('{ "say":"fine"}') == "fine"


def test_grammars_are_valid_gbnf() -> None:
    from support.local_llm import require_llama_cpp

    require_llama_cpp()
    from llama_cpp.llama_grammar import LlamaGrammar

    for spec in tool_specs(demo_like_tools()):
        text = args_grammar(spec)
        assert text.startswith('root ::= args "}" space')
        assert len(text) < 5_000, spec.name
        LlamaGrammar.from_string(text, verbose=False)
    LlamaGrammar.from_string(SAY_GRAMMAR, verbose=False)


def test_call_prefix_is_the_reply_up_to_the_arguments() -> None:
    assert call_prefix("transfer_to_max") + "{}}" == '{"tool": "transfer_to_max", "args": {}}'
    assert json.loads(call_prefix("x") + '{"a": 1}}') == {"tool": "x", "args": {"a": 1}}


def test_a_reply_asked_for_with_instructions_after_the_user_is_in_words() -> None:
    ctx = llm.ChatContext()
    ctx.add_message(role="system", content="You are Max.")
    assert not last_item_is_instruction(ctx)  # a prefill: no conversation yet
    ctx.add_message(role="user", content="Remember my order number B-778 and get me Max.")
    assert not last_item_is_instruction(ctx)
    ctx.add_message(role="system", content="Ava called the tool remember with ...")
    ctx.add_message(role="system", content="You have just taken over this conversation.")
    assert last_item_is_instruction(ctx)
    ctx.add_message(role="assistant", content="Hi, I'm Max.")
    assert not last_item_is_instruction(ctx)
