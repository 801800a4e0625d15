"""Workspace panels: the commands the agent sends (``control_panel``), the events the browser
emits (``PanelEvent`` on TOPIC_CLIENT_EVENTS) and the state ``read_panel`` returns."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from troupe_contracts.base import Contract
from troupe_contracts.session import PanelType


# ── slides
class Slide(Contract):
    title: str = Field(max_length=200)
    bullets: list[str] = Field(default_factory=list, max_length=20)
    image_url: str | None = None
    notes: str = ""
    link_url: str | None = None


class SlidesLoad(Contract):
    op: Literal["slides.load"] = "slides.load"
    slides: list[Slide] = Field(min_length=1, max_length=200)
    start_index: int = Field(default=0, ge=0)


class SlidesGoto(Contract):
    op: Literal["slides.goto"] = "slides.goto"
    index: int = Field(ge=0)


class SlidesStep(Contract):
    op: Literal["slides.next", "slides.prev"]


class SlidesState(Contract):
    panel: Literal["slides"] = "slides"
    index: int
    count: int
    title: str | None
    dwell_ms: dict[int, float] = Field(default_factory=dict)


# ── notepad
class NotepadSet(Contract):
    op: Literal["notepad.set"] = "notepad.set"
    text: str | None = Field(default=None, max_length=100_000)
    placeholder: str | None = Field(default=None, max_length=500)


class NotepadClear(Contract):
    op: Literal["notepad.clear"] = "notepad.clear"


class NotepadState(Contract):
    panel: Literal["notepad"] = "notepad"
    text: str
    words: int
    characters: int


# ── code
CodeLanguage = Literal["python", "javascript", "typescript", "java", "cpp"]


class CodeSet(Contract):
    op: Literal["code.set"] = "code.set"
    code: str = Field(max_length=200_000)
    language: CodeLanguage = "python"


class CodeHighlight(Contract):
    op: Literal["code.highlight"] = "code.highlight"
    lines: list[int] = Field(max_length=500)


class CodeAnnotate(Contract):
    op: Literal["code.annotate"] = "code.annotate"
    line: int = Field(ge=1)
    message: str = Field(max_length=500)
    severity: Literal["info", "warning", "error"] = "info"


class CodeClearMarks(Contract):
    op: Literal["code.clear_marks"] = "code.clear_marks"


class CodeState(Contract):
    panel: Literal["code"] = "code"
    code: str
    language: CodeLanguage
    last_run_output: str | None = None


# ── whiteboard
class Shape(Contract):
    kind: Literal["rectangle", "ellipse", "line", "arrow", "text"]
    x: float
    y: float
    width: float = 0
    height: float = 0
    text: str | None = Field(default=None, max_length=500)
    color: str = Field(default="#1e1e1e", pattern=r"^#[0-9a-fA-F]{6}$")


class WhiteboardDraw(Contract):
    op: Literal["whiteboard.draw"] = "whiteboard.draw"
    shapes: list[Shape] = Field(min_length=1, max_length=200)


class WhiteboardSimple(Contract):
    op: Literal["whiteboard.clear", "whiteboard.undo", "whiteboard.redo", "whiteboard.export"]


class WhiteboardState(Contract):
    panel: Literal["whiteboard"] = "whiteboard"
    shape_count: int
    shapes: list[dict[str, Any]] = Field(default_factory=list, description="Simplified elements.")
    png_base64: str | None = None


# ── document
class DocumentLoad(Contract):
    op: Literal["document.load"] = "document.load"
    url: str = Field(max_length=2048)


class DocumentGoto(Contract):
    op: Literal["document.goto"] = "document.goto"
    page: int = Field(ge=1)


class DocumentZoom(Contract):
    op: Literal["document.zoom"] = "document.zoom"
    scale: float = Field(gt=0.1, le=5)


class DocumentHighlight(Contract):
    op: Literal["document.highlight"] = "document.highlight"
    page: int = Field(ge=1)
    text: str = Field(min_length=1, max_length=1000)


class DocumentState(Contract):
    panel: Literal["document"] = "document"
    url: str | None
    page: int
    page_count: int
    scale: float
    annotations: list[dict[str, Any]] = Field(default_factory=list)


PanelCommand = Annotated[
    SlidesLoad
    | SlidesGoto
    | SlidesStep
    | NotepadSet
    | NotepadClear
    | CodeSet
    | CodeHighlight
    | CodeAnnotate
    | CodeClearMarks
    | WhiteboardDraw
    | WhiteboardSimple
    | DocumentLoad
    | DocumentGoto
    | DocumentZoom
    | DocumentHighlight,
    Field(discriminator="op"),
]
PanelState = Annotated[
    SlidesState | NotepadState | CodeState | WhiteboardState | DocumentState,
    Field(discriminator="panel"),
]
PanelCommandAdapter: TypeAdapter[PanelCommand] = TypeAdapter(PanelCommand)
PanelStateAdapter: TypeAdapter[PanelState] = TypeAdapter(PanelState)


class PanelEvent(Contract):
    """Browser -> agent on TOPIC_CLIENT_EVENTS: something the user did in a panel. Debounced
    by the browser (content changes at most every 500 ms)."""

    type: Literal["panel_event"] = "panel_event"
    panel: PanelType
    event: Literal[
        "opened",
        "closed",
        "slide_viewed",
        "link_clicked",
        "content_changed",
        "code_changed",
        "code_run",
        "drawing_changed",
        "page_viewed",
        "section_viewed",
        "annotation_added",
    ]
    data: dict[str, Any] = Field(default_factory=dict)
    ts: datetime


class PanelPointer(Contract):
    """Browser -> agent on ``TOPIC_TRANSIENT``, **lossy**: where the user's pointer is over a
    panel and, while they draw on the whiteboard, the stroke so far. Sent at most every 50 ms
    while the pointer moves; a lost packet is replaced by the next and one older than the last
    received (``seq``) is dropped. The finished stroke arrives reliably (``drawing_changed``)."""

    type: Literal["panel_pointer"] = "panel_pointer"
    panel: PanelType
    seq: int = Field(ge=0, description="Increases with every packet of this page.")
    x: float = Field(
        description="Board units on the whiteboard (1200 x 800); else 0..1 of the panel."
    )
    y: float
    drawing: bool = False
    stroke: list[float] = Field(
        default_factory=list,
        max_length=200,
        description="The latest points (x, y pairs, board units) of the stroke being drawn.",
    )
