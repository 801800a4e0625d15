"""The active agent's avatar URL reaches the browser as a participant attribute, changed (or
cleared) at every handoff with the agent's name."""

from pathlib import Path
from typing import Any

from support.configs import agent_config, session_config
from test_handoffs import Harness, call, tools_turn
from troupe_agent.agents import TroupeAgent
from troupe_agent.events import RoomEventPublisher, active_agent_attributes
from troupe_contracts import ATTR_ACTIVE_AGENT, ATTR_ACTIVE_AGENT_AVATAR, ATTR_ACTIVE_AGENT_NAME
from troupe_contracts.config import HandoffTarget

HOST_AVATAR = "/api/v1/avatars/" + "h" * 32
BILLING_AVATAR = "/api/v1/avatars/" + "b" * 32


def test_the_attributes_always_carry_the_avatar_empty_when_none() -> None:
    assert active_agent_attributes("host", "Host", HOST_AVATAR) == {
        ATTR_ACTIVE_AGENT: "host",
        ATTR_ACTIVE_AGENT_NAME: "Host",
        ATTR_ACTIVE_AGENT_AVATAR: HOST_AVATAR,
    }
    assert active_agent_attributes("tech", "Tech", None)[ATTR_ACTIVE_AGENT_AVATAR] == ""


async def test_the_avatar_follows_the_active_agent_through_handoffs(tmp_path: Path) -> None:
    config = session_config(
        agent_config(
            "host",
            llm="fake/host",
            avatar_url=HOST_AVATAR,
            handoffs=[HandoffTarget(agent="billing", description="the user asks about a bill.")],
        ),
        agent_config(
            "billing",
            llm="fake/billing",
            greeting="",
            avatar_url=BILLING_AVATAR,
            handoffs=[HandoffTarget(agent="tech", description="a technical question.")],
        ),
        agent_config("tech", llm="fake/tech", greeting=""),
    )
    h = Harness(
        config,
        tmp_path,
        {
            "host": [tools_turn(call("transfer_to_billing"))],
            "billing": ["Billing here.", tools_turn(call("transfer_to_tech"))],
            "tech": ["Tech support here."],
        },
    )
    async with h.session() as session:
        await session.start(h.factory.build_initial())
        assert h.publisher.attributes[ATTR_ACTIVE_AGENT_AVATAR] == HOST_AVATAR
        await session.run(user_input="I was charged twice")
        assert isinstance(session.current_agent, TroupeAgent)
        assert session.current_agent.slug == "billing"
        assert h.publisher.attributes[ATTR_ACTIVE_AGENT_NAME] == "Billing"
        assert h.publisher.attributes[ATTR_ACTIVE_AGENT_AVATAR] == BILLING_AVATAR
        await session.run(user_input="and my router is broken")
    # tech has no avatar: the attribute is cleared, not left at billing's
    assert h.publisher.avatars == [HOST_AVATAR, BILLING_AVATAR, ""]
    assert h.publisher.attributes[ATTR_ACTIVE_AGENT] == "tech"


class _Participant:
    def __init__(self) -> None:
        self.attributes: dict[str, str] = {}

    async def set_attributes(self, attributes: dict[str, str]) -> None:
        self.attributes.update(attributes)

    async def send_text(self, text: str, *, topic: str) -> Any:
        return None


class _Room:
    def __init__(self) -> None:
        self.local_participant = _Participant()


async def test_the_room_publisher_sets_the_avatar_attribute() -> None:
    room = _Room()
    publisher = RoomEventPublisher(room)  # type: ignore[arg-type]
    publisher.active_agent_changed("host", "Host", avatar_url=HOST_AVATAR)
    await publisher.aclose()
    assert room.local_participant.attributes[ATTR_ACTIVE_AGENT_AVATAR] == HOST_AVATAR
    publisher.active_agent_changed("tech", "Tech")
    await publisher.aclose()
    assert room.local_participant.attributes == {
        ATTR_ACTIVE_AGENT: "tech",
        ATTR_ACTIVE_AGENT_NAME: "Tech",
        ATTR_ACTIVE_AGENT_AVATAR: "",
    }
