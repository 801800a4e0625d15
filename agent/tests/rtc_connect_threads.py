"""Run as a script by test_rtc_ffi_threads.py: N threads, each with its own event loop (as
livekit-agents' thread executor runs jobs), connect N rooms of a real LiveKit server at once
in one process; prints one JSON line with each connect's outcome. ``--init`` first calls the
worker's ``init_rtc_ffi`` on the main thread, as ``build_server`` does for the thread executor.
An FFI panic makes livekit-rtc SIGTERM this process (no JSON line then)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import threading

from livekit import api, rtc


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("key")
    p.add_argument("secret")
    p.add_argument("--rooms", type=int, default=4)
    p.add_argument("--init", action="store_true")
    args = p.parse_args()
    if args.init:
        from troupe_agent.worker import init_rtc_ffi

        init_rtc_ffi()
    outcomes: dict[int, str] = {}

    def job(i: int) -> None:
        async def connect() -> None:
            token = (
                api.AccessToken(args.key, args.secret)
                .with_identity(f"agent-{i}")
                .with_grants(api.VideoGrants(room_join=True, room=f"threads-{i}"))
                .to_jwt()
            )
            room = rtc.Room()
            try:
                await asyncio.wait_for(room.connect(args.url, token), 30)
                outcomes[i] = "connected" if room.isconnected() else "not connected"
                await room.disconnect()
            except Exception as e:  # reported, not raised: the parent test reads them
                outcomes[i] = f"{type(e).__name__}: {e}"

        asyncio.run(connect())

    threads = [threading.Thread(target=job, args=(i,)) for i in range(args.rooms)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    print(json.dumps(outcomes, sort_keys=True), flush=True)
    # Skip the interpreter's teardown: livekit's native runtime can abort while it is torn down
    # under threads whose loops are closed; what is checked is printed already.
    os._exit(0)


if __name__ == "__main__":
    main()
