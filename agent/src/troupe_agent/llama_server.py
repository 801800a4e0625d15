"""A local OpenAI-compatible server whose tool calls stream: llama-cpp-python's own server
(``llama_cpp.server``, from its ``server`` extra) with one more chat format, ``troupe-tools``.

Why not the stock ``chatml-function-calling`` format: it refuses ``stream=true`` with
``tool_choice="auto"`` (exactly what livekit's OpenAI plugin sends on every turn) and, when it
decides to answer in words, decodes the words under a grammar of tool names, so the reply comes
back empty. ``troupe-tools`` (ChatML prompts, as SmolLM2, Qwen and most small instruct models
use):

- no tools, or ``tool_choice="none"``: a plain ChatML completion, streamed token by token;
- otherwise one grammar-constrained step picks "answer in words" or one tool (``"required"``
  and a named tool narrow the choice); words then stream unconstrained, and a tool's arguments
  are decoded under the JSON-schema grammar of its parameters, so they always parse.

Run it (the documented way to serve a bigger local GGUF to agents):

    python -m troupe_agent.llama_server --model PATH.gguf --chat_format troupe-tools \\
        --host 127.0.0.1 --port 8080 --n_ctx 4096

and point the runtime at it: ``OPENAI_BASE_URL=http://127.0.0.1:8080/v1`` with an agent LLM of
``openai-compatible/<model alias>``. Every other flag is llama_cpp.server's own."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

CHAT_FORMAT = "troupe-tools"

ANSWER = "message:"
"""How the model starts a reply in words; a tool call starts with ``functions.<name>:``."""

MAX_STRING_ARGUMENT = 300
"""Longest string argument decoded (a small model may repeat itself until its token budget)."""


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = [p.get("text", "") for p in content if isinstance(p, dict)]
    return "".join(str(p) for p in parts)


def tools_prompt(tools: list[dict[str, Any]]) -> str:
    """The tool list as the model reads it, appended to the system message (the layout of
    llama-cpp-python's ``chatml-function-calling``, plus each tool's description)."""
    lines = ["You have access to the following functions:", ""]
    for tool in tools:
        fn = tool["function"]
        params = json.dumps(fn.get("parameters") or {"type": "object", "properties": {}})
        lines += [f"functions.{fn['name']}:", f"// {fn.get('description', '').strip()}", params, ""]
    lines += [
        "You can respond to users messages with either a single message or a function call.",
        "",
        f"To respond with a message begin the message with '{ANSWER}', use the following format:",
        "",
        ANSWER,
        "<message>",
        "",
        "To respond with a function call begin the message with 'functions.<function_name>:', "
        "use the following format:",
        "",
        "functions.<function_name>:",
        '{ "arg1": "value1", "arg2": "value2" }',
    ]
    return "\n".join(lines)


def render_prompt(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> str:
    """ChatML, with tool calls written as ``functions.<name>:`` and their JSON arguments and
    tool results as a ``tool`` turn, so a follow-up request carries the whole exchange."""
    out: list[str] = []
    system = "\n\n".join(_text(m.get("content")) for m in messages if m["role"] == "system")
    if tools:
        system = f"{system}\n\n{tools_prompt(tools)}".strip()
    if system:
        out.append(f"<|im_start|>system\n{system}<|im_end|>\n")
    for m in messages:
        role = m["role"]
        if role == "system":
            continue
        if role == "assistant":
            body = _text(m.get("content"))
            if tools and body:
                body = f"{ANSWER}\n{body}"
            for call in m.get("tool_calls") or []:
                fn = call["function"]
                body += f"\nfunctions.{fn['name']}:\n{fn.get('arguments') or '{}'}"
            out.append(f"<|im_start|>assistant\n{body.strip()}<|im_end|>\n")
        elif role in ("tool", "function"):
            out.append(f"<|im_start|>tool\n{_text(m.get('content'))}<|im_end|>\n")
        else:
            out.append(f"<|im_start|>user\n{_text(m.get('content'))}<|im_end|>\n")
    out.append("<|im_start|>assistant\n")
    return "".join(out)


def decision_grammar(names: list[str], *, allow_answer: bool) -> str:
    choices = [f'"functions.{name}:"' for name in names]
    if allow_answer:
        choices.insert(0, f'"{ANSWER}"')
    return f"root ::= {' | '.join(choices)}\n"


def bounded(schema: Any) -> Any:
    """``schema`` with a ``maxLength`` on every string that has none."""
    if isinstance(schema, dict):
        out = {k: bounded(v) for k, v in schema.items()}
        if out.get("type") == "string" and "enum" not in out:
            out.setdefault("maxLength", MAX_STRING_ARGUMENT)
        return out
    if isinstance(schema, list):
        return [bounded(v) for v in schema]
    return schema


def _chunk(
    completion_id: str, model: str, delta: dict[str, Any], finish: str | None
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def troupe_tools_handler(
    *,
    llama: Any,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    tool_choice: Any = None,
    functions: list[dict[str, Any]] | None = None,
    temperature: float = 0.2,
    top_p: float = 0.95,
    top_k: int = 40,
    min_p: float = 0.05,
    stream: bool = False,
    stop: str | list[str] | None = None,
    max_tokens: int | None = None,
    model: str | None = None,
    **_: Any,
) -> Any:
    """A ``LlamaChatCompletionHandler`` (llama-cpp-python's chat handler signature)."""
    from llama_cpp import llama_grammar

    if functions and not tools:
        tools = [{"type": "function", "function": f} for f in functions]
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    model_name = model or str(getattr(llama, "model_path", "local"))
    stops = ["<|im_end|>", "<|im_start|>"] + ([stop] if isinstance(stop, str) else stop or [])
    sampling = {
        "temperature": temperature,
        "top_p": top_p,
        "top_k": top_k,
        "min_p": min_p,
        "stop": stops,
    }
    if tool_choice == "none":
        tools = None
    prompt = render_prompt(messages, tools)

    def words(prefix: str) -> Iterator[dict[str, Any]]:
        yield _chunk(completion_id, model_name, {"role": "assistant", "content": ""}, None)
        for part in llama.create_completion(
            prompt=prompt + prefix, stream=True, max_tokens=max_tokens or 256, **sampling
        ):
            text = part["choices"][0]["text"]
            if text:
                yield _chunk(completion_id, model_name, {"content": text}, None)
        yield _chunk(completion_id, model_name, {}, "stop")

    names = [t["function"]["name"] for t in tools or []]
    if isinstance(tool_choice, dict):
        names = [tool_choice["function"]["name"]]
    chosen: str | None = None
    if names:
        decision = llama.create_completion(
            prompt=prompt,
            temperature=0,
            max_tokens=32,
            grammar=llama_grammar.LlamaGrammar.from_string(
                decision_grammar(names, allow_answer=tool_choice in (None, "auto")),
                verbose=False,
            ),
        )
        text = decision["choices"][0]["text"].strip()
        if text.startswith("functions."):
            chosen = text[len("functions.") :].rstrip(":")
    if chosen is None:
        chunks = words(f"{ANSWER}\n" if names else "")
        if stream:
            return chunks
        content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
        return _completion(completion_id, model_name, {"content": content.strip()}, "stop")

    schema = next(t["function"] for t in tools or [] if t["function"]["name"] == chosen).get(
        "parameters"
    ) or {"type": "object", "properties": {}}
    arguments = llama.create_completion(
        prompt=f"{prompt}functions.{chosen}:\n",
        temperature=0,
        max_tokens=1024,
        grammar=llama_grammar.LlamaGrammar.from_json_schema(
            json.dumps(bounded(schema)), verbose=False
        ),
    )["choices"][0]["text"]
    call = {
        "id": f"call_{uuid.uuid4().hex[:24]}",
        "type": "function",
        "function": {"name": chosen, "arguments": arguments},
    }
    if not stream:
        return _completion(
            completion_id, model_name, {"content": None, "tool_calls": [call]}, "tool_calls"
        )

    def tool_chunks() -> Iterator[dict[str, Any]]:
        yield _chunk(
            completion_id,
            model_name,
            {"role": "assistant", "content": None, "tool_calls": [{"index": 0, **call}]},
            None,
        )
        yield _chunk(completion_id, model_name, {}, "tool_calls")

    return tool_chunks()


def _completion(
    completion_id: str, model: str, message: dict[str, Any], finish: str
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", **message},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def register() -> None:
    """Make ``--chat_format troupe-tools`` known to llama-cpp-python in this process."""
    from llama_cpp import llama_chat_format

    registry_type: Any = llama_chat_format.LlamaChatCompletionHandlerRegistry  # untyped
    registry_type().register_chat_completion_handler(
        CHAT_FORMAT, troupe_tools_handler, overwrite=True
    )


def main() -> None:
    register()
    from llama_cpp.server import __main__ as server

    run: Any = server.main  # untyped
    run()


if __name__ == "__main__":
    main()
