"""Shared session state: the ``AgentSession`` userdata every agent of a session reads and writes.

Agents share facts through two tools, ``remember(key, value)`` and ``recall(key)`` (added to
every agent of a multi-agent session), and the notes are handed to the next agent on a handoff
(in the summary line of a reset handoff and in the takeover note of a preserved one). The
store is small on purpose: it holds short facts the user gave (a name, an order number), not
documents."""

from dataclasses import dataclass, field

MAX_NOTES = 50
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 500


class StateFull(ValueError):
    pass


@dataclass
class SessionState:
    notes: dict[str, str] = field(default_factory=dict)
    """Facts the agents remember for each other, by short key."""
    agent_path: list[str] = field(default_factory=list)
    """Slugs of the agents in the order they took over."""

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
