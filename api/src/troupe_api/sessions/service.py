"""Sessions and their logs. Tenant reads take ``organization_id``; the ``*_unscoped`` lookups
are for trusted system callers (runtime, LiveKit webhooks) that name a session by id or room."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import case, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_contracts.log import (
    ErrorEntry,
    LogEntry,
    MessageEntry,
    SessionLogBatch,
    ToolCallEntry,
    TransitionEntry,
    TurnMetricsEntry,
    UsageEntry,
)
from troupe_contracts.session import SessionRead, SessionStatus

from troupe_api.core.redaction import redact_entry
from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.sessions.models import Session, SessionLogEntry

_log_entry_adapter: TypeAdapter[LogEntry] = TypeAdapter(LogEntry)

ROOM_PREFIX = "troupe"


def room_name_for(organization_id: uuid.UUID, session_id: uuid.UUID) -> str:
    return f"{ROOM_PREFIX}-{organization_id.hex[:8]}-{session_id.hex}"


def to_read(session: Session) -> SessionRead:
    return SessionRead(
        id=session.id,
        organization_id=session.organization_id,
        template_id=session.template_id,
        room_name=session.room_name,
        status=SessionStatus(session.status),
        end_user_id=session.end_user_id,
        created_at=session.created_at,
        started_at=session.started_at,
        ended_at=session.ended_at,
        duration_seconds=session.duration_seconds,
        close_reason=session.close_reason if session.status not in OPEN_STATUSES else None,
    )


async def create(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    template_id: uuid.UUID | None,
    deployment_id: uuid.UUID | None,
    end_user_id: str | None,
    participant_identity: str,
    metadata: dict[str, Any],
    session_id: uuid.UUID | None = None,
) -> Session:
    session_id = session_id or uuid.uuid4()
    session = Session(
        id=session_id,
        organization_id=organization_id,
        template_id=template_id,
        deployment_id=deployment_id,
        room_name=room_name_for(organization_id, session_id),
        status=SessionStatus.CREATED.value,
        end_user_id=end_user_id,
        participant_identity=participant_identity,
        metadata_=metadata,
        created_at=datetime.now(UTC),
    )
    db.add(session)
    await db.flush()
    return session


async def get(
    *, db: AsyncSession, organization_id: uuid.UUID, session_id: uuid.UUID
) -> Session | None:
    return await db.scalar(
        select(Session).where(Session.organization_id == organization_id, Session.id == session_id)
    )


async def get_unscoped(*, db: AsyncSession, session_id: uuid.UUID) -> Session | None:
    return await db.get(Session, session_id)


async def get_by_room_unscoped(*, db: AsyncSession, room_name: str) -> Session | None:
    return await db.scalar(select(Session).where(Session.room_name == room_name))


# --- lifecycle: statuses only move forward (created -> active -> completed | failed | abandoned)

PARTICIPANT_JOINED = "participant_joined"
PARTICIPANT_LEFT = "participant_left"
ABANDONED_WITHIN_S = 5.0
"""A user connected for less than this did not have a conversation (an error, a closed tab)."""
NEVER_CONNECTED = "never_connected"
LEFT_WITHIN_SECONDS = "left_within_seconds"
OPEN_STATUSES = (SessionStatus.CREATED.value, SessionStatus.ACTIVE.value)


@dataclass(frozen=True)
class UserPresence:
    """The end user's time in the room, from LiveKit's participant events."""

    first_joined_at: datetime | None
    last_left_at: datetime | None
    present: bool
    """Whether the user's last event is a join (still in the room)."""


async def user_presence(*, db: AsyncSession, session: Session) -> UserPresence:
    rows = (
        await db.execute(
            select(WebhookEvent.event_type, WebhookEvent.event_created_at)
            .where(
                WebhookEvent.session_id == session.id,
                WebhookEvent.participant_identity == session.participant_identity,
                WebhookEvent.event_type.in_([PARTICIPANT_JOINED, PARTICIPANT_LEFT]),
            )
            .order_by(WebhookEvent.event_created_at, WebhookEvent.id)
        )
    ).all()
    joins = [at for kind, at in rows if kind == PARTICIPANT_JOINED and at is not None]
    leaves = [at for kind, at in rows if kind == PARTICIPANT_LEFT and at is not None]
    return UserPresence(
        first_joined_at=min(joins) if joins else None,
        last_left_at=max(leaves) if leaves else None,
        present=bool(rows) and rows[-1][0] == PARTICIPANT_JOINED,
    )


async def mark_started(*, db: AsyncSession, session: Session, at: datetime) -> bool:
    """created -> active. Returns whether anything changed (late/duplicate events change nothing,
    except filling a missing started_at on a session that already finished)."""
    result = await db.execute(
        update(Session)
        .where(Session.id == session.id, Session.status == SessionStatus.CREATED.value)
        .values(status=SessionStatus.ACTIVE.value, started_at=func.coalesce(Session.started_at, at))
        .execution_options(synchronize_session=False)
    )
    changed = bool(result.rowcount)  # type: ignore[attr-defined]
    if not changed:
        # room_finished arrived first: keep the end, but record when the room started.
        result = await db.execute(
            update(Session)
            .where(Session.id == session.id, Session.started_at.is_(None))
            .values(started_at=at)
            .execution_options(synchronize_session=False)
        )
        changed = bool(result.rowcount)  # type: ignore[attr-defined]
    await db.refresh(session)
    return changed


async def finish(
    *, db: AsyncSession, session: Session, at: datetime, reason: str | None = None
) -> bool:
    """created|active -> completed, or abandoned when the user never joined or stayed less than
    ``ABANDONED_WITHIN_S``. The duration runs from the user's first join to their last leave
    (or ``at`` while they are still in the room); ``reason`` fills ``close_reason`` unless the
    runtime gave one (an abandoned session's reason says why it was abandoned)."""
    presence = await user_presence(db=db, session=session)
    ended_at = at
    duration: float | None = None
    status = SessionStatus.COMPLETED
    if presence.first_joined_at is None:
        status, reason = SessionStatus.ABANDONED, NEVER_CONNECTED
    else:
        if not presence.present and presence.last_left_at is not None:
            ended_at = min(presence.last_left_at, at)
        duration = max((ended_at - presence.first_joined_at).total_seconds(), 0.0)
        if duration < ABANDONED_WITHIN_S:
            status, reason = SessionStatus.ABANDONED, LEFT_WITHIN_SECONDS
    close_reason: Any = (
        reason if status == SessionStatus.ABANDONED else func.coalesce(Session.close_reason, reason)
    )
    result = await db.execute(
        update(Session)
        .where(Session.id == session.id, Session.status.in_(OPEN_STATUSES))
        .values(
            status=status.value,
            ended_at=ended_at,
            duration_seconds=duration,
            close_reason=close_reason,
        )
        .execution_options(synchronize_session=False)
    )
    await db.refresh(session)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_finished(*, db: AsyncSession, session: Session, at: datetime) -> bool:
    """The room finished: the session ends (see ``finish``)."""
    return await finish(db=db, session=session, at=at)


def is_billable(session: Session) -> bool:
    return session.status != SessionStatus.ABANDONED.value


# --- logs ---------------------------------------------------------------------------------------


async def ingest_log(
    *, db: AsyncSession, session: Session, batch: SessionLogBatch, redact: bool = False
) -> tuple[int, int]:
    """Store the batch's entries; entries whose seq is already stored are skipped.
    ``redact`` replaces emails, phone and card numbers in free text before storing.
    Returns (accepted, duplicate)."""
    accepted = 0
    if batch.entries:
        rows = [
            {
                "organization_id": session.organization_id,
                "session_id": session.id,
                "seq": entry.seq,
                "kind": entry.kind,
                "ts": entry.ts,
                "payload": (redact_entry if redact else dict)(entry.model_dump(mode="json")),
            }
            for entry in batch.entries
        ]
        stmt = (
            insert(SessionLogEntry)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["session_id", "seq"])
            .returning(SessionLogEntry.seq)
        )
        accepted = len((await db.execute(stmt)).all())
    if batch.final:
        await db.execute(
            update(Session)
            .where(Session.id == session.id, Session.log_completed_at.is_(None))
            .values(
                log_completed_at=func.now(),
                # An abandoned or failed session keeps the reason the platform gave it (a job
                # that reports on a session whose agent was lost sends its own reason).
                close_reason=case(
                    (
                        Session.status.in_(
                            [SessionStatus.ABANDONED.value, SessionStatus.FAILED.value]
                        ),
                        Session.close_reason,
                    ),
                    else_=batch.close_reason,
                ),
            )
            .execution_options(synchronize_session=False)
        )
        await db.refresh(session)
    return accepted, len(batch.entries) - accepted


async def list_log(
    *, db: AsyncSession, organization_id: uuid.UUID, session_id: uuid.UUID
) -> list[LogEntry]:
    payloads = await db.scalars(
        select(SessionLogEntry.payload)
        .where(
            SessionLogEntry.organization_id == organization_id,
            SessionLogEntry.session_id == session_id,
        )
        .order_by(SessionLogEntry.seq)
    )
    return [_log_entry_adapter.validate_python(p) for p in payloads]


async def list_for_org(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    limit: int,
    status: SessionStatus | None = None,
    template_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    end_user_id: str | None = None,
    agent: str | None = None,
) -> list[Session]:
    """The organization's sessions, newest first; ``after`` is the (created_at, id) of the
    last row of the previous page (keyset pagination)."""
    query = select(Session).where(Session.organization_id == organization_id)
    if status is not None:
        query = query.where(Session.status == status.value)
    if template_id is not None:
        query = query.where(Session.template_id == template_id)
    if since is not None:
        query = query.where(Session.created_at >= since)
    if until is not None:
        query = query.where(Session.created_at < until)
    if after is not None:
        query = query.where(tuple_(Session.created_at, Session.id) < tuple_(*after))
    if end_user_id:
        # Search: a case-insensitive substring of the caller-chosen end-user id.
        escaped = end_user_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Session.end_user_id.ilike(f"%{escaped}%", escape="\\"))
    if agent:
        # Sessions in which the agent spoke, called a tool or was handed to.
        payload = SessionLogEntry.payload
        query = query.where(
            select(SessionLogEntry.id)
            .where(
                SessionLogEntry.session_id == Session.id,
                or_(payload["agent"].astext == agent, payload["to_agent"].astext == agent),
            )
            .exists()
        )
    rows = await db.scalars(
        query.order_by(Session.created_at.desc(), Session.id.desc()).limit(limit)
    )
    return list(rows)


async def query_log(
    *,
    db: AsyncSession,
    session: Session,
    kinds: list[str] | None = None,
    agent: str | None = None,
    since_seq: int | None = None,
    limit: int | None = None,
) -> list[LogEntry]:
    """Entries in seq order after ``since_seq`` (exclusive), of the given kinds, mentioning the
    agent (speaker, tool caller, metrics owner, or either side of a handoff)."""
    query = select(SessionLogEntry.payload).where(
        SessionLogEntry.organization_id == session.organization_id,
        SessionLogEntry.session_id == session.id,
    )
    if kinds:
        query = query.where(SessionLogEntry.kind.in_(kinds))
    if agent is not None:
        payload = SessionLogEntry.payload
        query = query.where(
            or_(
                payload["agent"].astext == agent,
                payload["to_agent"].astext == agent,
                payload["from_agent"].astext == agent,
            )
        )
    if since_seq is not None:
        query = query.where(SessionLogEntry.seq > since_seq)
    query = query.order_by(SessionLogEntry.seq)
    if limit is not None:
        query = query.limit(limit)
    return [_log_entry_adapter.validate_python(p) for p in await db.scalars(query)]


async def list_events(*, db: AsyncSession, session: Session) -> list[WebhookEvent]:
    rows = await db.scalars(
        select(WebhookEvent)
        .where(WebhookEvent.session_id == session.id)
        .order_by(WebhookEvent.event_created_at, WebhookEvent.id)
    )
    return list(rows)


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


async def count_open_sessions(
    *, db: AsyncSession, organization_id: uuid.UUID, created_after: datetime
) -> int:
    """Active sessions, plus created ones whose room may still start (recent)."""
    return int(
        await db.scalar(
            select(func.count())
            .select_from(Session)
            .where(
                Session.organization_id == organization_id,
                or_(
                    Session.status == SessionStatus.ACTIVE.value,
                    (Session.status == SessionStatus.CREATED.value)
                    & (Session.created_at >= created_after),
                ),
            )
        )
        or 0
    )


async def count_started_since(
    *, db: AsyncSession, organization_id: uuid.UUID, since: datetime
) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(Session)
            .where(Session.organization_id == organization_id, Session.created_at >= since)
        )
        or 0
    )


async def close(*, db: AsyncSession, session: Session, at: datetime, reason: str) -> bool:
    """Closed by the system (the sweeper, a user who left for good): see ``finish``."""
    return await finish(db=db, session=session, at=at, reason=reason)
