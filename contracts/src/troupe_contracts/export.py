"""Export every contract to one JSON Schema document (``web/src/contracts/schema.json``),
from which the TypeScript types are generated. Run: ``python -m troupe_contracts.export PATH``.
"""

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from troupe_contracts import constants, providers
from troupe_contracts.config import SessionConfig
from troupe_contracts.errors import ErrorEnvelope
from troupe_contracts.events import AgentEvent
from troupe_contracts.knowledge import KnowledgeSearchRequest, KnowledgeSearchResult
from troupe_contracts.log import LogEntry, SessionLogBatch
from troupe_contracts.panels import PanelCommand, PanelPointer, PanelState
from troupe_contracts.providers import ProviderSpec
from troupe_contracts.recording import RecordingUploadResult
from troupe_contracts.rpc import (
    AgentMethod,
    BrowserMethod,
    ClientEvent,
    ControlPanel,
    MediaRequest,
    MediaResult,
    OpenPanel,
    OpenUrl,
    PanelClosedData,
    PanelImageRef,
    PanelRef,
    PanelStateData,
    ReadPanel,
    RpcResult,
    Toast,
    ToastShownData,
    UiAction,
    UrlOpenedData,
    UserAction,
)
from troupe_contracts.session import (
    SessionConnection,
    SessionRead,
    SessionStartRequest,
    SessionStartResponse,
    TokenMetadata,
)
from troupe_contracts.simulation import Scenario, SimulationResult

# Bodies the browser sends: exported in validation mode, so defaulted fields stay optional.
REQUESTS: tuple[type[BaseModel], ...] = (SessionStartRequest, UserAction)
# Everything else is read by TypeScript as sent, so defaulted fields are always present.
MODELS: tuple[type[BaseModel], ...] = (
    SessionStartResponse,
    SessionConnection,
    SessionRead,
    TokenMetadata,
    SessionConfig,
    SessionLogBatch,
    ProviderSpec,
    ErrorEnvelope,
    MediaRequest,
    MediaResult,
    UiAction,
    OpenUrl,
    Toast,
    OpenPanel,
    ControlPanel,
    PanelRef,
    ReadPanel,
    PanelImageRef,
    PanelStateData,
    PanelClosedData,
    ToastShownData,
    UrlOpenedData,
    RpcResult,
    RecordingUploadResult,
    Scenario,
    SimulationResult,
    KnowledgeSearchRequest,
    KnowledgeSearchResult,
    PanelPointer,
)
UNIONS: dict[str, Any] = {
    "AgentEvent": AgentEvent,
    "LogEntry": LogEntry,
    "ClientEvent": ClientEvent,
    "PanelCommand": PanelCommand,
    "PanelState": PanelState,
    "BrowserMethod": BrowserMethod,
    "AgentMethod": AgentMethod,
}


def build_schema() -> dict[str, Any]:
    """One schema whose ``$defs`` hold every contract, plus the constants as ``const`` values."""
    defs: dict[str, Any] = {}
    entries: list[tuple[str, Any, JsonSchemaMode]] = [
        (m.__name__, m, "validation") for m in REQUESTS
    ]
    entries += [(m.__name__, m, "serialization") for m in MODELS]
    entries += [(name, tp, "serialization") for name, tp in UNIONS.items()]
    for name, tp, mode in entries:
        schema = TypeAdapter(tp).json_schema(ref_template="#/$defs/{model}", mode=mode)
        defs.update(schema.pop("$defs", {}))
        defs[name] = schema
    consts = {name: getattr(constants, name) for name in constants.__all__}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "TroupeContracts",
        "$defs": dict(sorted(defs.items())),
        "x-constants": consts,
        "x-provider-catalog": [p.model_dump(mode="json") for p in providers.PROVIDER_CATALOG],
    }


def render() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=False) + "\n"


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    text = render()
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)


if __name__ == "__main__":
    main()
