"""Session log queries (filters, pagination), summary, replay, export and session search."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from api_factories import (
    SAMPLE_LOG,
    SAMPLE_LOG_T0,
    admin_headers,
    make_published_template,
    make_session,
    post_sample_log,
    store_livekit_event,
)
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings


async def test_log_filters_pagination_summary_replay_export(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, runtime_headers: dict[str, str]
) -> None:
    org, template, _ = await make_published_template(db)
    headers = await admin_headers(db, settings, org)
    session = await make_session(
        db,
        org,
        template,
        status="completed",
        started_at=SAMPLE_LOG_T0,
        ended_at=SAMPLE_LOG_T0 + timedelta(seconds=60),
        duration_seconds=60.0,
        end_user_id="Customer-42",
    )
    await store_livekit_event(
        db,
        session,
        "track_published",
        participant_identity="user-x",
        track_sid="TR_1",
        event_created_at=SAMPLE_LOG_T0 + timedelta(seconds=2),
        payload={"track": {"sid": "TR_1", "type": "AUDIO"}},
    )
    await db.commit()
    await post_sample_log(client, runtime_headers, session)
    url = f"/api/v1/sessions/{session.id}"

    page = (await client.get(f"{url}/log?limit=4", headers=headers)).json()
    assert [e["seq"] for e in page["entries"]] == [0, 1, 2, 3] and page["next_cursor"] == "3"
    rest = (await client.get(f"{url}/log?limit=100&cursor=3", headers=headers)).json()
    assert rest["entries"][0]["seq"] == 4 and rest["next_cursor"] is None
    kinds = (await client.get(f"{url}/log?kind=tool_call&kind=transition", headers=headers)).json()
    assert [e["seq"] for e in kinds["entries"]] == [0, 4, 5, 8]
    by_agent = (await client.get(f"{url}/log?agent=max&since_seq=5", headers=headers)).json()
    assert [e["seq"] for e in by_agent["entries"]] == [6, 7, 8]

    summary = (await client.get(f"{url}/summary", headers=headers)).json()
    assert summary["agents"] == ["ava", "max"] and summary["handoffs"] == 1
    assert summary["turns"] == {"user": 1, "agent": 2, "total": 3}
    assert summary["tools"] == [{"tool": "lookup", "calls": 2, "errors": 1}]
    assert summary["latency_ms"]["e2e"] == {"count": 2, "p50": 800.0, "p95": 1200.0}
    assert summary["latency_ms"]["tts_ttfb"]["count"] == 0
    # gpt-4.1 default: $2/M input, $8/M output; deepgram $0.0043/min -> 2_000_800 + 8_600.
    assert summary["cost_micros"] == 2_000_000 + 800 + 8_600

    replay = (await client.get(f"{url}/replay", headers=headers)).json()["items"]
    times = [i["t_ms"] for i in replay]
    assert times == sorted(times) and times[0] == 500
    track = next(i for i in replay if i["source"] == "livekit")
    assert track["kind"] == "track_published" and track["t_ms"] == 2000
    assert track["data"]["track"]["sid"] == "TR_1"
    # A transition keeps its context plan, variables and summary method (the replay shows them).
    handoff = next(i for i in replay if i["kind"] == "transition" and i["agent"] == "max")
    assert handoff["data"]["context_policy"] == "summary"
    assert handoff["data"]["variables"] == {"topic": "billing"}
    assert handoff["data"]["summary_method"] == "extractive"

    exported = await client.get(f"{url}/export?format=csv", headers=headers)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert (
        len(rows) == len(SAMPLE_LOG) and rows[4]["tool"] == "lookup" and rows[4]["error"] == "boom"
    )
    doc = (await client.get(f"{url}/export?format=json", headers=headers)).json()
    assert doc["format"] == "troupe.session" and len(doc["entries"]) == len(SAMPLE_LOG)
    assert doc["events"][0]["track_sid"] == "TR_1"

    found = await client.get("/api/v1/sessions?end_user_id=customer-4&agent=max", headers=headers)
    assert [s["id"] for s in found.json()["items"]] == [str(session.id)]
    none = await client.get("/api/v1/sessions?agent=nobody", headers=headers)
    assert none.json()["items"] == []
