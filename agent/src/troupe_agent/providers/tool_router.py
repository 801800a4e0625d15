"""Tool routing for the small local LLMs by sentence similarity (all-MiniLM-L6-v2, offline).

A 135M-parameter model reads a tool list poorly: it misses paraphrases of a handoff ("let me
talk to the technical expert") and confuses tools with similar names (``open_code`` /
``control_code``). A sentence encoder is good at exactly that: the user's utterance is compared
with a few short intents written from each tool (its description; for the tools Troupe
generates, the ways users ask for them: a handoff names its agent and when to use it, a panel
tool says what it does to which panel) and with plain conversation (small talk, questions).
``local_llm`` adds these similarities to the model's own scores, with weights measured by
``agent/evals`` per model: the say-or-tool choice gets ``w_choice * (best tool - talk)``, the
tool choice ``w_pick * similarity``. The model still writes the arguments and the words.

Nothing here needs the LLM; the encoder is any object with ``embed(texts) -> unit vectors``
(tests give a fake one). Intent vectors are cached per text, so each agent's tools are encoded
once per process."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from troupe_agent.providers.local_tools import ToolSpec

CONVERSATION_INTENTS: tuple[str, ...] = (
    "Hello there.",
    "Hi, nice to meet you.",
    "How are you?",
    "Thank you very much.",
    "Okay, sounds good.",
    "Yes, I see.",
    "Goodbye, see you later.",
    "Who am I talking to?",
    "What can you help me with?",
    "Can you explain how this works?",
    "Tell me a fun fact.",
    "Wait a moment, please.",
    "That's all, thanks.",
)
"""What an utterance answered in words sounds like: generic conversation, written here (none
of it is an utterance of the eval set)."""

_TRANSFER = re.compile(
    r"Transfer the user to (?P<name>.+?), another agent of this conversation"
    r"(?: \((?P<role>[^)]*)\))?\.(?: Use it when: (?P<when>.+?)(?: Call it alone|$))?"
)
_PANEL_TOOL = re.compile(r"^(?P<verb>open|close|read|control)_(?P<panel>[a-z][a-z0-9_]*)$")
_PANEL_WORDS = {
    "code": "code editor",
    "document": "document viewer",
    "slides": "slides",
    "notepad": "notepad",
    "whiteboard": "whiteboard",
}
CONTROL_INTENTS: dict[str, tuple[str, ...]] = {
    # what users put into a panel, the content said with the request
    "notepad": (
        "Write feed the cat in the notepad.",
        "Add apples and pears to the notepad.",
        "Put a reminder to call mum on the notepad.",
        "Type my address into the notepad.",
    ),
    "code": (
        "Put this function in the code editor.",
        "Write print hello in the code editor.",
    ),
}
"""Intents of the ``control_<panel>`` tools beyond the generic ones: requests that carry the
content to write (none is an utterance of the eval set)."""
MAX_INTENT_CHARS = 200
BUILTIN_INTENTS: dict[str, tuple[str, ...]] = {
    # the shared-memory tools every agent gets (``tools/builtin.py``): how users ask for them,
    # the fact said with the request ("remember that my X is Y") or before it
    "remember": (
        "Remember this for me.",
        "Save this detail for later.",
        "Keep a note of my details.",
        "Remember that my favourite colour is green.",
        "Please keep in mind that my car is blue.",
        "Save my postcode, it is N1 4AB.",
        "Make a note that I live in Leeds.",
        "Store my membership number 40213.",
    ),
    "recall": (
        "What did I tell you earlier?",
        "Look up what you saved for me.",
        "Which membership number did I give you?",
    ),
}
"""Intents of Troupe's own non-panel tools, written here (none is an utterance of the eval
set), added to those made from the name and description."""

_POLITE = (
    r"(?:(?:please|ok|okay|now|also|and|oh)\s*,?\s+)*"
    r"(?:(?:can|could|will|would)\s+you\s+(?:please\s+)?)?"
)
_PANEL_NAMES = {
    "notepad": r"note\s*pad|notes",
    "code": r"code(?:\s+(?:editor|panel))?|editor",
}
REQUEST_FRAMES: dict[str, tuple[re.Pattern[str], ...]] = {
    "remember": (
        re.compile(
            rf"^{_POLITE}(?:remember|memori[sz]e|save|store|note|keep\s+in\s+mind|"
            r"make\s+a\s+note|take\s+a\s+note|don'?t\s+forget|do\s+not\s+forget)\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\b(?:please\s+)?(?:remember|save|store|note)\s+(?:it|that|this)$", re.IGNORECASE
        ),
    ),
    **{
        f"control_{panel}": (
            re.compile(
                rf"^{_POLITE}(?:write|put|add|type|jot\s+down|note\s+down)\b.*"
                rf"\b(?:in|into|on|onto|to)\s+(?:the|my|a|our|your)\s+(?:{names})$",
                re.IGNORECASE,
            ),
        )
        for panel, names in _PANEL_NAMES.items()
    },
}
"""Request frames of Troupe's own tools that carry their content ("Remember that my laptop is
a ThinkPad", "Put eggs on the notepad"), matched on each clause (``clauses``): the sentence
encoder weighs the topic, and the topic of such a request is its content (a laptop is close to a
notepad for MiniLM), while the frame says which tool. A clause in the frame counts as an intent
matched at ``FRAME_SIMILARITY``. Written here from the tools' semantics (none is an utterance of
the eval set); a statement ("I can't remember ...") or a question is not in a frame."""
FRAME_SIMILARITY = 0.8
_LEADING_JOIN = re.compile(r"^(?:(?:and|then)\s+)+", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"\s*[,;.!?]\s+|\s+(?:and|then)\s+(?:then\s+)?", re.IGNORECASE)


def clauses(text: str) -> list[str]:
    """The parts of an utterance that may each ask for something: split at punctuation and at
    "and" / "then"; parts of one word are dropped."""
    parts = (_LEADING_JOIN.sub("", p.strip(' \t\n.,;:!?"')) for p in _CLAUSE_BREAK.split(text))
    return [p for p in parts if len(p.split()) >= 2]


def framed_tools(utterance: str, names: Sequence[str]) -> set[str]:
    """The tools among ``names`` whose request frame (``REQUEST_FRAMES``) ``utterance`` or
    one of its clauses is in."""
    parts = [utterance.strip(' \t\n.,;:!?"'), *clauses(utterance)]
    return {
        name
        for name in names
        for frame in REQUEST_FRAMES.get(name, ())
        if any(frame.search(part) for part in parts)
    }


class TextEncoder(Protocol):
    def embed(self, texts: list[str]) -> Any:
        """One L2-normalised vector per text (a numpy array, one row each)."""
        ...


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    cut = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return cut[:MAX_INTENT_CHARS]


def is_transfer(spec: ToolSpec) -> bool:
    """A handoff tool Troupe generates (``transfer_to_<agent>``)."""
    return bool(_TRANSFER.match(" ".join(spec.description.split())))


def tool_intents(spec: ToolSpec) -> list[str]:
    """Short sentences a user might say to get ``spec`` called."""
    if m := _TRANSFER.match(" ".join(spec.description.split())):
        who = m["name"]
        out = [
            f"I want to talk to {who}.",
            f"Please transfer me to {who}.",
            f"Can I speak with {who}?",
        ]
        if m["role"]:
            out.append(f"I need {m['role']}.")
        if m["when"]:
            out.append(m["when"].strip())
        return out
    if m := _PANEL_TOOL.match(spec.name):
        thing = _PANEL_WORDS.get(m["panel"], m["panel"].replace("_", " "))
        verb = m["verb"]
        by_verb = {
            "open": [
                f"Open the {thing}.",
                f"Show me the {thing}.",
                f"Let's use the {thing}.",
                f"Open a {thing} called Ideas.",
                f"Open the {thing} with the title Plans.",
            ],
            "close": [f"Close the {thing}.", f"Hide the {thing}, we are done with it."],
            "read": [f"What is in the {thing}?", f"Read what the {thing} says."],
            "control": [
                f"Write this into the {thing}.",
                f"Change what the {thing} shows.",
                *CONTROL_INTENTS.get(m["panel"], ()),
            ],
        }
        return [*by_verb[verb], _first_sentence(spec.description)]
    words = spec.name.replace("_", " ").strip()
    out = [words[:1].upper() + words[1:] + "."]
    if spec.description.strip():
        out.append(_first_sentence(spec.description))
    return [*out, *BUILTIN_INTENTS.get(spec.name, ())]


@dataclass(frozen=True)
class Routing:
    """Similarities of one utterance: to each tool (its best intent) and to conversation."""

    tools: dict[str, float]
    talk: float

    @property
    def best_tool(self) -> float:
        return max(self.tools.values(), default=0.0)


class ToolRouter:
    """Cosine similarities between an utterance and the intents of the tools. Thread-safe."""

    def __init__(self, encoder: TextEncoder, *, cache_size: int = 2048) -> None:
        self.encoder = encoder
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _vectors(self, texts: Sequence[str]) -> list[Any]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            rows = self.encoder.embed(list(missing))
            with self._lock:
                for text, row in zip(missing, rows, strict=True):
                    self._cache[text] = row
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            return [self._cache[t] for t in texts]

    def route(self, utterance: str, specs: Sequence[ToolSpec]) -> Routing:
        import numpy as np

        intents = {s.name: tool_intents(s) for s in specs}
        texts = [t for ts in intents.values() for t in ts] + list(CONVERSATION_INTENTS)
        # the utterance is not cached: what users say rarely repeats
        [query] = self.encoder.embed([" ".join(utterance.split())[:500]])
        vectors = dict(zip(texts, self._vectors(texts), strict=True))

        def best(candidates: list[str] | tuple[str, ...]) -> float:
            return max(float(np.dot(query, vectors[t])) for t in candidates)

        framed = framed_tools(utterance, list(intents))
        return Routing(
            tools={
                name: max(best(ts), FRAME_SIMILARITY) if name in framed else best(ts)
                for name, ts in intents.items()
            },
            talk=best(CONVERSATION_INTENTS),
        )


def minilm_router() -> ToolRouter:
    """The router on the process's offline all-MiniLM-L6-v2 (loaded once)."""
    from troupe_contracts.minilm import local_embedder

    return ToolRouter(local_embedder())
