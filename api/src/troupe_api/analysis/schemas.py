from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from jsonschema import Draft202012Validator, SchemaError
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Criterion(BaseModel):
    """One success criterion; exactly one of ``field``, ``agent_reached``, ``tool_called``.

    - ``{"field": "resolved", "equals": true}``: the extracted field equals the value
      (``"in": [...]``: is one of the values; neither: the field was extracted, non-null).
    - ``{"agent_reached": "billing"}``: the conversation was handed to that agent.
    - ``{"tool_called": "lookup_order"}``: the tool was called and answered without error.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str | None = Field(default=None, max_length=200)
    field: str | None = None
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    agent_reached: str | None = None
    tool_called: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Criterion:
        kinds = [k for k in (self.field, self.agent_reached, self.tool_called) if k is not None]
        if len(kinds) != 1:
            raise ValueError("a criterion needs exactly one of field, agent_reached, tool_called")
        return self

    def label(self) -> str:
        if self.name:
            return self.name
        if self.agent_reached is not None:
            return f"agent {self.agent_reached} reached"
        if self.tool_called is not None:
            return f"tool {self.tool_called} called"
        if self.in_ is not None:
            return f"{self.field} in {self.in_!r}"
        if "equals" in self.model_fields_set:
            return f"{self.field} == {self.equals!r}"
        return f"{self.field} extracted"


class AnalysisConfig(BaseModel):
    """Per-template post-session analysis. ``schema`` is a JSON Schema (``type: object``) whose
    ``properties`` are the fields to extract; the rule-based extractor reads the
    ``x-troupe-*`` keywords (see ``troupe_api.analysis.extractors``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")
    criteria: list[Criterion] = Field(default_factory=list, max_length=50)

    @field_validator("schema_")
    @classmethod
    def _valid_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            return value
        try:
            Draft202012Validator.check_schema(value)
        except SchemaError as exc:
            raise ValueError(f"invalid JSON Schema: {exc.message}") from exc
        if value.get("type") != "object" or not isinstance(value.get("properties"), dict):
            raise ValueError('the schema must be {"type": "object", "properties": {...}}')
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.schema_.get("properties")) or bool(self.criteria)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class CriterionResult(BaseModel):
    criterion: str
    passed: bool
    actual: Any = None


class AnalysisRead(BaseModel):
    session_id: uuid.UUID
    template_id: uuid.UUID | None
    status: Literal["none", "pending", "completed", "failed"] = Field(
        description="none: the session has no analysis (its template defines none); the other "
        "fields are then empty."
    )
    extractor: str | None
    fields: dict[str, Any]
    criteria: list[CriterionResult]
    success: bool | None = Field(description="All criteria passed (null: no criteria).")
    attempts: int
    error: str | None
    created_at: datetime
    completed_at: datetime | None
