"""Vision: agent-gated sampling at voice-activity-aware rates, one fresh frame per completed
user turn, resized and JPEG-encoded."""

import base64
from pathlib import Path
from typing import Any
from uuid import uuid4

import numpy as np
from livekit import rtc
from livekit.agents import llm
from support.configs import agent_config, session_config
from support.providers import FakeProviders
from support.runtime import FakePeer, make_runtime
from troupe_agent.agents import AgentFactory, TroupeAgent
from troupe_agent.providers.fake import ScriptedLLM, ScriptedToolCall, ScriptedTurn
from troupe_agent.providers.registry import llm_sees_images
from troupe_agent.session import build_session, preemptive_for
from troupe_agent.vision import (
    FrameSampler,
    attach_latest_frame,
    image_content,
    session_needs_video,
)
from troupe_contracts import VISION_UNSUPPORTED_NOTE
from troupe_contracts.config import ToolConfig, VisionSettings
from troupe_contracts.log import ErrorEntry
from troupe_contracts.rpc import BrowserMethod, RpcResult


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeSession:
    user_state = "listening"


def frame(width: int = 1920, height: int = 1080) -> rtc.VideoFrame:
    data = np.full((height, width, 4), 200, dtype=np.uint8).tobytes()
    return rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, data)


ON = VisionSettings(enabled=True, fps_speaking=2.0, fps_silent=0.5, max_size=512, detail="high")


def test_sampler_uses_the_speaking_and_silent_rates() -> None:
    clock, session = Clock(), FakeSession()
    sampler = FrameSampler(lambda: ON, clock=clock)
    for _ in range(40):  # 5 s at 8 fps while silent (0.5 fps): t = 0, 2, 4
        sampler(frame(8, 8), session)
        clock.now += 0.125
    accepted = sampler.sampled
    assert accepted == 3
    session.user_state = "speaking"
    for _ in range(40):  # 5 s speaking (2 fps): t = 5.0, 5.5, ... 9.5
        sampler(frame(8, 8), session)
        clock.now += 0.125
    assert sampler.sampled - accepted == 10


def test_sampler_ignores_frames_when_the_active_agent_has_no_vision() -> None:
    sampler = FrameSampler(lambda: VisionSettings(enabled=False))
    sampler(frame(8, 8), FakeSession())
    assert sampler.sampled == 0 and sampler.take() is None


def test_take_returns_a_fresh_frame_once() -> None:
    clock = Clock()
    sampler = FrameSampler(lambda: ON, clock=clock)
    sampler(frame(8, 8), FakeSession())
    assert sampler.take() is not None
    assert sampler.take() is None  # consumed
    sampler(frame(8, 8), FakeSession())  # not sampled: too soon after the last one
    clock.now += 100
    sampler(frame(8, 8), FakeSession())
    clock.now += 11
    assert sampler.take() is None  # stale


def test_image_is_resized_and_jpeg_encoded() -> None:
    content = image_content(frame(), ON)
    assert content.inference_detail == "high"
    assert isinstance(content.image, str) and content.image.startswith("data:image/jpeg;base64,")
    jpeg = base64.b64decode(content.image.split(",", 1)[1])
    assert jpeg[:2] == b"\xff\xd8"
    # SOF0 marker carries height and width
    i = jpeg.index(b"\xff\xc0")
    height, width = (
        int.from_bytes(jpeg[i + 5 : i + 7], "big"),
        int.from_bytes(jpeg[i + 7 : i + 9], "big"),
    )
    assert max(width, height) <= 512 and (width, height) == (512, 288)


def test_frame_is_attached_only_for_vision_agents() -> None:
    sampler = FrameSampler(lambda: ON)
    sampler(frame(16, 16), FakeSession())
    msg = llm.ChatMessage(role="user", content=["what do you see?"])
    assert not attach_latest_frame(msg, sampler, VisionSettings(enabled=False))
    assert attach_latest_frame(msg, sampler, ON)
    assert isinstance(msg.content[-1], llm.ImageContent)
    assert sampler.attached == 1


def test_video_input_is_opened_only_when_an_agent_needs_it() -> None:
    assert not session_needs_video(session_config(agent_config("a")))
    assert session_needs_video(session_config(agent_config("a"), agent_config("b", vision=ON)))


async def test_sessions_with_a_seeing_agent_reply_after_the_turn_not_preemptively() -> None:
    """The frame joins the turn in on_user_turn_completed; a preemptive reply started before
    it would be kept by livekit and answer without the image."""
    seeing = session_config(agent_config("a"), agent_config("b", vision=ON))
    assert preemptive_for(seeing) is False
    assert preemptive_for(session_config(agent_config("a"))) is None
    session = build_session(None, preemptive=preemptive_for(seeing))
    assert session.options.preemptive_generation["enabled"] is False


def test_sessions_with_automatic_retrieval_reply_after_the_turn_not_preemptively() -> None:
    """The passages join the turn in on_user_turn_completed: livekit would discard the
    speculative reply on every turn."""
    base = uuid4()
    retrieving = session_config(
        agent_config("a"), agent_config("b", knowledge_bases=[base], knowledge_auto_tokens=200)
    )
    assert preemptive_for(retrieving) is False
    searching_only = session_config(agent_config("a", knowledge_bases=[base]))
    assert preemptive_for(searching_only) is None


async def test_vision_agent_adds_the_frame_to_its_completed_turn(tmp_path: Path) -> None:
    config = session_config(agent_config("analyst", vision=ON), agent_config("plain"))
    runtime = make_runtime(config, tmp_path)
    runtime.frames = FrameSampler(lambda: ON)
    factory = AgentFactory(config, FakeProviders(), runtime=runtime)  # type: ignore[arg-type]
    analyst, plain = factory.build("analyst"), factory.build("plain")
    assert isinstance(analyst, TroupeAgent) and isinstance(plain, TroupeAgent)

    runtime.frames(frame(32, 32), FakeSession())
    plain_msg = llm.ChatMessage(role="user", content=["look"])
    await plain.on_user_turn_completed(llm.ChatContext(), plain_msg)
    assert not any(isinstance(c, llm.ImageContent) for c in plain_msg.content)

    msg: Any = llm.ChatMessage(role="user", content=["look"])
    await analyst.on_user_turn_completed(llm.ChatContext(), msg)
    assert any(isinstance(c, llm.ImageContent) for c in msg.content)


def _user_images(ctx: llm.ChatContext) -> list[llm.ImageContent]:
    return [
        c
        for m in ctx.items
        if isinstance(m, llm.ChatMessage) and m.role == "user"
        for c in m.content
        if isinstance(c, llm.ImageContent)
    ]


def test_the_catalog_says_which_llms_see() -> None:
    assert llm_sees_images("openai/gpt-4o") and llm_sees_images("fake/scripted")
    assert not llm_sees_images("local/smollm2")
    assert not llm_sees_images("local/piper-joe")  # not an LLM
    assert not llm_sees_images("nope/unknown")


async def test_vision_agent_on_a_blind_llm_skips_frames_and_says_why(tmp_path: Path) -> None:
    # vision on, but the LLM (the offline SmolLM2) takes no images
    config = session_config(agent_config("analyst", vision=ON, llm="local/smollm2"))
    runtime = make_runtime(config, tmp_path)
    runtime.frames = FrameSampler(lambda: ON)
    script = ScriptedLLM(["I cannot see it."])
    factory = AgentFactory(config, FakeProviders(llm=script), runtime=runtime)  # type: ignore[arg-type]
    analyst = factory.build("analyst")
    assert analyst.vision_unsupported and not analyst.can_see
    assert VISION_UNSUPPORTED_NOTE in analyst.instructions

    runtime.frames(frame(32, 32), FakeSession())
    turn = llm.ChatMessage(role="user", content=["what do you see?"])
    await analyst.on_user_turn_completed(llm.ChatContext(), turn)
    assert turn.content == ["what do you see?"]  # never attached silently
    assert runtime.frames.skipped == 1 and runtime.frames.attached == 0
    async with build_session(None, userdata=runtime.state) as session:
        await session.start(analyst)
        await session.run(user_input="what do you see?")
    # the LLM was told (its instructions), the session log says so once
    system = [m.text_content for m in script.calls[-1].items if isinstance(m, llm.ChatMessage)]
    assert any(VISION_UNSUPPORTED_NOTE in (t or "") for t in system)
    errors = [e for e in runtime.sink.entries if isinstance(e, ErrorEntry)]  # type: ignore[union-attr]
    assert len(errors) == 1 and VISION_UNSUPPORTED_NOTE in errors[0].message
    assert errors[0].recoverable


async def test_request_camera_on_a_blind_llm_tells_the_llm(tmp_path: Path) -> None:
    camera = ToolConfig(name="request_camera", kind="builtin", description="camera")
    config = session_config(agent_config("analyst", vision=ON, llm="local/smollm2", tools=[camera]))
    peer = FakePeer(
        {
            BrowserMethod.REQUEST_CAMERA.value: RpcResult(
                ok=True, data={"granted": True, "source": "camera"}
            )
        }
    )
    runtime = make_runtime(config, tmp_path, peer=peer)
    script = ScriptedLLM(
        [ScriptedTurn(tool_calls=(ScriptedToolCall("request_camera", {"reason": "x"}),)), "Ok."]
    )
    factory = AgentFactory(config, FakeProviders(llm=script), runtime=runtime)  # type: ignore[arg-type]
    async with build_session(None, userdata=runtime.state) as session:
        await session.start(factory.build_initial())
        await session.run(user_input="look at this")
    outputs = [i for i in script.calls[-1].items if isinstance(i, llm.FunctionCallOutput)]
    assert len(outputs) == 1 and VISION_UNSUPPORTED_NOTE in outputs[0].output


async def test_scripted_llm_reports_the_frame_it_received(tmp_path: Path) -> None:
    config = session_config(agent_config("analyst", vision=ON, llm="fake/scripted"))
    runtime = make_runtime(config, tmp_path)
    runtime.frames = FrameSampler(lambda: ON)
    factory = AgentFactory(config, FakeProviders(), runtime=runtime)  # type: ignore[arg-type]
    runtime.frames(frame(1280, 720), FakeSession())
    turn = llm.ChatMessage(role="user", content=["look"])
    await factory.build("analyst").on_user_turn_completed(llm.ChatContext(), turn)
    ctx = llm.ChatContext([turn])
    script = ScriptedLLM(["I see {image_count} image: {last_image}.", "{image_count} now"])
    # 1280x720 scaled to fit ON.max_size (512), JPEG: read from the context, not assumed
    assert script.next_turn(ctx).text == "I see 1 image: 512x288 JPEG."
    assert script.next_turn(llm.ChatContext()).text == "0 now"
