from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from google.protobuf.json_format import ParseError
from pydantic import BaseModel

from troupe_api.core.livekit import webhook_receiver
from troupe_api.deps import DbDep, JobsDep, SettingsDep
from troupe_api.jobs.queue import flush
from troupe_api.livekit_events import service
from troupe_api.livekit_events.errors import WebhookPayloadInvalid, WebhookSignatureInvalid

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class WebhookAck(BaseModel):
    status: Literal["processed", "duplicate"]


@router.post("/livekit", name="livekit", response_model=WebhookAck)
async def livekit(request: Request, db: DbDep, settings: SettingsDep, jobs: JobsDep) -> WebhookAck:
    """Receiver for LiveKit server webhooks, verified with the LiveKit SDK (JWT signed with our
    API secret, carrying the body's sha256)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    auth = request.headers.get("authorization", "")
    token = auth.removeprefix("Bearer ").strip()
    if not token:
        raise WebhookSignatureInvalid()
    try:
        event = webhook_receiver(settings).receive(body, token)
    except ParseError as exc:
        raise WebhookPayloadInvalid() from exc
    except Exception as exc:  # the SDK raises bare Exceptions and JWT errors for bad signatures
        raise WebhookSignatureInvalid() from exc
    service.check_fresh(event, max_age_s=settings.livekit_webhook_max_age_s)
    processed = await service.handle_event(
        db=db, event=event, body=body, user_left_grace_s=settings.session_user_left_grace_s
    )
    await flush(db, jobs)  # customer webhook deliveries, analyses the hooks deferred
    return WebhookAck(status="processed" if processed else "duplicate")
