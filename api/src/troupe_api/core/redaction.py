"""PII redaction of session log entries, before they are stored (per organization:
``organizations.redact_pii``).

Replaced: email addresses (``[EMAIL]``), payment card numbers of 13-19 digits, optionally
grouped by spaces or dashes, that pass the Luhn check (``[CARD]``), and phone numbers
(``[PHONE]``): an optional ``+`` country code and 7-15 digits grouped by spaces, dots, dashes
or parentheses. Cards are matched first, so a Luhn-valid card number is never reported as a
phone; a digit run that fails Luhn may still be a phone number. Plain regexes with a Luhn
check: the maintained PII libraries (Presidio) need NLP models downloaded from a model hub,
and scrubadub is unmaintained and pulls in NLP dependencies. Deterministic and offline.

Only free text is redacted: message texts, tool arguments/results/errors, error messages
and panel event data; structural fields (kind, seq, agent slugs, tool names) stay."""

from __future__ import annotations

import re
from typing import Any

EMAIL_TOKEN = "[EMAIL]"
PHONE_TOKEN = "[PHONE]"
CARD_TOKEN = "[CARD]"

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
# 13-19 digits, optionally separated by single spaces or dashes.
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])")
# Optional +CC, optional (area), then digit groups separated by space . or -; 7-15 digits.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d[\d .-]{5,}\d(?!\w)")

# Log entry fields that hold free text (per kind); everything else is structural.
_FREE_TEXT: dict[str, tuple[str, ...]] = {
    "message": ("text",),
    "tool_call": ("arguments", "result", "error"),
    "error": ("message",),
    "panel_event": ("data",),
    "transition": ("variables",),  # values the LLM extracted on a handoff (names, emails, ...)
}


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return CARD_TOKEN if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group(0)


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 15:
        return text
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # an ISO date, not a phone number
        return text
    return PHONE_TOKEN


def redact_text(text: str) -> str:
    text = _EMAIL.sub(EMAIL_TOKEN, text)
    text = _CARD.sub(_card, text)
    return _PHONE.sub(_phone, text)


def redact_value(value: Any) -> Any:
    """Redact every string inside ``value`` (dict keys stay)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value


def redact_entry(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of a log entry's JSON with its free-text fields redacted."""
    fields = _FREE_TEXT.get(str(payload.get("kind")), ())
    return {k: redact_value(v) if k in fields else v for k, v in payload.items()}
