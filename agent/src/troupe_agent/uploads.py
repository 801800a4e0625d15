"""Files between the user and the agent on LiveKit byte streams.

Browser -> agent (``TOPIC_UPLOADS``): ``UploadReceiver`` accepts streams only from the
session's user, stops reading one that passes ``UPLOAD_MAX_BYTES``, accepts only
``UPLOAD_MIME_TYPES`` (declared type checked against the file's first bytes), turns it into
conversation content (PDF -> text with pypdf, text files -> text, images -> ``ImageContent``
for agents whose LLM can see, scaled down to the agent's vision ``max_size`` and re-encoded as
JPEG; else a note) and hands the active agent a user message such as
``[Uploaded document "name.pdf", 2 pages]\\n<text>`` to answer. The browser learns the outcome
from an ``UploadReceivedEvent`` / ``UploadRejectedEvent`` on ``TOPIC_EVENTS``; the session
log gets a ``PanelEventEntry`` with ``panel="upload"``.

Agent -> browser (``TOPIC_FILES``): ``send_file`` streams bytes to the user (for tools).
"""

from __future__ import annotations

import asyncio
import base64
import io
import mimetypes
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from livekit import rtc
from livekit.agents import llm
from troupe_contracts import TOPIC_FILES, TOPIC_UPLOADS, UPLOAD_MAX_BYTES, UPLOAD_MIME_TYPES
from troupe_contracts.events import UploadReceivedEvent, UploadRejectedEvent

from troupe_agent.browser import is_user_identity
from troupe_agent.events import EventPublisher
from troupe_agent.log_sink import SessionLogSink
from troupe_agent.logging import get_logger
from troupe_agent.vision import fit_jpeg

log = get_logger(__name__)

MAX_DOCUMENT_CHARS = 12_000
"""Characters of an uploaded document's text handed to the agent (the rest is cut)."""
MAX_PDF_PAGES = 200
"""Pages of a PDF read for text; later pages are counted but not read."""
FILE_CHUNK = 15_000
IMAGE_TYPES = ("image/png", "image/jpeg")
DEFAULT_IMAGE_MAX_SIZE = 1024
"""Longest side of an uploaded image as the LLM gets it (``VisionSettings.max_size``)."""
TEXT_TYPES = ("text/plain", "text/markdown")

RejectReason = Literal["too_large", "unsupported_type", "not_allowed", "unreadable", "empty"]


class UploadRejected(Exception):
    def __init__(self, reason: RejectReason, message: str) -> None:
        super().__init__(message)
        self.reason: RejectReason = reason
        self.message = message


def _human_size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _base_type(mime: str | None) -> str:
    return (mime or "").split(";", 1)[0].strip().lower()


def resolve_mime(declared: str | None, name: str, head: bytes) -> str:
    """The upload's type: the declared one (or, when the browser gave none, the one its name
    implies), checked against the content. Raises ``UploadRejected``."""
    mime = _base_type(declared)
    if mime in ("", "application/octet-stream"):
        if name.lower().endswith((".md", ".markdown")):
            mime = "text/markdown"
        else:
            mime = _base_type(mimetypes.guess_type(name)[0])
    if mime == "image/jpg":
        mime = "image/jpeg"
    if mime not in UPLOAD_MIME_TYPES:
        allowed = "PDF, text, Markdown, PNG or JPEG"
        raise UploadRejected(
            "unsupported_type", f"{mime or 'This file type'} is not accepted; send {allowed}."
        )
    magic_ok = {
        "application/pdf": head.startswith(b"%PDF-"),
        "image/png": head.startswith(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg": head.startswith(b"\xff\xd8\xff"),
    }.get(mime, b"\x00" not in head)
    if not magic_ok:
        raise UploadRejected("unreadable", f"The file's content is not a valid {mime} file.")
    return mime


@dataclass(frozen=True)
class Document:
    """An upload turned into what the agent sees."""

    name: str
    mime_type: str
    size: int
    text: str = ""
    pages: int | None = None
    truncated: bool = False
    image: bytes | None = None
    """JPEG, already scaled to the vision max size."""
    image_size: tuple[int, int] | None = None

    @property
    def is_image(self) -> bool:
        return self.image is not None

    def header(self) -> str:
        kind = "image" if self.is_image else "document"
        parts = [f'Uploaded {kind} "{self.name}"']
        if self.pages is not None:
            parts.append(f"{self.pages} page{'s' if self.pages != 1 else ''}")
        return "[" + ", ".join(parts) + "]"

    def message(self, *, can_see_images: bool) -> llm.ChatMessage:
        """The user message that puts this upload into the conversation."""
        if self.image is not None:
            if not can_see_images:
                return llm.ChatMessage(
                    role="user",
                    content=[
                        f"{self.header()}\n(You cannot view images: tell the user you cannot "
                        "see it and ask them to describe it.)"
                    ],
                )
            url = f"data:image/jpeg;base64,{base64.b64encode(self.image).decode()}"
            return llm.ChatMessage(
                role="user", content=[self.header(), llm.ImageContent(image=url)]
            )
        body = self.text if self.text.strip() else "(No text could be extracted from it.)"
        if self.truncated:
            body += f"\n[… cut after the first {MAX_DOCUMENT_CHARS} characters]"
        return llm.ChatMessage(role="user", content=[f"{self.header()}\n{body}"])


def _cut(text: str, limit: int) -> tuple[str, bool]:
    text = text.strip()
    return (text[:limit], True) if len(text) > limit else (text, False)


def pdf_text(data: bytes, *, max_chars: int = MAX_DOCUMENT_CHARS) -> tuple[str, int, bool]:
    """(text of the first pages up to ``max_chars``, page count, truncated). Raises
    ``UploadRejected`` for a PDF pypdf cannot open (damaged, or encrypted with a password)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRejected("unreadable", "The PDF is password-protected.")
        pages = len(reader.pages)
        chunks: list[str] = []
        total = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            chunk = (page.extract_text() or "").strip()
            if chunk:
                chunks.append(chunk)
                total += len(chunk)
            if total > max_chars:
                break
    except UploadRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise UploadRejected("unreadable", f"The PDF could not be read ({e}).") from e
    text, truncated = _cut("\n\n".join(chunks), max_chars)
    return text, pages, truncated or pages > MAX_PDF_PAGES


def extract(
    name: str,
    mime: str,
    data: bytes,
    *,
    max_chars: int = MAX_DOCUMENT_CHARS,
    image_max_size: int = DEFAULT_IMAGE_MAX_SIZE,
) -> Document:
    """Turn a received upload of type ``mime`` into a ``Document`` (images scaled to fit
    ``image_max_size`` x ``image_max_size`` and JPEG-encoded)."""
    if mime == "application/pdf":
        text, pages, truncated = pdf_text(data, max_chars=max_chars)
        return Document(name, mime, len(data), text=text, pages=pages, truncated=truncated)
    if mime in TEXT_TYPES:
        text, truncated = _cut(data.decode("utf-8", errors="replace"), max_chars)
        return Document(name, mime, len(data), text=text, truncated=truncated)
    if mime in IMAGE_TYPES:
        try:
            jpeg, width, height = fit_jpeg(data, image_max_size)
        except ValueError as e:
            raise UploadRejected("unreadable", f"The image could not be read ({e}).") from e
        return Document(name, mime, len(data), image=jpeg, image_size=(width, height))
    raise UploadRejected("unsupported_type", f"{mime} is not accepted.")


class StreamLike(Protocol):
    """What we use of ``rtc.ByteStreamReader`` (a fake in tests)."""

    @property
    def info(self) -> rtc.ByteStreamInfo: ...
    def __aiter__(self) -> Any: ...
    def close(self) -> None: ...


def _now() -> datetime:
    return datetime.now(UTC)


def _clean_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"[]')
    return name[:120] or "upload"


class UploadReceiver:
    """Reads ``TOPIC_UPLOADS`` byte streams from the session's user.

    ``user_identity`` gives the user's identity when known; ``deliver`` receives the user
    message to answer (the worker passes it to ``session.generate_reply(user_input=...)``);
    ``can_see_images`` says whether the active agent has vision."""

    def __init__(
        self,
        *,
        user_identity: Callable[[], str | None],
        deliver: Callable[[llm.ChatMessage], Any],
        can_see_images: Callable[[], bool],
        publisher: EventPublisher | None = None,
        sink: SessionLogSink | None = None,
        max_bytes: int = UPLOAD_MAX_BYTES,
        max_chars: int = MAX_DOCUMENT_CHARS,
        image_max_size: Callable[[], int] = lambda: DEFAULT_IMAGE_MAX_SIZE,
    ) -> None:
        self._user_identity = user_identity
        self._deliver = deliver
        self._can_see_images = can_see_images
        self._publisher = publisher
        self._sink = sink
        self.max_bytes = max_bytes
        self.max_chars = max_chars
        self._image_max_size = image_max_size
        self._tasks: set[asyncio.Task[Any]] = set()

    def attach(self, room: rtc.Room) -> None:
        room.register_byte_stream_handler(TOPIC_UPLOADS, self._on_stream)

    def _on_stream(self, reader: rtc.ByteStreamReader, participant_identity: str) -> None:
        task = asyncio.get_running_loop().create_task(
            self.receive(reader, participant_identity), name="troupe.upload"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _allowed(self, identity: str) -> bool:
        expected = self._user_identity()
        return identity == expected if expected else is_user_identity(identity)

    async def receive(
        self, reader: StreamLike, identity: str
    ) -> UploadReceivedEvent | UploadRejectedEvent:
        info = reader.info
        name = _clean_name(info.name)
        try:
            if not self._allowed(identity):
                reader.close()
                log.warning("upload from a participant that is not the user", identity=identity)
                return self._rejected(
                    info.stream_id,
                    name,
                    UploadRejected("not_allowed", "Only the session's user may upload."),
                    publish=False,
                )
            data = await self._read(reader)
            mime = resolve_mime(info.mime_type, name, data[:16])
            document = await asyncio.to_thread(
                extract,
                name,
                mime,
                data,
                max_chars=self.max_chars,
                image_max_size=self._image_max_size(),
            )
        except UploadRejected as e:
            return self._rejected(info.stream_id, name, e)
        except Exception as e:  # a stream the sender aborted, a room that went away, ...
            log.exception("could not receive an upload", file=name)
            return self._rejected(
                info.stream_id, name, UploadRejected("unreadable", f"The upload failed ({e}).")
            )
        return self._received(info.stream_id, document)

    async def _read(self, reader: StreamLike) -> bytes:
        declared = reader.info.size
        if declared is not None and declared > self.max_bytes:
            reader.close()
            raise self._too_large()
        buf = bytearray()
        async for chunk in reader:
            buf.extend(chunk)
            if len(buf) > self.max_bytes:
                reader.close()
                raise self._too_large()
        if not buf:
            raise UploadRejected("empty", "The file is empty.")
        return bytes(buf)

    def _too_large(self) -> UploadRejected:
        return UploadRejected(
            "too_large", f"The file is larger than the {_human_size(self.max_bytes)} limit."
        )

    def _received(
        self, stream_id: str, document: Document
    ) -> UploadReceivedEvent | UploadRejectedEvent:
        can_see = self._can_see_images()
        message = document.message(can_see_images=can_see)
        try:
            self._deliver(message)
        except Exception:
            log.exception("could not hand an upload to the agent", file=document.name)
            error = UploadRejected("unreadable", "The agent could not take the file right now.")
            return self._rejected(stream_id, document.name, error)
        note = None
        if document.is_image and not can_see:
            note = "This agent can't see images; it was told an image was shared."
        elif not document.is_image and not document.text.strip():
            note = "No text could be read from this file."
        event = UploadReceivedEvent(
            ts=_now(),
            stream_id=stream_id,
            name=document.name,
            mime_type=document.mime_type,
            size=document.size,
            pages=document.pages,
            chars=len(document.text),
            truncated=document.truncated,
            note=note,
        )
        log.info(
            "upload received",
            file=document.name,
            mime_type=document.mime_type,
            size=document.size,
            pages=document.pages,
            chars=len(document.text),
        )
        self._log("received", event.model_dump(mode="json", exclude={"v", "ts", "type"}))
        if self._publisher is not None:
            self._publisher.send(event)
        return event

    def _rejected(
        self, stream_id: str, name: str, error: UploadRejected, *, publish: bool = True
    ) -> UploadRejectedEvent:
        event = UploadRejectedEvent(
            ts=_now(), stream_id=stream_id, name=name, reason=error.reason, message=error.message
        )
        log.info("upload rejected", file=name, reason=error.reason, detail=error.message)
        self._log("rejected", {"stream_id": stream_id, "name": name, "reason": error.reason})
        if publish and self._publisher is not None:
            self._publisher.send(event)
        return event

    def _log(self, event: str, data: dict[str, Any]) -> None:
        if self._sink is not None:
            self._sink.panel_event("upload", event, data, _now())

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=1)


class FileSender(Protocol):
    """What we use of ``rtc.LocalParticipant`` to send a file."""

    async def stream_bytes(
        self,
        name: str,
        *,
        total_size: int | None = None,
        mime_type: str = "application/octet-stream",
        attributes: dict[str, str] | None = None,
        stream_id: str | None = None,
        destination_identities: list[str] | None = None,
        topic: str = "",
    ) -> Any: ...


async def send_file(
    participant: FileSender,
    data: bytes,
    *,
    name: str,
    mime_type: str = "application/octet-stream",
    destination: str | None = None,
) -> str:
    """Stream ``data`` to the browser on ``TOPIC_FILES`` (to ``destination`` only, when
    given); the browser lists it as a download. Returns the stream id."""
    stream_id = str(uuid.uuid4())
    writer = await participant.stream_bytes(
        _clean_name(name),
        total_size=len(data),
        mime_type=mime_type,
        stream_id=stream_id,
        destination_identities=[destination] if destination else None,
        topic=TOPIC_FILES,
    )
    for start in range(0, len(data), FILE_CHUNK):
        await writer.write(data[start : start + FILE_CHUNK])
    await writer.aclose()
    log.info("file sent to the browser", file=name, size=len(data), mime_type=mime_type)
    return stream_id
