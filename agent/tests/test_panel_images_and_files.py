"""read_whiteboard gives a vision agent the board as an IMAGE (sent by the browser on a byte
stream, never inside the RPC answer) and a non-vision agent the board's shapes; share_notes
streams a Markdown document to the user's browser."""

import asyncio
import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from livekit.agents import llm
from support.byte_streams import FakeStreamTarget
from support.configs import agent_config, session_config
from support.providers import FakeProviders
from support.runtime import FakePeer, make_runtime
from troupe_agent.agents import AgentFactory
from troupe_agent.panel_images import PanelImageInbox
from troupe_agent.providers.fake import ScriptedLLM, ScriptedToolCall, ScriptedTurn
from troupe_agent.session import build_session
from troupe_agent.tools.builtin import notes_file_name
from troupe_contracts import TOPIC_FILES
from troupe_contracts.config import ToolConfig, VisionSettings
from troupe_contracts.rpc import BrowserMethod, RpcResult

USER = "user-1"
SHAPES = [{"kind": "rectangle", "x": 10, "y": 10, "width": 50, "height": 40, "text": None}]


def board_png(width: int = 1600, height: int = 900) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(img).rectangle((100, 100, 700, 500), outline=(31, 111, 235, 255), width=8)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def read_answer(*, image: dict[str, Any] | None) -> RpcResult:
    state = {"panel": "whiteboard", "shape_count": 1, "shapes": SHAPES, "png_base64": None}
    return RpcResult(ok=True, data={"state": state, "image": image})


async def read_board(
    tmp_path: Path, *, vision: VisionSettings, llm_id: str, send_png: bytes | None
) -> tuple[ScriptedLLM, FakePeer, list[llm.FunctionCallOutput]]:
    image_ref = None if send_png is None else {"stream_id": "img-1", "size": len(send_png)}
    peer = FakePeer({BrowserMethod.READ_PANEL.value: read_answer(image=image_ref)})
    config = session_config(
        agent_config("artist", llm=llm_id, vision=vision, panels=["whiteboard"])
    )
    config = config.model_copy(update={"enabled_panels": ["whiteboard"]})
    rt = make_runtime(config, tmp_path, peer=peer)
    script = ScriptedLLM(
        [ScriptedTurn(tool_calls=(ScriptedToolCall("read_whiteboard", {}),)), "Nice board."]
    )
    factory = AgentFactory(config, FakeProviders(llm=script), runtime=rt)  # type: ignore[arg-type]

    async def chunks() -> Any:
        assert send_png is not None
        for start in range(0, len(send_png), 15_000):
            await asyncio.sleep(0)
            yield send_png[start : start + 15_000]

    async with build_session(None, userdata=rt.state) as session:
        await session.start(factory.build_initial())
        # the byte stream arrives on its own, like LiveKit's stream handler would deliver it
        feeder = (
            asyncio.create_task(rt.panel_images.receive("img-1", chunks()))
            if send_png is not None
            else None
        )
        await session.run(user_input="look at the board")
        if feeder is not None:
            await feeder
    outputs = [i for i in script.calls[-1].items if isinstance(i, llm.FunctionCallOutput)]
    await rt.aclose()
    return script, peer, outputs


def user_images(ctx: llm.ChatContext) -> list[llm.ImageContent]:
    return [
        c
        for m in ctx.items
        if isinstance(m, llm.ChatMessage) and m.role == "user"
        for c in m.content
        if isinstance(c, llm.ImageContent)
    ]


async def test_vision_agent_gets_the_whiteboard_as_an_image(tmp_path: Path) -> None:
    from PIL import Image

    png = board_png()
    vision = VisionSettings(enabled=True, max_size=800, detail="high")
    script, peer, outputs = await read_board(
        tmp_path, vision=vision, llm_id="fake/scripted", send_png=png
    )
    (identity, method, payload) = peer.calls[0]
    assert (identity, method, payload) == (
        USER,
        "troupe.read_panel",
        {"panel": "whiteboard", "image": True},
    )
    (out,) = outputs
    assert not out.is_error
    assert "png_base64" not in out.output and "iVBOR" not in out.output  # no base64 text
    assert json.loads(out.output.split(" A picture", 1)[0])["shapes"] == SHAPES
    # the inference right after the tool holds the board as one image, scaled to max_size
    (image,) = user_images(script.calls[-1])
    assert image.inference_detail == "high"
    raw = str(image.image).split(",", 1)[1]
    with Image.open(io.BytesIO(base64.b64decode(raw))) as img:
        assert (img.format, img.size) == ("JPEG", (800, 450))
    assert user_images(script.calls[0]) == []  # only after the read


async def test_agent_without_vision_gets_the_shapes_and_no_image(tmp_path: Path) -> None:
    script, peer, outputs = await read_board(
        tmp_path, vision=VisionSettings(enabled=False), llm_id="fake/scripted", send_png=None
    )
    assert peer.calls[0][2] == {"panel": "whiteboard", "image": False}
    (out,) = outputs
    assert json.loads(out.output) == {"panel": "whiteboard", "shape_count": 1, "shapes": SHAPES}
    assert all(user_images(c) == [] for c in script.calls)


async def test_vision_on_a_blind_llm_reads_shapes_only(tmp_path: Path) -> None:
    _, peer, outputs = await read_board(
        tmp_path, vision=VisionSettings(enabled=True), llm_id="local/smollm2", send_png=None
    )
    assert peer.calls[0][2] == {"panel": "whiteboard", "image": False}
    assert json.loads(outputs[0].output)["shapes"] == SHAPES


async def test_inbox_pairs_a_stream_that_arrives_before_or_after_the_wait() -> None:
    inbox = PanelImageInbox()

    async def one(data: bytes) -> Any:
        yield data

    await inbox.receive("early", one(b"abc"))
    assert await inbox.wait("early") == b"abc"
    waiting = asyncio.create_task(inbox.wait("late"))
    await asyncio.sleep(0)
    await inbox.receive("late", one(b"xyz"))
    assert await waiting == b"xyz"
    with pytest.raises(TimeoutError):
        await inbox.wait("never", timeout_s=0.05)


async def test_inbox_refuses_an_oversized_image() -> None:
    inbox = PanelImageInbox(max_bytes=10)

    async def big() -> Any:
        yield b"x" * 11

    await inbox.receive("big", big())
    with pytest.raises(ValueError, match="larger"):
        await inbox.wait("big")


# ─────────────────────────────────────────────────────────────────────────── share_notes


async def share(tmp_path: Path, arguments: dict[str, Any], files: FakeStreamTarget | None) -> Any:
    tool = ToolConfig(name="share_notes", kind="builtin", description="notes")
    config = session_config(agent_config("host", tools=[tool]))
    rt = make_runtime(config, tmp_path, files=files)
    script = ScriptedLLM(
        [ScriptedTurn(tool_calls=(ScriptedToolCall("share_notes", arguments),)), "Sent."]
    )
    factory = AgentFactory(config, FakeProviders(llm=script), runtime=rt)  # type: ignore[arg-type]
    async with build_session(None, userdata=rt.state) as session:
        await session.start(factory.build_initial())
        await session.run(user_input="send me notes")
    await rt.aclose()
    (out,) = [i for i in script.calls[-1].items if isinstance(i, llm.FunctionCallOutput)]
    return out


async def test_share_notes_streams_a_markdown_file_to_the_user(tmp_path: Path) -> None:
    files = FakeStreamTarget()
    content = "- buy milk\n- ship the panels ✓\n" * 1000  # > one 15 kB chunk, non-ASCII
    out = await share(tmp_path, {"title": "Team notes!", "content": content}, files)
    expected = f"# Team notes!\n\n{content}".encode()
    assert not out.is_error and "team-notes.md" in out.output
    assert files.opened["name"] == "team-notes.md" and files.opened["topic"] == TOPIC_FILES
    assert files.opened["mime_type"] == "text/markdown"
    assert files.opened["destination_identities"] == [USER]
    assert files.opened["total_size"] == len(expected)
    assert b"".join(files.writer.chunks) == expected and files.writer.closed
    assert len(files.writer.chunks) > 1


@pytest.mark.parametrize(
    ("arguments", "files", "needle"),
    [
        ({"title": "x", "content": "   "}, FakeStreamTarget(), "empty"),
        ({"title": "x", "content": "a" * 50_001}, FakeStreamTarget(), "too long"),
        ({"title": "x", "content": "a"}, None, "cannot be sent"),
    ],
)
async def test_share_notes_failures_reach_the_llm(
    tmp_path: Path, arguments: dict[str, Any], files: FakeStreamTarget | None, needle: str
) -> None:
    out = await share(tmp_path, arguments, files)
    assert out.is_error and needle in out.output
    if files is not None:
        assert files.opened == {}


def test_notes_file_names() -> None:
    assert notes_file_name("Meeting notes: Q3!") == "meeting-notes-q3.md"
    assert notes_file_name("???") == "notes.md"
    assert notes_file_name("../../etc/passwd") == "etc-passwd.md"


class FakeRoom:
    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}

    def register_byte_stream_handler(self, topic: str, handler: Any) -> None:
        self.handlers[topic] = handler


class FakeReader:
    def __init__(self, stream_id: str, data: bytes) -> None:
        self.info = type("Info", (), {"stream_id": stream_id})()
        self._data = data

    def __aiter__(self) -> Any:
        async def chunks() -> Any:
            yield self._data

        return chunks()


async def test_inbox_takes_panel_images_only_from_the_sessions_user() -> None:
    from troupe_contracts import TOPIC_PANEL_IMAGES

    inbox, room = PanelImageInbox(), FakeRoom()
    inbox.attach(room, lambda identity: identity == USER)  # type: ignore[arg-type]
    on_stream = room.handlers[TOPIC_PANEL_IMAGES]
    on_stream(FakeReader("forged", b"evil"), "agent-other")
    on_stream(FakeReader("real", b"png"), USER)
    assert await inbox.wait("real") == b"png"
    with pytest.raises(TimeoutError):
        await inbox.wait("forged", timeout_s=0.05)
    await inbox.aclose()
