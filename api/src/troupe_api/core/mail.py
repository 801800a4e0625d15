"""Outgoing email. There is no SMTP delivery yet: each message is written as an RFC 5322
``.eml`` file to the mailbox folder (``TROUPE_MAILBOX_DIR``, default ``<data_dir>/mailbox``)
and logged (subject and file, never the recipient or body), so a developer or a test opens the link
from there. An operator wires real delivery by watching that folder or replacing ``send``."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from troupe_api.core.logging import get_logger
from troupe_api.core.settings import Settings

log = get_logger("troupe_api.mail")

SENDER = "Troupe <no-reply@troupe.invalid>"


def mailbox_dir(settings: Settings) -> Path:
    return settings.mailbox_dir or settings.data_dir / "mailbox"


def _write(path: Path, message: EmailMessage) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(message))
    tmp.replace(path)


async def send(settings: Settings, *, to: str, subject: str, body: str) -> Path:
    """Put one plain-text message in the mailbox; returns its file."""
    now = datetime.now(UTC)
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="troupe.invalid")
    # 8bit keeps long lines (links) whole, so the file reads as the message does.
    message.set_content(body, cte="8bit")
    path = mailbox_dir(settings) / f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    await asyncio.to_thread(_write, path, message)
    log.info("email_queued", subject=subject, file=str(path))
    return path
