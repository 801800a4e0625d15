"""Field extractors for post-session analysis.

**Rule-based extractor** (``rules``, the default; offline and deterministic). The transcript
is the session's ``message`` entries in ``seq`` order. For each property of the template's
schema:

- ``x-troupe-source``: ``"user"``, ``"assistant"`` or ``"all"`` (default) — whose messages
  are searched.
- ``x-troupe-pattern``: a regular expression or a list of them (Python syntax, matched
  case-insensitively per message). The **last** match in the transcript wins ("latest
  mention"). The value is the first capture group when the pattern has one, else the whole
  match, converted to the property's ``type``: ``boolean`` → ``true``; ``integer`` /
  ``number`` → parsed (digits, ``.``, ``-``; no number → no value); ``string`` → stripped text
  (lower-cased when the property has an ``enum`` and matched against it).
- ``boolean`` properties may add ``x-troupe-false-pattern``: its match yields ``false``;
  whichever of the two patterns matched last decides.
- ``enum`` properties without a pattern use keyword matching: each enum value matches as a
  whole word (case-insensitive, ``_`` and ``-`` also match a space), plus the extra keywords
  in ``x-troupe-keywords: {value: [keyword, ...]}``; the value mentioned last wins.
- Nothing matched: the property's ``default`` when it has one, else ``null``.

**LLM extractor** (``llm``): used when ``OPENAI_API_KEY`` is set (``OPENAI_BASE_URL`` picks an
OpenAI-compatible server; ``TROUPE_ANALYSIS_MODEL``, default ``gpt-4.1-mini``): one chat
completion with the transcript and the schema as structured output (``json_schema``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Protocol

import httpx
from troupe_contracts.log import LogEntry, MessageEntry

MAX_TRANSCRIPT_CHARS = 60_000


class Extractor(Protocol):
    name: str

    async def extract(
        self, schema: dict[str, Any], entries: Sequence[LogEntry]
    ) -> dict[str, Any]: ...


def _messages(entries: Sequence[LogEntry], source: str) -> list[str]:
    return [
        e.text
        for e in entries
        if isinstance(e, MessageEntry)
        and e.role in ("user", "assistant")
        and (source == "all" or e.role == source)
    ]


def _patterns(value: Any) -> list[re.Pattern[str]]:
    items = [value] if isinstance(value, str) else list(value or [])
    return [re.compile(str(p), re.IGNORECASE) for p in items]


def _last_match(
    texts: list[str], patterns: list[re.Pattern[str]]
) -> tuple[tuple[int, int], re.Match[str]] | None:
    """The last match over all messages: ((message index, position), match)."""
    best: tuple[tuple[int, int], re.Match[str]] | None = None
    for i, text in enumerate(texts):
        for pattern in patterns:
            for m in pattern.finditer(text):
                pos = (i, m.start())
                if best is None or pos > best[0]:
                    best = (pos, m)
    return best


def _group(m: re.Match[str]) -> str:
    return (m.group(1) if m.re.groups and m.group(1) is not None else m.group(0)).strip()


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _convert(prop: dict[str, Any], raw: str) -> Any:
    kind = prop.get("type")
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        found = _NUMBER.search(raw.replace(",", ""))
        if found is None:
            return None
        number = float(found.group(0))
        return int(number) if kind == "integer" else number
    if "enum" in prop:
        lowered = raw.lower()
        for option in prop["enum"]:
            if str(option).lower() == lowered:
                return option
        return None
    return raw


def _keyword_pattern(word: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[\s_-]+", word.strip()) if p]
    return re.compile(r"\b" + r"[\s_-]+".join(parts) + r"\b", re.IGNORECASE)


def _extract_field(prop: dict[str, Any], entries: Sequence[LogEntry]) -> Any:
    texts = _messages(entries, str(prop.get("x-troupe-source", "all")))
    if "x-troupe-pattern" in prop:
        hit = _last_match(texts, _patterns(prop["x-troupe-pattern"]))
        value = None if hit is None else _convert(prop, _group(hit[1]))
        if prop.get("type") == "boolean" and "x-troupe-false-pattern" in prop:
            miss = _last_match(texts, _patterns(prop["x-troupe-false-pattern"]))
            if miss is not None and (hit is None or miss[0] > hit[0]):
                value = False
        if value is not None:
            return value
    elif "enum" in prop:
        keywords: dict[str, Any] = prop.get("x-troupe-keywords") or {}
        best: tuple[tuple[int, int], Any] | None = None
        for option in prop["enum"]:
            words = [str(option), *[str(k) for k in keywords.get(str(option), [])]]
            hit = _last_match(texts, [_keyword_pattern(w) for w in words if w.strip()])
            if hit is not None and (best is None or hit[0] > best[0]):
                best = (hit[0], option)
        if best is not None:
            return best[1]
    return prop.get("default")


class RuleExtractor:
    name = "rules"

    async def extract(self, schema: dict[str, Any], entries: Sequence[LogEntry]) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties") or {}
        return {name: _extract_field(prop or {}, entries) for name, prop in properties.items()}


def _strip_extensions(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_extensions(v) for k, v in value.items() if not k.startswith("x-")}
    if isinstance(value, list):
        return [_strip_extensions(v) for v in value]
    return value


class LLMExtractor:
    """Structured output from an OpenAI-compatible chat completions endpoint."""

    name = "llm"

    def __init__(self, *, api_key: str, base_url: str, model: str, timeout_s: float = 60.0) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s

    async def extract(self, schema: dict[str, Any], entries: Sequence[LogEntry]) -> dict[str, Any]:
        transcript = "\n".join(
            f"{e.role}{f' ({e.agent})' if e.agent else ''}: {e.text}"
            for e in entries
            if isinstance(e, MessageEntry) and e.role in ("user", "assistant")
        )[-MAX_TRANSCRIPT_CHARS:]
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {
                    "role": "system",
                    "content": "Extract the requested fields from the conversation transcript. "
                    "Use null for anything the conversation does not establish.",
                },
                {"role": "user", "content": transcript},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "session_analysis", "schema": _strip_extensions(schema)},
            },
        }
        async with httpx.AsyncClient(timeout=self.timeout_s) as client:
            response = await client.post(
                f"{self.base_url}/chat/completions",
                json=body,
                headers={"Authorization": f"Bearer {self.api_key}"},
            )
            response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        data = json.loads(content)
        if not isinstance(data, dict):
            raise ValueError("the model did not answer a JSON object")
        properties = schema.get("properties") or {}
        return {name: data.get(name) for name in properties}
