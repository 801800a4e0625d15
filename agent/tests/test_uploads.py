"""Uploads on TOPIC_UPLOADS (byte streams from the browser) and files sent on TOPIC_FILES."""

import asyncio
import base64
import io
from typing import Any

import pytest
from livekit import rtc
from livekit.agents import llm
from support.byte_streams import FakeStreamTarget
from support.configs import agent_config, session_config
from support.pdf import minimal_pdf
from support.providers import FakeProviders
from support.session import assistant_texts, wait_for
from troupe_agent.agents import AgentFactory
from troupe_agent.events import RecordingEventPublisher
from troupe_agent.log_sink import SessionLogSink
from troupe_agent.providers.fake import ECHO_PREFIX
from troupe_agent.session import build_session
from troupe_agent.uploads import (
    MAX_DOCUMENT_CHARS,
    UploadReceiver,
    UploadRejected,
    extract,
    resolve_mime,
    send_file,
)
from troupe_contracts import TOPIC_FILES, UPLOAD_MAX_BYTES
from troupe_contracts.events import UploadReceivedEvent, UploadRejectedEvent
from troupe_contracts.log import PanelEventEntry

USER = "user-abc"
SENTENCE = "The quarterly report shows revenue grew by twelve percent."
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class FakeStream:
    """Stands in for ``rtc.ByteStreamReader``: yields ``chunks``, remembers ``close()``."""

    def __init__(
        self,
        chunks: list[bytes],
        *,
        name: str = "doc.pdf",
        mime: str = "application/pdf",
        size: int | None = None,
        stream_id: str = "stream-1",
    ) -> None:
        self._chunks = chunks
        self._info = rtc.ByteStreamInfo(
            stream_id=stream_id,
            mime_type=mime,
            topic="troupe.uploads",
            timestamp=0,
            size=size,
            attributes={},
            name=name,
        )
        self.closed = False
        self.read = 0

    @property
    def info(self) -> rtc.ByteStreamInfo:
        return self._info

    def __aiter__(self) -> Any:
        return self._iter()

    async def _iter(self) -> Any:
        for chunk in self._chunks:
            if self.closed:
                return
            self.read += 1
            yield chunk

    def close(self) -> None:
        self.closed = True


async def _no_post(*_: Any) -> None:
    return None


def make_receiver(
    tmp_path: Any, *, vision: bool = False, max_bytes: int = UPLOAD_MAX_BYTES, user: str = USER
) -> tuple[UploadReceiver, list[llm.ChatMessage], RecordingEventPublisher, SessionLogSink]:
    delivered: list[llm.ChatMessage] = []
    publisher = RecordingEventPublisher()
    config = session_config(agent_config())
    sink = SessionLogSink(config.session_id, _no_post, tmp_path / "spool", batch_size=500)
    receiver = UploadReceiver(
        user_identity=lambda: user,
        deliver=delivered.append,
        can_see_images=lambda: vision,
        publisher=publisher,
        sink=sink,
        max_bytes=max_bytes,
    )
    return receiver, delivered, publisher, sink


async def test_pdf_text_is_extracted_and_handed_to_the_agent(tmp_path: Any) -> None:
    pdf = minimal_pdf([SENTENCE, "Costs stayed flat."])
    receiver, delivered, publisher, sink = make_receiver(tmp_path)
    stream = FakeStream([pdf[:300], pdf[300:]], name="report.pdf", size=len(pdf))
    event = await receiver.receive(stream, USER)

    assert isinstance(event, UploadReceivedEvent)
    assert (event.name, event.pages, event.size, event.truncated) == (
        "report.pdf",
        2,
        len(pdf),
        False,
    )
    assert event.stream_id == "stream-1" and event.chars > len(SENTENCE)
    assert publisher.sent == [event]
    [message] = delivered
    text = message.text_content or ""
    assert text.startswith('[Uploaded document "report.pdf", 2 pages]\n')
    assert SENTENCE in text and "Costs stayed flat." in text
    [entry] = [e for e in sink.entries if isinstance(e, PanelEventEntry)]
    assert (entry.panel, entry.event, entry.data["name"]) == ("upload", "received", "report.pdf")


async def test_upload_over_the_limit_is_aborted_while_reading(tmp_path: Any) -> None:
    receiver, delivered, publisher, _ = make_receiver(tmp_path, max_bytes=1000)
    # no declared size: the running total must stop it
    stream = FakeStream([b"a" * 600] * 10, name="big.txt", mime="text/plain")
    event = await receiver.receive(stream, USER)
    assert isinstance(event, UploadRejectedEvent) and event.reason == "too_large"
    assert stream.closed and stream.read == 2  # stopped as soon as the total passed the limit
    assert delivered == [] and publisher.sent == [event]


async def test_declared_size_over_the_limit_is_refused_before_reading(tmp_path: Any) -> None:
    receiver, delivered, _, _ = make_receiver(tmp_path)
    stream = FakeStream([b"x"], name="huge.pdf", size=UPLOAD_MAX_BYTES + 1)
    event = await receiver.receive(stream, USER)
    assert isinstance(event, UploadRejectedEvent) and event.reason == "too_large"
    assert "10 MB" in event.message
    assert stream.closed and stream.read == 0 and delivered == []


@pytest.mark.parametrize(
    ("name", "mime", "data"),
    [
        ("run.exe", "application/x-msdownload", b"MZ\x90\x00"),
        ("page.html", "text/html", b"<html></html>"),
        ("clip.gif", "image/gif", b"GIF89a"),
    ],
)
async def test_wrong_type_is_refused(tmp_path: Any, name: str, mime: str, data: bytes) -> None:
    receiver, delivered, publisher, sink = make_receiver(tmp_path)
    event = await receiver.receive(FakeStream([data], name=name, mime=mime), USER)
    assert isinstance(event, UploadRejectedEvent) and event.reason == "unsupported_type"
    assert delivered == [] and publisher.sent == [event]
    assert any(isinstance(e, PanelEventEntry) and e.event == "rejected" for e in sink.entries)


async def test_content_that_does_not_match_the_declared_type_is_refused(tmp_path: Any) -> None:
    receiver, delivered, _, _ = make_receiver(tmp_path)
    event = await receiver.receive(FakeStream([b"not a pdf at all"], name="x.pdf"), USER)
    assert isinstance(event, UploadRejectedEvent) and event.reason == "unreadable"
    assert delivered == []


async def test_upload_from_another_participant_is_refused(tmp_path: Any) -> None:
    receiver, delivered, publisher, _ = make_receiver(tmp_path)
    pdf = minimal_pdf([SENTENCE])
    for identity in ("user-someone-else", "agent-xyz", "recorder"):
        stream = FakeStream([pdf])
        event = await receiver.receive(stream, identity)
        assert isinstance(event, UploadRejectedEvent) and event.reason == "not_allowed"
        assert stream.closed and stream.read == 0
    assert delivered == [] and publisher.sent == []  # nothing is announced to strangers


async def test_before_the_user_is_known_any_user_identity_may_upload(tmp_path: Any) -> None:
    delivered: list[llm.ChatMessage] = []
    receiver = UploadReceiver(
        user_identity=lambda: None, deliver=delivered.append, can_see_images=lambda: False
    )
    ok = await receiver.receive(FakeStream([b"hello"], name="a.txt", mime="text/plain"), USER)
    bad = await receiver.receive(FakeStream([b"hello"], name="a.txt", mime="text/plain"), "x")
    assert isinstance(ok, UploadReceivedEvent) and isinstance(bad, UploadRejectedEvent)
    assert len(delivered) == 1


async def test_empty_file_is_refused(tmp_path: Any) -> None:
    receiver, _, _, _ = make_receiver(tmp_path)
    event = await receiver.receive(FakeStream([], name="a.txt", mime="text/plain"), USER)
    assert isinstance(event, UploadRejectedEvent) and event.reason == "empty"


async def test_markdown_without_a_declared_type_is_read_as_text(tmp_path: Any) -> None:
    receiver, delivered, _, _ = make_receiver(tmp_path)
    event = await receiver.receive(
        FakeStream([b"# Notes\n\n- one"], name="notes.md", mime=""), USER
    )
    assert isinstance(event, UploadReceivedEvent) and event.mime_type == "text/markdown"
    assert delivered[0].text_content == '[Uploaded document "notes.md"]\n# Notes\n\n- one'


async def test_long_text_is_cut(tmp_path: Any) -> None:
    receiver, delivered, _, _ = make_receiver(tmp_path)
    body = ("word " * 5000).encode()
    event = await receiver.receive(FakeStream([body], name="long.txt", mime="text/plain"), USER)
    assert isinstance(event, UploadReceivedEvent)
    assert event.truncated and event.chars == MAX_DOCUMENT_CHARS
    assert "cut after the first" in (delivered[0].text_content or "")


async def test_image_goes_to_a_vision_agent_as_image_content(tmp_path: Any) -> None:
    receiver, delivered, _, _ = make_receiver(tmp_path, vision=True)
    event = await receiver.receive(FakeStream([PNG], name="pic.png", mime="image/png"), USER)
    assert isinstance(event, UploadReceivedEvent) and event.note is None
    images = [c for c in delivered[0].content if isinstance(c, llm.ImageContent)]
    # re-encoded: the LLM always gets a JPEG, whatever the user sent
    assert len(images) == 1 and str(images[0].image).startswith("data:image/jpeg;base64,")
    assert event.mime_type == "image/png" and event.size == len(PNG)


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 200, 255)[: len(mode)]).save(out, format="PNG")
    return out.getvalue()


def _decoded(content: llm.ImageContent) -> Any:
    from PIL import Image

    url = str(content.image)
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


@pytest.mark.parametrize(
    ("size", "max_size", "expected"),
    [
        ((3000, 1500), 1024, (1024, 512)),  # landscape: the long side fits
        ((600, 2400), 1024, (256, 1024)),  # portrait
        ((640, 480), 1024, (640, 480)),  # small images are never enlarged
        ((2000, 2000), 512, (512, 512)),  # the agent's own max size
    ],
)
def test_uploaded_images_are_resized_to_the_vision_max_size_and_jpeg_encoded(
    size: tuple[int, int], max_size: int, expected: tuple[int, int]
) -> None:
    doc = extract("big.png", "image/png", _png(*size), image_max_size=max_size)
    assert doc.image is not None and doc.image[:3] == b"\xff\xd8\xff"  # JPEG
    assert doc.image_size == expected
    (content,) = [
        c for c in doc.message(can_see_images=True).content if isinstance(c, llm.ImageContent)
    ]
    with _decoded(content) as img:
        assert (img.format, img.size) == ("JPEG", expected)


def test_transparent_png_is_flattened_on_white() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (40, 20), (0, 0, 0, 0)).save(out, format="PNG")
    doc = extract("clear.png", "image/png", out.getvalue())
    assert doc.image is not None
    with Image.open(io.BytesIO(doc.image)) as img:
        r, g, b = img.convert("RGB").getpixel((20, 10))  # type: ignore[misc]
        assert min(r, g, b) > 240


def test_a_broken_image_is_refused_as_unreadable() -> None:
    with pytest.raises(UploadRejected) as err:
        extract("x.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    assert err.value.reason == "unreadable"


async def test_receiver_uses_the_active_agents_max_size(tmp_path: Any) -> None:
    receiver, delivered, _, _ = make_receiver(tmp_path, vision=True)
    receiver._image_max_size = lambda: 256
    event = await receiver.receive(
        FakeStream([_png(1200, 600)], name="wide.png", mime="image/png"), USER
    )
    assert isinstance(event, UploadReceivedEvent)
    (content,) = [c for c in delivered[0].content if isinstance(c, llm.ImageContent)]
    with _decoded(content) as img:
        assert img.size == (256, 128)


async def test_image_for_an_agent_without_vision_becomes_a_note(tmp_path: Any) -> None:
    receiver, delivered, _, _ = make_receiver(tmp_path, vision=False)
    event = await receiver.receive(FakeStream([PNG], name="pic.png", mime="image/png"), USER)
    assert isinstance(event, UploadReceivedEvent) and event.note
    assert not any(isinstance(c, llm.ImageContent) for c in delivered[0].content)
    assert "cannot view images" in (delivered[0].text_content or "")


def test_resolve_mime() -> None:
    assert resolve_mime("application/pdf", "a.pdf", b"%PDF-1.7") == "application/pdf"
    assert resolve_mime("", "a.txt", b"hi") == "text/plain"
    assert resolve_mime("image/jpg", "a.jpg", b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert resolve_mime("text/plain; charset=utf-8", "a.txt", b"hi") == "text/plain"
    with pytest.raises(UploadRejected):
        resolve_mime("image/png", "a.png", b"GIF89a")
    with pytest.raises(UploadRejected):
        resolve_mime("text/plain", "a.txt", b"\x00\x01binary")


def test_damaged_pdf_is_unreadable() -> None:
    with pytest.raises(UploadRejected) as info:
        extract("x.pdf", "application/pdf", b"%PDF-1.4\ngarbage")
    assert info.value.reason == "unreadable"


async def test_echo_agent_answers_with_the_document_text(tmp_path: Any) -> None:
    """Through a real AgentSession: the upload becomes a user message the agent answers."""
    factory = AgentFactory(session_config(agent_config(greeting="Hello.")), FakeProviders())  # type: ignore[arg-type]
    async with build_session(None) as session:
        await session.start(factory.build_initial())
        await wait_for(lambda: assistant_texts(session))
        receiver = UploadReceiver(
            user_identity=lambda: USER,
            deliver=lambda m: session.generate_reply(user_input=m),
            can_see_images=lambda: False,
        )
        pdf = minimal_pdf([SENTENCE])
        event = await receiver.receive(FakeStream([pdf], name="report.pdf"), USER)
        assert isinstance(event, UploadReceivedEvent)
        await wait_for(lambda: any(SENTENCE in t for t in assistant_texts(session)))
        reply = next(t for t in assistant_texts(session) if SENTENCE in t)
        assert reply.startswith(ECHO_PREFIX + '[Uploaded document "report.pdf", 1 page]')


async def test_send_file_streams_on_the_files_topic() -> None:
    participant = FakeStreamTarget()
    data = b"x" * 40_000
    stream_id = await send_file(
        participant, data, name="../notes.txt", mime_type="text/plain", destination=USER
    )
    opened = participant.opened
    assert opened["topic"] == TOPIC_FILES and opened["name"] == "notes.txt"
    assert opened["total_size"] == len(data) and opened["destination_identities"] == [USER]
    assert opened["stream_id"] == stream_id
    assert b"".join(participant.writer.chunks) == data and len(participant.writer.chunks) == 3
    assert participant.writer.closed


async def test_close_cancels_pending_reads(tmp_path: Any) -> None:
    receiver, _, _, _ = make_receiver(tmp_path)
    hang = asyncio.Event()

    class Slow(FakeStream):
        async def _iter(self) -> Any:
            await hang.wait()
            yield b""

    loop_stream = Slow([], name="a.txt", mime="text/plain")
    task = asyncio.get_running_loop().create_task(receiver.receive(loop_stream, USER))
    receiver._tasks.add(task)
    await asyncio.sleep(0)
    await receiver.aclose()
    assert task.cancelled()
