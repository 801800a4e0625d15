"""Configuration validation (agents, agent sets, tools, session templates): the domains' own
errors live in their ``errors.py``; this is the one error they all raise for invalid input.

Validation failures are one ``config_invalid`` (422) error whose ``details.problems`` lists
every :class:`Problem`, each with its own stable ``code``, a ``field`` path and a message, so a
form can mark all the wrong fields at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from troupe_api.core.errors import ValidationFailed


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ConfigInvalid(ValidationFailed):
    code = "config_invalid"
    default_message = "The configuration is invalid."

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        message = (
            problems[0].message
            if len(problems) == 1
            else f"The configuration has {len(problems)} problems."
        )
        super().__init__(message, details={"problems": [p.as_dict() for p in problems]})
