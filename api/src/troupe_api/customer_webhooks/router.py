"""Customer webhook endpoints and their delivery log: viewers read, admins write (the signing
secret is shown once). API keys use the ``sessions:*`` scopes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from troupe_api.core.crypto import SecretBox
from troupe_api.customer_webhooks import service
from troupe_api.customer_webhooks.errors import WebhookDeliveryNotFound, WebhookEndpointNotFound
from troupe_api.customer_webhooks.models import WebhookDelivery, WebhookEndpoint
from troupe_api.customer_webhooks.schemas import (
    DeliveryList,
    DeliveryRead,
    EndpointCreate,
    EndpointList,
    EndpointRead,
    EndpointUpdate,
)
from troupe_api.deps import AdminOrg, DbDep, JobsDep, SettingsDep, ViewerOrg
from troupe_api.jobs.queue import flush
from troupe_api.tools.service import check_webhook_url

router = APIRouter(prefix="/webhook-endpoints", tags=["webhook-endpoints"])


def _read(endpoint: WebhookEndpoint, secret: str | None = None) -> EndpointRead:
    return EndpointRead(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        events=list(endpoint.events),
        enabled=endpoint.enabled,
        secret=secret,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def _delivery(d: WebhookDelivery) -> DeliveryRead:
    return DeliveryRead.model_validate(d, from_attributes=True)


async def _endpoint(
    db: DbDep, organization_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = await service.get_endpoint(
        db=db, organization_id=organization_id, endpoint_id=endpoint_id
    )
    if endpoint is None:
        raise WebhookEndpointNotFound()
    return endpoint


@router.get("", name="list", response_model=EndpointList)
async def list_endpoints(db: DbDep, ctx: ViewerOrg) -> EndpointList:
    rows = await service.list_endpoints(db=db, organization_id=ctx.organization_id)
    return EndpointList(items=[_read(e) for e in rows])


@router.post("", name="create", response_model=EndpointRead, status_code=status.HTTP_201_CREATED)
async def create_endpoint(
    body: EndpointCreate, db: DbDep, ctx: AdminOrg, settings: SettingsDep
) -> EndpointRead:
    """Register an endpoint. The answer carries the signing secret, once. A URL the shared
    address policy refuses (private, loopback, metadata...) is ``webhook_url_forbidden``."""
    await check_webhook_url(body.url, settings.webhook_allowed_hosts)
    secret = service.new_secret()
    endpoint = WebhookEndpoint(
        organization_id=ctx.organization_id,
        url=body.url,
        description=body.description,
        events=list(dict.fromkeys(body.events)),
        enabled=body.enabled,
        secret_encrypted=service.seal_secret(secret, SecretBox.from_settings(settings)),
    )
    db.add(endpoint)
    await db.commit()
    await db.refresh(endpoint)
    return _read(endpoint, secret)


@router.get("/{endpoint_id}", name="get", response_model=EndpointRead)
async def get_endpoint(endpoint_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> EndpointRead:
    return _read(await _endpoint(db, ctx.organization_id, endpoint_id))


@router.patch("/{endpoint_id}", name="update", response_model=EndpointRead)
async def update_endpoint(
    endpoint_id: uuid.UUID, body: EndpointUpdate, db: DbDep, ctx: AdminOrg, settings: SettingsDep
) -> EndpointRead:
    """Change url, events, description or enabled; ``rotate_secret`` answers a new secret."""
    endpoint = await _endpoint(db, ctx.organization_id, endpoint_id)
    if body.url is not None:
        if body.url != endpoint.url:
            await check_webhook_url(body.url, settings.webhook_allowed_hosts)
        endpoint.url = body.url
    if body.description is not None:
        endpoint.description = body.description
    if body.events is not None:
        endpoint.events = list(dict.fromkeys(body.events))
    if body.enabled is not None:
        endpoint.enabled = body.enabled
    secret = None
    if body.rotate_secret:
        secret = service.new_secret()
        endpoint.secret_encrypted = service.seal_secret(secret, SecretBox.from_settings(settings))
    await db.commit()
    await db.refresh(endpoint)
    return _read(endpoint, secret)


@router.delete("/{endpoint_id}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_endpoint(endpoint_id: uuid.UUID, db: DbDep, ctx: AdminOrg) -> Response:
    endpoint = await _endpoint(db, ctx.organization_id, endpoint_id)
    await db.delete(endpoint)
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{endpoint_id}/deliveries", name="list_deliveries", response_model=DeliveryList)
async def list_deliveries(
    endpoint_id: uuid.UUID,
    db: DbDep,
    ctx: ViewerOrg,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryList:
    """The delivery log, newest first: attempts, last status code, response excerpt, next
    retry."""
    await _endpoint(db, ctx.organization_id, endpoint_id)
    rows = await service.list_deliveries(
        db=db, organization_id=ctx.organization_id, endpoint_id=endpoint_id, limit=limit
    )
    return DeliveryList(items=[_delivery(d) for d in rows])


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    name="redeliver",
    response_model=DeliveryRead,
    status_code=status.HTTP_202_ACCEPTED,
)
async def redeliver(
    endpoint_id: uuid.UUID, delivery_id: uuid.UUID, db: DbDep, ctx: AdminOrg, jobs: JobsDep
) -> DeliveryRead:
    """Queue one more attempt of a delivery now (also after it succeeded or failed)."""
    await _endpoint(db, ctx.organization_id, endpoint_id)
    delivery = await db.get(WebhookDelivery, delivery_id)
    if (
        delivery is None
        or delivery.endpoint_id != endpoint_id
        or delivery.organization_id != ctx.organization_id
    ):
        raise WebhookDeliveryNotFound()
    await service.redeliver(db=db, delivery=delivery)
    await db.commit()
    await flush(db, jobs)
    await db.refresh(delivery)
    return _delivery(delivery)
