"""List LiveKit rooms and their participants (the `lk room list` of this project).

The `lk` CLI's Go module is not served by the module proxy reachable here, so this uses the
livekit-api SDK against the same server API. Usage: uv run python scripts/rooms.py
"""

import asyncio
import os

from livekit import api


async def main() -> None:
    url = os.environ["LIVEKIT_URL"].replace("ws://", "http://").replace("wss://", "https://")
    lk = api.LiveKitAPI(url, os.environ["LIVEKIT_API_KEY"], os.environ["LIVEKIT_API_SECRET"])
    try:
        rooms = (await lk.room.list_rooms(api.ListRoomsRequest())).rooms
        if not rooms:
            print("no rooms")
        for room in rooms:
            print(
                f"{room.name}  participants={room.num_participants}  created={room.creation_time}"
            )
            parts = await lk.room.list_participants(api.ListParticipantsRequest(room=room.name))
            for p in parts.participants:
                kind = api.ParticipantInfo.Kind.Name(p.kind)
                print(f"  - {p.identity} ({kind}) tracks={len(p.tracks)} state={p.attributes}")
    finally:
        await lk.aclose()


if __name__ == "__main__":
    asyncio.run(main())
