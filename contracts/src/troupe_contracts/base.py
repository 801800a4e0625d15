"""Base model for every contract: strict about unknown fields so a typo fails loudly."""

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """Base of all wire models: unknown keys are refused, instances are immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )
