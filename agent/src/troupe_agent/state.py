"""Shared session state: the ``AgentSession`` userdata every agent of a session reads and writes.

Agents share facts through two tools, ``remember(key, value)`` and ``recall(key)`` (added to
every agent of a multi-agent session), and the notes are handed to the next agent on a handoff
(in the summary line of a reset handoff and in the takeover note of a preserved one). The
store is small on purpose: it holds short facts the user gave (a name, an order number), not
documents.

Handoffs add typed ``variables``: values the LLM passes to ``transfer_to_<agent>`` as declared
on the handoff target. Every agent's instructions see them as ``{{name}}`` (``render``), and
rejection rules test them (``lookup``)."""

import json
import re
from dataclasses import dataclass, field

from troupe_contracts.config import Scalar

MAX_NOTES = 50
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 500
UNKNOWN_VARIABLE = "(not known yet)"
"""What a ``{{name}}`` placeholder reads as before any handoff has set it."""
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]{0,47})\s*\}\}")


class StateFull(ValueError):
    pass


@dataclass
class SessionState:
    notes: dict[str, str] = field(default_factory=dict)
    """Facts the agents remember for each other, by short key."""
    agent_path: list[str] = field(default_factory=list)
    """Slugs of the agents in the order they took over."""
    variables: dict[str, Scalar] = field(default_factory=dict)
    """Typed values handoffs extracted (``HandoffVariable``), by variable name."""

    @staticmethod
    def normalize_key(key: str) -> str:
        return " ".join(key.strip().lower().split())[:MAX_KEY_CHARS]

    def remember(self, key: str, value: str) -> str:
        k = self.normalize_key(key)
        if not k:
            raise ValueError("the key is empty")
        if k not in self.notes and len(self.notes) >= MAX_NOTES:
            raise StateFull(f"the shared notes are full ({MAX_NOTES} keys)")
        self.notes[k] = value.strip()[:MAX_VALUE_CHARS]
        return k

    def recall(self, key: str) -> str | None:
        return self.notes.get(self.normalize_key(key))

    def summary(self) -> str:
        """One line for a prompt: ``key: value; key: value`` (empty when there is nothing)."""
        return "; ".join(f"{k}: {v}" for k, v in self.notes.items())

    def lookup(self, name: str) -> Scalar | None:
        """A variable, else a note of the same key; ``None`` when neither is set."""
        if name in self.variables:
            return self.variables[name]
        return self.recall(name)

    def render(self, text: str) -> str:
        """``text`` with every ``{{name}}`` replaced by the variable's value."""

        def value(match: re.Match[str]) -> str:
            v = self.variables.get(match.group(1))
            if v is None:
                return UNKNOWN_VARIABLE
            if isinstance(v, bool):
                return "true" if v else "false"
            return str(v)

        return _PLACEHOLDER.sub(value, text)

    def variables_line(self) -> str:
        """``name = value; ...`` for a prompt (empty when no variable is set)."""
        return "; ".join(f"{k} = {json.dumps(v)}" for k, v in self.variables.items())
