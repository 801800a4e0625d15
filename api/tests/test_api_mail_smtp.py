"""E-mail over SMTP, against a real SMTP server on loopback (aiosmtpd) that requires STARTTLS
(a certificate made here) and a login: invitations, e-mail change links and usage alerts
arrive there; a server that is down or refuses is retried by the job queue and logged, and a
message is marked failed only after its last attempt (or a permanent 5xx), never lost."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import logging
import re
import socket
import ssl
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from api_factories import PASSWORD, bearer_for, make_org, make_published_template, make_user
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from troupe_api.core.settings import Settings, get_settings
from troupe_api.jobs.queue import MemoryJobQueue, flush
from troupe_api.organizations.models import Role
from troupe_api.outbox import service as outbox
from troupe_api.outbox.models import OutgoingEmail
from troupe_api.usage import notify
from troupe_api.usage.models import UsageAlert

USER, SECRET = "troupe", "smtp-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "troupe-test-smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Inbox:
    """What the SMTP server accepted: (envelope recipients, message) per DATA."""

    received: list[tuple[list[str], Message]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.endswith("@bounce.test"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.original_content))
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for rcpt, m in self.received if address in rcpt]


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int
    ca_file: Path

    def settings(self, base: Settings, **values: Any) -> Settings:
        return base.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": self.port,
                "smtp_tls": "starttls",
                "smtp_user": USER,
                "smtp_password": SECRET,
                "smtp_ca_file": self.ca_file,
                "smtp_timeout_s": 10.0,
                "mail_from": "Troupe Test <no-reply@troupe.test>",
                **values,
            }
        )


def _authenticate(inbox: Inbox) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            SECRET.encode(),
        )
        if ok:
            inbox.logins.append(mechanism)
        return AuthResult(success=ok, handled=False)

    return check


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    cert, key = _certificate(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls,
        require_starttls=True,
        authenticator=_authenticate(inbox),
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield SmtpServer(inbox=inbox, port=port, ca_file=cert)
    finally:
        controller.stop()


def _override(app: FastAPI, settings: Settings) -> None:
    app.dependency_overrides[get_settings] = lambda: settings


async def _deliver_all(db: AsyncSession, settings: Settings, jobs: MemoryJobQueue) -> list[str]:
    """Run the send_email jobs the app enqueued, as the worker would; their statuses."""
    statuses = []
    for request in jobs.named(outbox.SEND_JOB):
        row = await outbox.deliver(
            db=db, settings=settings, email_id=uuid.UUID(request.kwargs["email_id"])
        )
        statuses.append(row.status if row else "skipped")
    jobs.requests.clear()
    return statuses


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


async def test_invitation_is_mailed_over_smtp_with_starttls_and_login(
    client: httpx.AsyncClient,
    app: FastAPI,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    smtp = smtp_server.settings(
        settings, web_url="https://app.example", mailbox_dir=tmp_path / "mailbox"
    )
    _override(app, smtp)
    org = await make_org(db, name="Acme Voice")
    admin = await make_user(db, org, Role.ADMIN)
    headers = await bearer_for(db, settings, admin)

    created = await client.post(
        "/api/v1/invitations",
        json={"email": "Guest@Example.com", "role": "member"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    # Stored with the invitation, sent by the job after the commit: nothing written locally.
    assert not (tmp_path / "mailbox").exists()
    assert smtp_server.inbox.received == []
    assert await _deliver_all(db, smtp, jobs) == ["sent"]

    [message] = smtp_server.inbox.to("guest@example.com")
    assert smtp_server.inbox.logins == ["PLAIN"] or smtp_server.inbox.logins == ["LOGIN"]
    assert message["From"] == "Troupe Test <no-reply@troupe.test>"
    assert "Acme Voice" in message["Subject"]
    link = re.search(
        r"https://app\.example/dashboard/invitations/accept\?token=(\S+)", _text(message)
    )
    assert link and link.group(1) == created.json()["token"]

    # The link in the mail is the invitation: the invited user accepts with it.
    guest = await make_user(db, email="guest@example.com")
    accepted = await client.post(
        "/api/v1/invitations/accept",
        json={"token": link.group(1)},
        headers=await bearer_for(db, settings, guest),
    )
    assert accepted.status_code == 200, accepted.text
    row = await db.scalar(
        select(OutgoingEmail).where(OutgoingEmail.to_address == "guest@example.com")
    )
    assert row is not None and row.status == "sent" and row.attempts == 1 and row.sent_at


async def test_email_change_links_arrive_over_smtp(
    client: httpx.AsyncClient,
    app: FastAPI,
    db: AsyncSession,
    settings: Settings,
    jobs: MemoryJobQueue,
    smtp_server: SmtpServer,
) -> None:
    smtp = smtp_server.settings(settings, web_url="https://app.example")
    _override(app, smtp)
    org = await make_org(db)
    user = await make_user(db, org, Role.MEMBER, email="old-smtp@example.com")
    headers = await bearer_for(db, settings, user)

    requested = await client.post(
        "/api/v1/me/email",
        json={"email": "new-smtp@example.com", "current_password": PASSWORD},
        headers=headers,
    )
    assert requested.status_code == 202, requested.text
    assert await _deliver_all(db, smtp, jobs) == ["sent", "sent"]
    [notice] = smtp_server.inbox.to("old-smtp@example.com")
    assert "about to change" in notice["Subject"]
    [confirmation] = smtp_server.inbox.to("new-smtp@example.com")
    token = re.search(r"/confirm-email\?token=(\S+)", _text(confirmation))
    assert token
    confirmed = await client.post("/api/v1/auth/email/confirm", json={"token": token.group(1)})
    assert confirmed.status_code == 200, confirmed.text
    me = (await client.get("/api/v1/me", headers=headers)).json()
    assert me["user"]["email"] == "new-smtp@example.com"


async def test_usage_alert_email_goes_over_smtp(
    db: AsyncSession, settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp = smtp_server.settings(settings)
    org, _, _ = await make_published_template(db)
    admin_email = f"admin-{uuid.uuid4().hex[:6]}@example.com"
    await make_user(db, org, Role.ADMIN, email=admin_email)
    alert = UsageAlert(
        organization_id=org.id, kind="sessions_per_day", period="2026-12-06", value=3, threshold=2
    )
    db.add(alert)
    await db.commit()

    assert await notify.send_email(db=db, settings=smtp, alert_id=alert.id) == 1
    deferred = await flush(db, None)
    assert [r.function for r in deferred] == [outbox.SEND_JOB]
    row = await outbox.deliver(
        db=db, settings=smtp, email_id=uuid.UUID(deferred[0].kwargs["email_id"])
    )
    assert row is not None and row.status == "sent"
    [message] = smtp_server.inbox.to(admin_email)
    assert "usage alert" in message["Subject"].lower()
    assert "Threshold: 2" in _text(message)


async def test_failed_attempts_are_retried_then_marked_failed_and_logged(
    db: AsyncSession,
    settings: Settings,
    smtp_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = smtp_server.settings(settings, smtp_port=_free_port())  # nothing listens there
    email_id = await outbox.send(
        down, db=db, to="later@example.com", subject="Retried", body="Hello"
    )
    assert isinstance(email_id, uuid.UUID)
    await db.commit()
    assert [r.function for r in await flush(db, None)] == [outbox.SEND_JOB]

    start = dt.datetime.now(dt.UTC)
    row = await outbox.deliver(db=db, settings=down, email_id=email_id, now=start)
    assert row is not None and row.status == "pending" and row.attempts == 1
    assert row.last_error and "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at == start + dt.timedelta(seconds=outbox.RETRY_DELAYS_S[0])
    [retry] = await flush(db, None)  # the next attempt is a scheduled job
    assert retry.function == outbox.SEND_JOB and retry.scheduled == row.next_attempt_at
    # Not due yet: a duplicate job (or the cron) does not attempt it early.
    assert await outbox.deliver(db=db, settings=down, email_id=email_id, now=start) is None

    # The server is back: the cron finds the due message (as if the scheduled job were lost).
    up = smtp_server.settings(settings)
    later = row.next_attempt_at + dt.timedelta(seconds=1)
    assert await outbox.retry_due_emails(db=db, settings=up, now=later) == 1
    await db.refresh(row)
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None
    assert [m["Subject"] for m in smtp_server.inbox.to("later@example.com")] == ["Retried"]

    # A message that never gets through is failed after its last attempt, with an error log.
    never = await outbox.send(down, db=db, to="never@example.com", subject="Doomed", body="-")
    assert isinstance(never, uuid.UUID)
    await db.commit()
    at = dt.datetime.now(dt.UTC)
    with caplog.at_level(logging.WARNING):
        for _ in range(outbox.MAX_ATTEMPTS):
            failed = await outbox.deliver(db=db, settings=down, email_id=never, now=at)
            assert failed is not None
            at = (failed.next_attempt_at or at) + dt.timedelta(seconds=1)
    assert failed.status == "failed" and failed.attempts == outbox.MAX_ATTEMPTS
    assert never not in await outbox.due_emails(db=db, now=at + dt.timedelta(days=1))
    logged = " ".join(str(r.msg) for r in caplog.records)
    assert "email_attempt_failed" in logged and "email_failed" in logged
    assert "never@example.com" not in logged  # recipients stay out of the logs


async def test_a_refused_recipient_fails_at_once(
    db: AsyncSession, settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp = smtp_server.settings(settings)
    email_id = await outbox.send(smtp, db=db, to="ghost@bounce.test", subject="Bounce", body="-")
    assert isinstance(email_id, uuid.UUID)
    await db.commit()
    assert len(await flush(db, None)) == 1  # its first attempt
    row = await outbox.deliver(db=db, settings=smtp, email_id=email_id)
    assert row is not None and row.status == "failed" and row.attempts == 1
    assert row.last_error and "550" in row.last_error
    assert await flush(db, None) == []  # no retry scheduled


async def test_without_an_smtp_host_mail_goes_to_the_dev_mailbox(
    db: AsyncSession, settings: Settings, tmp_path: Path
) -> None:
    dev = settings.model_copy(update={"smtp_host": "", "mailbox_dir": tmp_path / "box"})
    path = await outbox.send(dev, db=db, to="dev@example.com", subject="Local", body="Hi")
    assert isinstance(path, Path) and path.parent == tmp_path / "box"
    assert email.message_from_bytes(path.read_bytes())["Subject"] == "Local"
    assert (
        await db.scalar(select(OutgoingEmail).where(OutgoingEmail.to_address == "dev@example.com"))
        is None
    )
