"""Job bootstrap: validate the dispatch metadata, then fetch the resolved session config."""

from pydantic import ValidationError
from troupe_contracts import PROTOCOL_VERSION
from troupe_contracts.session import TokenMetadata


class BadMetadata(ValueError):
    """The job's dispatch metadata is not a valid ``TokenMetadata`` for this runtime."""


def parse_metadata(raw: str | None) -> TokenMetadata:
    if not raw or not raw.strip():
        raise BadMetadata("the job has no dispatch metadata (expected TokenMetadata JSON)")
    try:
        metadata = TokenMetadata.model_validate_json(raw)
    except ValidationError as e:
        fields = ", ".join(".".join(map(str, err["loc"])) or "(root)" for err in e.errors())
        raise BadMetadata(f"dispatch metadata is not valid TokenMetadata: {fields}") from e
    if metadata.protocol_version != PROTOCOL_VERSION:
        raise BadMetadata(
            f"protocol version mismatch: dispatch has {metadata.protocol_version}, "
            f"this runtime speaks {PROTOCOL_VERSION}"
        )
    return metadata
