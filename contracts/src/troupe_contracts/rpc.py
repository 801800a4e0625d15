"""RPC between the agent and the browser (LiveKit participant RPC), and the browser's hello.

Every RPC payload is JSON of the request model named here; every response is ``RpcResult``.
Agent -> browser methods are registered by the browser; browser -> agent by the agent. Each
side accepts RPC only from its expected peer (the dispatched agent / the session's user)."""

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from troupe_contracts.base import Contract
from troupe_contracts.constants import PANEL_TOOL_VERBS, PROTOCOL_VERSION
from troupe_contracts.panels import PanelCommand, PanelEvent, PanelState
from troupe_contracts.session import PanelType


class BrowserMethod(StrEnum):
    """RPC methods the browser implements (the agent calls them)."""

    REQUEST_CAMERA = "troupe.request_camera"
    REQUEST_SCREEN_SHARE = "troupe.request_screen_share"
    SEND_UI_ACTION = "troupe.send_ui_action"
    OPEN_URL = "troupe.open_url"
    SHOW_TOAST = "troupe.show_toast"
    OPEN_PANEL = "troupe.open_panel"
    CONTROL_PANEL = "troupe.control_panel"
    READ_PANEL = "troupe.read_panel"
    CLOSE_PANEL = "troupe.close_panel"


class AgentMethod(StrEnum):
    """RPC methods the agent implements (the browser calls them)."""

    USER_ACTION = "troupe.user_action"


class RpcErrorCode(StrEnum):
    REFUSED = "refused"  # the user said no (consent)
    UNSUPPORTED = "unsupported"  # method or panel not available in this browser/session
    INVALID = "invalid"  # payload did not validate
    FAILED = "failed"  # the handler threw
    FORBIDDEN = "forbidden"  # caller is not the expected participant
    TIMEOUT = "timeout"


class RpcError(Contract):
    code: RpcErrorCode
    message: str


class RpcResult(Contract):
    """The one response shape of every RPC: ``ok`` with ``data``, or not ok with ``error``."""

    ok: bool
    data: Any = None
    error: RpcError | None = None


class MediaRequest(Contract):
    """request_camera / request_screen_share: the user sees ``reason`` in a consent prompt."""

    reason: str = Field(default="", max_length=300)


class MediaResult(Contract):
    granted: bool
    source: Literal["camera", "screen"]


class UiAction(Contract):
    action: str = Field(max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)


class OpenUrl(Contract):
    url: str = Field(pattern=r"^https?://", max_length=2048)
    new_tab: bool = True


class Toast(Contract):
    message: str = Field(max_length=300)
    level: Literal["info", "success", "warning", "error"] = "info"


class OpenPanel(Contract):
    panel: PanelType
    title: str | None = Field(default=None, max_length=120)
    command: PanelCommand | None = Field(default=None, description="Applied right after opening.")


class ControlPanel(Contract):
    panel: PanelType
    command: PanelCommand


class PanelRef(Contract):
    """read_panel / close_panel."""

    panel: PanelType


class ReadPanel(Contract):
    """read_panel: the panel's state; with ``image`` (whiteboard only) the browser also sends a
    PNG of the panel on ``TOPIC_PANEL_IMAGES`` and names its stream in ``PanelStateData``."""

    panel: PanelType
    image: bool = False


# ── the ``data`` of ok RpcResults, per method


class PanelImageRef(Contract):
    """A panel image sent on ``TOPIC_PANEL_IMAGES`` as a byte stream with this id."""

    stream_id: str
    mime_type: Literal["image/png"] = "image/png"
    size: int = Field(ge=0)


class PanelStateData(Contract):
    """open_panel / control_panel / read_panel: the panel's state after the call (no PNG in it:
    images travel as ``image``)."""

    state: PanelState
    image: PanelImageRef | None = None


class PanelClosedData(Contract):
    """close_panel: whether a panel was open and is now closed."""

    closed: bool


class ToastShownData(Contract):
    """show_toast."""

    shown: bool


class UrlOpenedData(Contract):
    """open_url: the user opened the (normalised) URL."""

    opened: bool
    url: str


def panel_tool_names(panel: PanelType) -> list[str]:
    """The agent tools of one panel: ``open_<panel>``, ``control_<panel>``, ..."""
    return [f"{verb}_{panel.value}" for verb in PANEL_TOOL_VERBS]


class UserAction(Contract):
    """Browser -> agent: the user asked for something from the page (e.g. explain a line)."""

    action: str = Field(max_length=64)
    panel: PanelType | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class ClientHello(Contract):
    """Sent by the browser on TOPIC_CLIENT_EVENTS right after joining: what it supports."""

    type: Literal["hello"] = "hello"
    protocol_version: int = PROTOCOL_VERSION
    rpc_methods: list[BrowserMethod]
    panels: list[PanelType]
    camera: bool = False
    screen_share: bool = False


ClientEvent = Annotated[ClientHello | PanelEvent, Field(discriminator="type")]
"""Everything the browser sends on TOPIC_CLIENT_EVENTS."""
ClientEventAdapter: TypeAdapter[ClientEvent] = TypeAdapter(ClientEvent)
