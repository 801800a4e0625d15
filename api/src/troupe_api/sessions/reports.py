"""What a session's log adds up to: the summary (turns, latency percentiles, tools, handoffs,
cost) and the replay timeline merged with LiveKit's events."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Any

from troupe_contracts.log import (
    ErrorEntry,
    LogEntry,
    MessageEntry,
    ToolCallEntry,
    TransitionEntry,
    TurnMetricsEntry,
    UsageEntry,
)

from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.sessions.models import Session


def _percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


LATENCY_FIELDS = {
    "end_of_utterance": "end_of_utterance_delay_ms",
    "transcription": "transcription_delay_ms",
    "llm_ttft": "llm_ttft_ms",
    "tts_ttfb": "tts_ttfb_ms",
    "e2e": "e2e_latency_ms",
}


def summarize(session: Session, entries: list[LogEntry]) -> dict[str, Any]:
    agents: list[str] = []
    tools: dict[str, dict[str, Any]] = {}
    latency: dict[str, list[float]] = {name: [] for name in LATENCY_FIELDS}
    user_turns = agent_turns = handoffs = errors = interruptions = 0
    usage_totals: dict[str, float] = defaultdict(float)

    def seen(agent: str | None) -> None:
        if agent and agent not in agents:
            agents.append(agent)

    for entry in entries:
        if isinstance(entry, MessageEntry):
            if entry.role == "user":
                user_turns += 1
            elif entry.role == "assistant":
                agent_turns += 1
                interruptions += int(entry.interrupted)
                seen(entry.agent)
        elif isinstance(entry, TransitionEntry):
            seen(entry.from_agent)
            seen(entry.to_agent)
            handoffs += int(entry.from_agent is not None)
        elif isinstance(entry, ToolCallEntry):
            seen(entry.agent)
            stats = tools.setdefault(entry.tool, {"tool": entry.tool, "calls": 0, "errors": 0})
            stats["calls"] += 1
            stats["errors"] += int(entry.error is not None)
        elif isinstance(entry, TurnMetricsEntry):
            for name, attr in LATENCY_FIELDS.items():
                value = getattr(entry, attr)
                if value is not None:
                    latency[name].append(value)
        elif isinstance(entry, UsageEntry):
            for name in (
                "llm_input_tokens",
                "llm_output_tokens",
                "stt_seconds",
                "tts_characters",
                "tts_seconds",
                "vision_frames",
            ):
                usage_totals[name] += getattr(entry, name)
        elif isinstance(entry, ErrorEntry):
            errors += 1
    return {
        "session_id": session.id,
        "status": session.status,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "duration_seconds": session.duration_seconds,
        "turns": {"user": user_turns, "agent": agent_turns, "total": user_turns + agent_turns},
        "interruptions": interruptions,
        "agents": agents,
        "handoffs": handoffs,
        "tools": sorted(tools.values(), key=lambda t: t["tool"]),
        "errors": errors,
        "latency_ms": {
            name: {
                "count": len(values),
                "p50": _percentile(values, 50),
                "p95": _percentile(values, 95),
            }
            for name, values in latency.items()
        },
        "usage": dict(usage_totals),
    }


def _entry_agent(payload: dict[str, Any]) -> str | None:
    agent = payload.get("agent") or payload.get("to_agent")
    return str(agent) if agent else None


def replay(
    session: Session, entries: list[LogEntry], events: list[WebhookEvent]
) -> list[dict[str, Any]]:
    """One timeline of LiveKit events and log entries, ordered by time, with milliseconds
    relative to the session's start (room start, else creation)."""
    items: list[tuple[datetime, int, int, dict[str, Any]]] = []
    for event in events:
        at = event.event_created_at or event.received_at
        data: dict[str, Any] = {
            k: v
            for k, v in {
                "participant_identity": event.participant_identity,
                "track_sid": event.track_sid,
            }.items()
            if v
        }
        track = event.payload.get("track")
        if track:
            data["track"] = {
                k: track.get(k) for k in ("sid", "type", "source", "name") if k in track
            }
        items.append(
            (
                at,
                0,
                event.id,
                {"source": "livekit", "kind": event.event_type, "seq": None, "data": data},
            )
        )
    for entry in entries:
        payload = entry.model_dump(mode="json")
        data = {k: v for k, v in payload.items() if k not in ("seq", "ts", "kind")}
        item: dict[str, Any] = {"source": "log", "kind": entry.kind, "seq": entry.seq, "data": data}
        item["agent"] = _entry_agent(payload)
        items.append((entry.ts, 1, entry.seq, item))
    items.sort(key=lambda i: (i[0], i[1], i[2]))
    origin = session.started_at or session.created_at
    return [
        {"at": at, "t_ms": round((at - origin).total_seconds() * 1000), **item}
        for at, _, _, item in items
    ]
