"""Tool calling for small local models (llama.cpp), by constrained decoding.

The model answers with exactly one JSON object, one of:

- ``{"say": "<spoken reply>"}``: answer in words (the text is streamed to TTS as it decodes);
- ``{"tool": "<name>", "args": {...}}``: call one tool, its ``args`` shaped by that tool's
  JSON Schema.

``reply_schema`` turns an agent's tools into that ``oneOf`` (a JSON Schema llama.cpp compiles
into a GBNF grammar), ``system_prompt`` lists the tools to the model in a few short lines,
``chat_turns`` renders the chat (earlier tool calls and results included) in the same JSON
shape, and ``ReplyParser`` reads the decoded text incrementally: the ``say`` string comes out
as it is decoded, a tool call once its object is complete. Nothing here needs the model, so it
is unit-tested on its own."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import llm

SAY = "say"
TOOL = "tool"
ARGS = "args"

MAX_DESCRIPTION_CHARS = 220
"""Tool descriptions are cut to this many characters in the prompt (tiny context, tiny model)."""


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]


def tool_specs(tools: list[llm.Tool]) -> list[ToolSpec]:
    """Name, description and JSON Schema of the parameters of each function tool."""
    specs: list[ToolSpec] = []
    for tool in llm.ToolContext(tools).function_tools.values():
        if isinstance(tool, llm.RawFunctionTool):
            raw = tool.info.raw_schema
            params = raw.get("parameters") or {"type": "object", "properties": {}}
            specs.append(ToolSpec(raw["name"], raw.get("description") or "", params))
        elif isinstance(tool, llm.FunctionTool):
            schema = llm.utils.build_legacy_openai_schema(tool, internally_tagged=True)
            specs.append(ToolSpec(schema["name"], schema["description"], schema["parameters"]))
    return specs


# ---------------------------------------------------------------------------- grammar schema


_BOUNDS = {"maxLength": 200, "minLength": 16, "maxItems": 16, "minItems": 8}


_FREE_TEXT_KEYS = ("enum", "const", "pattern", "format")


def _is_free_text(node: dict[str, Any]) -> bool:
    return node.get("type") == "string" and not any(k in node for k in _FREE_TEXT_KEYS)


def _is_null(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "null"


def _free_or_null(node: Any) -> bool:
    """A (closed) property that holds free text, possibly null: a string without constraints
    other than bounds, or a quote of the user's words (an ``enum`` made by ``_closed``)."""
    if not isinstance(node, dict):
        return False
    if "anyOf" in node:
        options = [v for v in node["anyOf"] if not _is_null(v)]
        return len(options) == 1 and _free_or_null(options[0])
    if node.get("type") == "string" and not any(k in node for k in _FREE_TEXT_KEYS):
        return True
    return "enum" in node and "type" not in node and "const" not in node


def _closed(node: Any, rename: dict[str, str], spans: tuple[str, ...] = ()) -> Any:
    """A copy of a JSON Schema where every object lists all it may hold
    (``additionalProperties: false`` unless it says otherwise: a small model must not invent
    keys), ``$ref``s point at the renamed root ``$defs``, and titles are dropped. With
    ``spans``, every free text (a string without enum, const, pattern or format) becomes one
    of them (``quoted_spans``)."""
    if isinstance(node, list):
        return [_closed(n, rename, spans) for n in node]
    if not isinstance(node, dict):
        return node
    if spans and _is_free_text(node):
        return {"enum": list(spans)}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "$defs", "definitions", "examples"):
            continue
        if key in _BOUNDS and isinstance(value, int) and value > _BOUNDS[key]:
            continue  # a grammar spells bounds out rule by rule; max_tokens bounds it anyway
        if key == "$ref" and isinstance(value, str):
            name = value.rsplit("/", 1)[-1]
            out[key] = f"#/$defs/{rename.get(name, name)}"
        elif key == "properties" and isinstance(value, dict):
            out[key] = {k: _closed(v, rename, spans) for k, v in value.items()}
        else:
            out[key] = _closed(value, rename, spans)
    if out.get("type") == "object" or "properties" in out:
        out.setdefault("properties", {})
        out.setdefault("additionalProperties", False)
        # a constant (a command's "op") is what tells the variants apart: always written
        consts = [k for k, v in out["properties"].items() if isinstance(v, dict) and "const" in v]
        if consts:
            out["required"] = [*consts, *[r for r in out.get("required", []) if r not in consts]]
        # a command that sets content (``notepad.set``) carries it: when none of its texts is
        # required, its first one is (a tiny model leaves optional fields out)
        texts = [k for k, v in out["properties"].items() if _free_or_null(v)]
        if consts and texts and not set(texts) & set(out.get("required", [])):
            out["required"] = [*out.get("required", []), texts[0]]
        # a required text is never empty (a tiny model closes the string at once otherwise)
        # and never null
        for key in out.get("required", []):
            prop = out["properties"].get(key)
            if isinstance(prop, dict) and _free_or_null(prop) and "anyOf" in prop:
                kept = [v for v in prop["anyOf"] if not _is_null(v)]
                out["properties"][key] = {
                    **{k: v for k, v in prop.items() if k not in ("anyOf", "default")},
                    **(kept[0] if len(kept) == 1 else {"anyOf": kept}),
                }
            prop = out["properties"].get(key)
            if isinstance(prop, dict) and prop.get("type") == "string" and "minLength" not in prop:
                out["properties"][key] = {**prop, "minLength": 1}
    return out


PARAMETER_CUES: dict[str, tuple[str, ...]] = {
    "title": ("title", "titled", "called", "named"),
    "name": ("name", "called", "named"),
}
"""Words by which users name a parameter besides its own name ("a notepad called Ideas")."""


def _cues(name: str) -> tuple[str, ...]:
    return (name.replace("_", " "), *PARAMETER_CUES.get(name, ()))


def mentioned_parameters(spec: ToolSpec, user_text: str) -> list[str]:
    """The optional top-level parameters the user's words name ("... with the title Shopping
    list" or "a notepad called Ideas" name ``title``): the grammar makes the model fill them
    in."""
    props = (spec.parameters or {}).get("properties", {}) or {}
    required = set((spec.parameters or {}).get("required", []) or [])
    return [
        name
        for name in props
        if name not in required
        and any(
            re.search(rf"\b{re.escape(cue)}\b", user_text, re.IGNORECASE) for cue in _cues(name)
        )
    ]


MAX_SPAN_WORDS = 8
"""The longest quote of the user's words a free-text argument may be (``quoted_spans``)."""
_SPAN_TRIM = ' \t\n.,;:!?"()[]{}'


def quoted_spans(user_text: str, max_words: int = MAX_SPAN_WORDS) -> tuple[str, ...]:
    """Every run of up to ``max_words`` consecutive words of the user's message, as written
    (case kept), trimmed of the punctuation around it: what a free-text argument may be when a
    tiny model fills it in. A 135M model asked to write "the fact itself" invents, leaves it
    empty or copies an example; asked to quote, it picks the words the user said
    ("Remember that my name is Sam." -> key "name", value "Sam")."""
    words = user_text.split()
    out: dict[str, None] = {}
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + max_words) + 1):
            span = " ".join(words[i:j]).strip(_SPAN_TRIM)
            if span:
                out[span] = None
    return tuple(out)


EDGE_WORDS = frozenset(
    "a an the this that these those my me i i'm we you your it its is are was be am "
    "in into on onto to of for from at with by as and or but so then please can could would "
    "will just also do don't let let's here there now saying says".split()
)
"""Words a quoted argument does not start or end with ("my name is Sam" -> "name is Sam",
"Sam"; never "in the")."""
REQUEST_WORDS = frozenset(
    "remember save note forget keep write put add type open show set store".split()
)
"""Verbs of the request itself ("Write buy milk ...", "Remember that ..."): never part of an
argument's quote."""


def _words(text: str) -> list[str]:
    return [w.strip(_SPAN_TRIM).lower() for w in text.split()]


def argument_spans(
    spec: ToolSpec, user_text: str, max_words: int = MAX_SPAN_WORDS
) -> tuple[str, ...]:
    """The quotes of the user's words a free-text argument of ``spec`` may be: every
    ``quoted_spans`` span that does not start or end with a function word (``EDGE_WORDS``) and
    holds none of the words that make the request rather than say what it is about: the
    request's verbs (``REQUEST_WORDS``), the tool's name ("notepad", "remember") and the words
    naming a mentioned parameter ("titled", "called"). "Write buy milk in the notepad." ->
    "buy milk", "buy", "milk"; "Remember that my name is Sam." -> "name is Sam", "Sam", ...
    All of ``quoted_spans`` when nothing is left."""
    spans = quoted_spans(user_text, max_words)
    banned = set(REQUEST_WORDS) | {p for p in spec.name.lower().split("_") if len(p) > 2}
    for name in mentioned_parameters(spec, user_text):
        banned.update(w for cue in _cues(name) for w in cue.lower().split())
    kept = tuple(
        span
        for span in spans
        if (words := _words(span))
        and words[0] not in EDGE_WORDS
        and words[-1] not in EDGE_WORDS
        and not banned.intersection(words)
    )
    return kept or spans


def args_schema(spec: ToolSpec, user_text: str = "", *, quote: bool = False) -> dict[str, Any]:
    """The closed JSON Schema of one tool's arguments, its definitions inside it; the optional
    parameters the user named become required (``mentioned_parameters``). With ``quote`` (and
    a user message), each free-text argument is a quote of the user's words
    (``argument_spans``)."""
    params = dict(spec.parameters or {})
    if mentioned := mentioned_parameters(spec, user_text):
        params["required"] = [*(params.get("required") or []), *mentioned]
    spans = argument_spans(spec, user_text) if quote and user_text.strip() else ()
    local_defs: dict[str, Any] = {**params.get("definitions", {}), **params.get("$defs", {})}
    rename = {name: f"{spec.name}__{name}" for name in local_defs}
    closed = _closed(params, rename, spans)
    if closed.get("type") != "object":
        closed = {"type": "object", "properties": {}, "additionalProperties": False}
    if local_defs:
        closed["$defs"] = {rename[n]: _closed(d, rename, spans) for n, d in local_defs.items()}
    return dict(closed)


REPLY_OPEN = '{"'
"""The reply's first characters, put in the prompt: the next token is the choice between
``say`` and ``tool`` (scored, not sampled: see ``local_llm``)."""


def reply_prefix(key: str) -> str:
    """What follows ``REPLY_OPEN`` once the choice is made, up to the value's first
    character: ``say": "`` or ``tool": "``."""
    return f'{key}": "'


SAY_GRAMMAR = r"""root ::= char* "\"" " "? "}"
char ::= [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})
"""
"""GBNF of the rest of a ``say`` reply after ``{"say": "``: the string, then ``}``."""


def takes_arguments(spec: ToolSpec) -> bool:
    return bool((spec.parameters or {}).get("properties"))


def call_prefix(name: str) -> str:
    """A tool reply up to its arguments: ``{"tool": "<name>", "args": ``."""
    return f"{REPLY_OPEN}{reply_prefix(TOOL)}{json.dumps(name)[1:]}, {json.dumps(ARGS)}: "


def args_grammar(spec: ToolSpec, user_text: str = "", *, quote: bool = False) -> str:
    """GBNF of the rest of a tool reply after ``call_prefix``: the arguments, then ``}``."""
    import llama_cpp.llama_grammar

    converter: Any = llama_cpp.llama_grammar.SchemaConverter
    conv: Any = converter(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)
    schema = args_schema(spec, user_text, quote=quote)
    conv.visit(conv.resolve_refs(schema, "args"), "args")
    return 'root ::= args "}" space\n' + str(conv.format_grammar())


# ---------------------------------------------------------------------------- prompt


@dataclass(frozen=True)
class Turn:
    role: str
    """``system``, ``user`` or ``assistant``."""
    content: str


def _short(text: str) -> str:
    text = " ".join(text.split())
    # The handoff tools end with advice for big models ("Call it alone, ..."): noise here.
    text = text.split(" Call it alone")[0]
    if len(text) > MAX_DESCRIPTION_CHARS:
        text = text[: MAX_DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return text


def _signature(spec: ToolSpec) -> str:
    props: dict[str, Any] = spec.parameters.get("properties", {}) or {}
    required = set(spec.parameters.get("required", []) or [])
    parts = []
    for name, schema in props.items():
        kind = schema.get("type", "object") if isinstance(schema, dict) else "object"
        parts.append(f"{name}{'' if name in required else '?'}: {kind}")
    return f"{spec.name}({', '.join(parts)})"


TOOL_RULES = (
    "Reply with one JSON object and nothing else.\n"
    'To talk to the user: {"say": "your short spoken reply"}\n'
    'To use a tool: {"tool": "tool_name", "args": {...}}\n'
    "Use a tool only when the user's last message asks for what the tool does. "
    "For greetings, thanks, small talk and questions you can answer, use say."
)


def system_prompt(instructions: str, specs: list[ToolSpec]) -> str:
    """The agent's instructions, then the reply format and its tools, one line each."""
    lines = [instructions.strip(), "", TOOL_RULES, "", "Tools:"]
    lines += [f"- {_signature(s)}: {_short(s.description)}" for s in specs]
    return "\n".join(lines)


_TRANSFER_TO = re.compile(r"Transfer the user to (?P<name>.+?), another agent")


def _example_args(spec: ToolSpec, value: str) -> dict[str, Any] | None:
    """Arguments for an example call: every required parameter a string (``value``); None when
    a required parameter is not a plain string."""
    props = spec.parameters.get("properties", {}) or {}
    args: dict[str, Any] = {}
    for name in spec.parameters.get("required", []) or []:
        if not isinstance(props.get(name), dict) or props[name].get("type") != "string":
            return None
        args[name] = value
    return args


def _example_with_arguments(spec: ToolSpec) -> tuple[str, dict[str, Any]] | None:
    """A worked example with arguments for Troupe's own tools whose free texts the user says
    (shown only when arguments are quotes of the user's words, which a tiny model cannot copy
    from an example): ``remember`` and writing into the notepad."""
    props = (spec.parameters or {}).get("properties", {}) or {}
    if spec.name == "remember" and {"key", "value"} <= set(props):
        return (
            "Please remember that my room number is 12.",
            {TOOL: spec.name, ARGS: {"key": "room number", "value": "12"}},
        )
    if spec.name == "control_notepad" and "notepad.set" in json.dumps(spec.parameters):
        return (
            "Write call the dentist in the notepad.",
            {TOOL: spec.name, ARGS: {"command": {"op": "notepad.set", "text": "call the dentist"}}},
        )
    return None


def example_turns(specs: list[ToolSpec], *, arg_examples: bool = False) -> list[Turn]:
    """A few worked examples, made from the agent's own tools, shown as earlier turns: tiny
    models follow examples far better than rules (and copy their arguments: so calls with
    arguments are shown only with ``arg_examples``, when free-text arguments are quotes of the
    user's words). Small talk answered in words comes first and last; in between one example per
    transfer and one panel (and, with ``arg_examples``, remembering a fact and writing a note)."""
    pairs: list[tuple[str, dict[str, Any]]] = [
        ("Hi there! How are you?", {SAY: "Hi! I'm doing well, thanks. How can I help you?"})
    ]
    opened = False
    for spec in specs:
        example: tuple[str, dict[str, Any]] | None = None
        if arg_examples and (with_args := _example_with_arguments(spec)) is not None:
            pairs.append(with_args)
        if m := _TRANSFER_TO.match(spec.description):
            args = _example_args(spec, "their request")
            if args is not None:
                example = (
                    f"Could you put me through to {m['name']}?",
                    {TOOL: spec.name, ARGS: args},
                )
        elif spec.name.startswith("open_") and not opened:
            opened = True
            example = (f"Show me the {spec.name[5:]}, please.", {TOOL: spec.name, ARGS: {}})
        if example is not None:
            pairs.append(example)
    pairs.append(("Thanks, that's nice.", {SAY: "You're welcome! Anything else I can do?"}))
    turns: list[Turn] = []
    for user, reply in pairs:
        turns += [Turn("user", user), Turn("assistant", json.dumps(reply, ensure_ascii=False))]
    return turns


def say_json(text: str) -> str:
    return json.dumps({SAY: text}, ensure_ascii=False)


def _merge(turns: list[Turn]) -> list[Turn]:
    """Consecutive turns of one role become one (chat templates such as Gemma's want
    user/assistant strictly alternating)."""
    merged: list[Turn] = []
    for turn in turns:
        if merged and merged[-1].role == turn.role:
            merged[-1] = Turn(turn.role, f"{merged[-1].content}\n{turn.content}")
        else:
            merged.append(turn)
    return merged


def chat_turns(
    chat_ctx: llm.ChatContext, *, json_replies: bool, max_turns: int | None = 8
) -> tuple[str, list[Turn]]:
    """(system text, conversation turns). With ``json_replies`` the assistant's earlier
    replies and tool calls are shown in the reply format, and tool results as user-side notes;
    without, tool items are left out."""
    system: list[str] = []
    turns: list[Turn] = []
    for item in chat_ctx.items:
        if item.type == "message":
            text = item.text_content
            if not text:
                continue
            if item.role in ("system", "developer"):
                system.append(text)
            elif item.role == "assistant":
                turns.append(Turn("assistant", say_json(text) if json_replies else text))
            else:
                turns.append(Turn("user", text))
        elif item.type == "function_call" and json_replies:
            try:
                args = json.loads(item.arguments or "{}")
            except ValueError:
                args = {}
            call = json.dumps({TOOL: item.name, ARGS: args}, ensure_ascii=False)
            turns.append(Turn("assistant", call))
        elif item.type == "function_call_output" and json_replies:
            status = "failed" if item.is_error else "result"
            turns.append(Turn("user", f"[{item.name} {status}: {item.output}]"))
    if max_turns is not None:
        turns = turns[-max_turns:]
    # the conversation starts with the user (some templates insist)
    while turns and turns[0].role != "user":
        turns.pop(0)
    return "\n\n".join(system), _merge(turns)


def last_item_is_tool_output(chat_ctx: llm.ChatContext) -> bool:
    """Whether the model is asked to go on right after a tool ran (then it answers in words:
    one tool step per user turn keeps a small model out of tool loops)."""
    for item in reversed(chat_ctx.items):
        if item.type == "function_call_output":
            return True
        if item.type == "message" and item.role in ("user", "assistant"):
            return False
    return False


def last_item_is_instruction(chat_ctx: llm.ChatContext) -> bool:
    """Whether the reply is one the runtime asks for with instructions (livekit adds
    ``generate_reply(instructions=...)`` as a system message at the end: a takeover's
    introduction, a generated greeting). Then the model answers in words: the user's request
    before it already had its tool step (the previous agent's transfer, and the tools of its
    batch)."""
    if not chat_ctx.items:
        return False
    last = chat_ctx.items[-1]
    return (
        last.type == "message"
        and last.role in ("system", "developer")
        and any(i.type == "message" and i.role == "user" for i in chat_ctx.items)
    )


# ---------------------------------------------------------------------------- incremental parse

_FIRST_KEY = re.compile(r'^\s*\{\s*"(?P<key>[^"]*)"\s*:\s*(?P<value>\S)')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass
class ReplyParser:
    """Reads the decoded text as it grows. ``feed`` returns the new spoken text (the decoded
    inside of the ``say`` string); ``finish`` returns the tool call, if the reply was one.
    Text that is not JSON at all (a model without a grammar) is spoken as it comes."""

    tool_names: frozenset[str] = frozenset()
    buffer: str = ""
    mode: str = "start"
    """start | say | tool | text"""
    _pos: int = 0
    """In ``say`` mode: how much of ``buffer`` has been decoded."""
    said: list[str] = field(default_factory=list)
    complete: bool = False
    """The reply is complete (the ``say`` string closed, or the tool call's object): decoding
    may stop."""

    def feed(self, piece: str) -> str:
        self.buffer += piece
        if self.complete:
            return ""
        if self.mode == "start":
            stripped = self.buffer.lstrip()
            if stripped and not stripped.startswith("{"):
                self.mode, self._pos = "text", len(self.buffer) - len(stripped)
            elif m := _FIRST_KEY.match(self.buffer):
                if m["key"] == SAY and m["value"] == '"':
                    self.mode, self._pos = "say", m.end()
                else:
                    self.mode = "tool"  # a tool call, or other JSON: judged when complete
            else:
                return ""
        if self.mode == "text":
            out, self._pos = self.buffer[self._pos :], len(self.buffer)
            self.said.append(out)
            return out
        if self.mode == "say":
            return self._decode_say()
        if self.mode == "tool" and "}" in piece and _first_json_object(self.buffer) is not None:
            self.complete = True
        return ""

    def _decode_say(self) -> str:
        out: list[str] = []
        buf, i = self.buffer, self._pos
        while i < len(buf):
            ch = buf[i]
            if ch == '"':
                self.complete = True
                i += 1
                break
            if ch == "\\":
                if i + 1 >= len(buf):
                    break  # wait for the rest of the escape
                code = buf[i + 1]
                if code == "u":
                    if i + 6 > len(buf):
                        break
                    try:
                        out.append(chr(int(buf[i + 2 : i + 6], 16)))
                    except ValueError:
                        pass
                    i += 6
                    continue
                out.append(_ESCAPES.get(code, code))
                i += 2
                continue
            out.append(ch)
            i += 1
        self._pos = i
        text = "".join(out)
        if text:
            self.said.append(text)
        return text

    @property
    def spoken(self) -> str:
        return "".join(self.said)

    def finish(self) -> llm.FunctionToolCall | None:
        """The tool call the complete reply asked for; None for a spoken reply or when the
        reply is not a valid call of a known tool (truncated, unknown name, not JSON)."""
        if self.mode != "tool":
            return None
        try:
            data = json.loads(self.buffer)
        except ValueError:
            data = _first_json_object(self.buffer)
        if not isinstance(data, dict):
            return None
        name, args = data.get(TOOL), data.get(ARGS, {})
        if not isinstance(name, str) or name not in self.tool_names:
            return None
        if not isinstance(args, dict):
            return None
        return llm.FunctionToolCall(
            name=name,
            arguments=json.dumps(args, ensure_ascii=False),
            call_id=f"local_{uuid.uuid4().hex[:12]}",
        )

    def unparsed_say(self) -> str | None:
        """A ``say`` given as other JSON than the grammar's (free decoding): its text."""
        if self.mode != "tool":
            return None
        data = _first_json_object(self.buffer)
        if isinstance(data, dict) and isinstance(data.get(SAY), str):
            return str(data[SAY])
        return None


def _first_json_object(text: str) -> Any:
    start = text.find("{")
    if start < 0:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text[start:])
    except ValueError:
        return None
    return value
