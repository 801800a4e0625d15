"""The variables a session starts with: the start's values checked against the template's
declared variables (``SessionVariable``), defaults applied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from troupe_contracts.config import Scalar, SessionVariable, scalar_matches

from troupe_api.sessions.errors import SessionVariablesInvalid


def declared(stored: list[dict[str, Any]] | None) -> list[SessionVariable]:
    """A template's stored declarations (one that no longer validates is skipped)."""
    specs: list[SessionVariable] = []
    for value in stored or []:
        try:
            specs.append(SessionVariable.model_validate(value))
        except ValidationError:
            continue
    return specs


def resolve(specs: list[SessionVariable], given: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """The session's variables; ``SessionVariablesInvalid`` lists every unknown name, value of
    the wrong type and missing required variable."""
    by_name = {s.name: s for s in specs}
    problems: list[dict[str, str]] = []
    for name in given:
        if name not in by_name:
            problems.append(
                {
                    "code": "variable_unknown",
                    "name": name,
                    "message": f"The template declares no variable {name!r}.",
                }
            )
    values: dict[str, Scalar] = {}
    for spec in specs:
        if spec.name in given:
            value = given[spec.name]
            if not scalar_matches(spec.type, value):
                problems.append(
                    {
                        "code": "variable_type",
                        "name": spec.name,
                        "message": f"{spec.name!r} must be of type {spec.type.value}.",
                    }
                )
                continue
            values[spec.name] = value
        elif spec.required:
            problems.append(
                {
                    "code": "variable_required",
                    "name": spec.name,
                    "message": f"The variable {spec.name!r} is required.",
                }
            )
        elif spec.default is not None:
            values[spec.name] = spec.default
    if problems:
        raise SessionVariablesInvalid(details={"problems": problems})
    return values
