"""Outgoing email, through one of two transports:

- **Development mailbox** (the default, ``TROUPE_SMTP_HOST`` empty): each message is written at
  once as an RFC 5322 ``.eml`` file to ``TROUPE_MAILBOX_DIR`` (default ``<data_dir>/mailbox``),
  so a developer or a test opens the link from there.
- **SMTP** (``TROUPE_SMTP_HOST`` set): each message is stored in ``outgoing_emails`` in the
  caller's transaction and a ``send_email`` job is deferred (enqueued after the commit). The job
  sends it (``deliver``); a failure is recorded on the row (attempts, last error) and retried
  with backoff (``RETRY_DELAYS_S``) by a scheduled job, and the ``retry_due_emails`` cron sends
  whatever is due if an enqueue was lost. A message that fails every attempt, or that the server
  refuses for good (a 5xx for its recipient), is marked ``failed`` and logged as an error: a
  message is never dropped silently.

Logs name the subject and the message's id or file, never the recipient or the body."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.core.logging import get_logger
from troupe_api.core.settings import Settings
from troupe_api.jobs.queue import JobRequest, defer
from troupe_api.outbox.models import OutgoingEmail

log = get_logger("troupe_api.mail")

SEND_JOB = "send_email"
RETRY_DELAYS_S = (30, 120, 600, 1800, 7200)
"""Waits after the 1st, 2nd, ... failed attempt; after the last one the message is ``failed``."""
MAX_ATTEMPTS = len(RETRY_DELAYS_S) + 1
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
DUE_BATCH = 100


def mailbox_dir(settings: Settings) -> Path:
    return settings.mailbox_dir or settings.data_dir / "mailbox"


def uses_smtp(settings: Settings) -> bool:
    return bool(settings.smtp_host.strip())


def build_message(
    settings: Settings, *, to: str, subject: str, body: str, message_id: str, date: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    # 8bit keeps long lines (links) whole, so the file reads as the message does.
    message.set_content(body, cte="8bit")
    return message


def _domain(settings: Settings) -> str:
    address = settings.mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "troupe.invalid"


def _write(path: Path, message: EmailMessage) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(message))
    tmp.replace(path)


def send_job(email_id: uuid.UUID, scheduled: datetime | None = None) -> JobRequest:
    return JobRequest(
        SEND_JOB,
        kwargs={"email_id": str(email_id)},
        key=f"email:{email_id}:{scheduled.timestamp() if scheduled else 0}",
        scheduled=scheduled,
        timeout_s=120,
    )


async def send(
    settings: Settings, *, db: AsyncSession, to: str, subject: str, body: str
) -> Path | uuid.UUID:
    """Send one plain-text message: the mailbox file written now (no SMTP host), else the id of
    the stored message, sent by the job worker once the caller's transaction commits (the
    caller flushes its deferred jobs after the commit)."""
    now = datetime.now(UTC)
    message_id = make_msgid(domain=_domain(settings))
    if not uses_smtp(settings):
        message = build_message(
            settings, to=to, subject=subject, body=body, message_id=message_id, date=now
        )
        path = mailbox_dir(settings) / f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        await asyncio.to_thread(_write, path, message)
        log.info("email_queued", subject=subject, file=str(path))
        return path
    row = OutgoingEmail(
        id=uuid.uuid4(),
        to_address=to,
        subject=subject[:300],
        body=body,
        message_id=message_id,
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )
    db.add(row)
    await db.flush()
    defer(db, send_job(row.id))
    log.info("email_queued", subject=subject, email_id=str(row.id), transport="smtp")
    return row.id


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx for its recipient): no retry."""


def _smtp_send(settings: Settings, message: EmailMessage) -> None:
    context = ssl.create_default_context(
        cafile=str(settings.smtp_ca_file) if settings.smtp_ca_file else None
    )
    host, mode = settings.smtp_host.strip(), settings.smtp_tls
    port = settings.smtp_port or DEFAULT_PORTS[mode]
    client: smtplib.SMTP
    if mode == "tls":
        client = smtplib.SMTP_SSL(host, port, timeout=settings.smtp_timeout_s, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=settings.smtp_timeout_s)
    with client:
        client.ehlo()
        if mode == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)
        try:
            client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {codes}") from exc
            raise


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        raw = exc.smtp_error
        text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw or "")
        return f"{type(exc).__name__}: {exc.smtp_code} {text}"[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]


async def deliver(
    *, db: AsyncSession, settings: Settings, email_id: uuid.UUID, now: datetime | None = None
) -> OutgoingEmail | None:
    """One attempt at sending a stored message (None: gone, not pending, or not due). A
    failure schedules the next attempt (a deferred job; the caller flushes it) or, after the
    last one, marks the message failed. Commits."""
    row = await db.scalar(
        select(OutgoingEmail).where(OutgoingEmail.id == email_id).with_for_update(skip_locked=True)
    )
    now = now or datetime.now(UTC)
    if (
        row is None
        or row.status != "pending"
        or (row.next_attempt_at is not None and row.next_attempt_at > now + timedelta(seconds=1))
    ):  # sent, failed, being sent, or its next attempt (another job) is not due yet
        await db.commit()  # nothing changed: releases the row lock
        return None
    message = build_message(
        settings,
        to=row.to_address,
        subject=row.subject,
        body=row.body,
        message_id=row.message_id,
        date=row.created_at or now,
    )
    row.attempts += 1
    row.last_attempt_at = now
    try:
        await asyncio.to_thread(_smtp_send, settings, message)
    except Exception as exc:  # every failure is recorded and retried or marked failed
        row.last_error = _describe(exc)
        permanent = isinstance(exc, PermanentFailure)
        if permanent or row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            row.next_attempt_at = None
            log.error(
                "email_failed",
                email_id=str(row.id),
                subject=row.subject,
                attempts=row.attempts,
                error=row.last_error,
                permanent=permanent,
            )
        else:
            row.next_attempt_at = now + timedelta(seconds=RETRY_DELAYS_S[row.attempts - 1])
            defer(db, send_job(row.id, row.next_attempt_at))
            log.warning(
                "email_attempt_failed",
                email_id=str(row.id),
                subject=row.subject,
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at.isoformat(),
                error=row.last_error,
            )
    else:
        row.status = "sent"
        row.sent_at = now
        row.next_attempt_at = None
        row.last_error = None
        log.info("email_sent", email_id=str(row.id), subject=row.subject, attempts=row.attempts)
    await db.commit()
    return row


async def due_emails(*, db: AsyncSession, now: datetime | None = None) -> list[uuid.UUID]:
    """Pending messages whose next attempt is due (what a lost enqueue left behind)."""
    now = now or datetime.now(UTC)
    rows = await db.scalars(
        select(OutgoingEmail.id)
        .where(OutgoingEmail.status == "pending", OutgoingEmail.next_attempt_at <= now)
        .order_by(OutgoingEmail.next_attempt_at)
        .limit(DUE_BATCH)
    )
    return list(rows)


async def retry_due_emails(
    *, db: AsyncSession, settings: Settings, now: datetime | None = None
) -> int:
    """Attempt every due message; returns how many were attempted (follow-ups deferred)."""
    attempted = 0
    for email_id in await due_emails(db=db, now=now):
        if await deliver(db=db, settings=settings, email_id=email_id, now=now) is not None:
            attempted += 1
    return attempted
