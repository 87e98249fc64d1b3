"""HTTP routes for webhooks (admin)."""

from __future__ import annotations

import uuid

from fastapi import Depends, Response, status

from erp_engine.api.deps import Admin, AppSettings, ExpectedVersion, Paging, ReadSession, Uow
from erp_engine.api.responses import created, set_etag
from erp_engine.api.routing import SlashRouter
from erp_engine.db.pagination import Page
from erp_engine.ops.idempotency import answer_holds_a_secret
from erp_engine.webhooks import queries, service
from erp_engine.webhooks.model import DeliveryStatus
from erp_engine.webhooks.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)

router = SlashRouter(prefix="/webhooks", tags=["webhooks"])


@router.get("", response_model=Page[WebhookRead], operation_id="list_webhooks")
async def list_webhooks(_: Admin, session: ReadSession, paging: Paging):
    return await queries.list_webhooks(session, paging)


@router.post(
    "",
    response_model=WebhookCreated,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_webhook",
    # The answer shows the signing secret: an Idempotency-Key retry never gets it again.
    dependencies=[Depends(answer_holds_a_secret)],
)
async def create_webhook(
    body: WebhookCreate, actor: Admin, uow: Uow, settings: AppSettings, response: Response
):
    webhook = await service.create_webhook(
        uow,
        url=body.url,
        events=body.events,
        secret=body.secret,
        active=body.active,
        description=body.description,
        allowed_hosts=settings.webhook_allowed_hosts,
        actor=actor,
    )
    created(response, f"/api/v1/webhooks/{webhook.id}", webhook.version)
    return WebhookCreated.model_validate(
        {**WebhookRead.model_validate(webhook).model_dump(), "secret": webhook.secret}
    )


@router.get("/{webhook_id}", response_model=WebhookRead, operation_id="get_webhook")
async def get_webhook(webhook_id: uuid.UUID, _: Admin, session: ReadSession, response: Response):
    webhook = await queries.get_webhook(session, webhook_id)
    set_etag(response, webhook.version)
    return webhook


@router.patch("/{webhook_id}", response_model=WebhookRead, operation_id="update_webhook")
async def update_webhook(
    webhook_id: uuid.UUID,
    body: WebhookUpdate,
    actor: Admin,
    uow: Uow,
    session: ReadSession,
    settings: AppSettings,
    response: Response,
    expected: ExpectedVersion,
):
    webhook = await service.update_webhook(
        uow,
        webhook_id,
        body.model_dump(exclude_unset=True),
        allowed_hosts=settings.webhook_allowed_hosts,
        actor=actor,
        expected_version=expected,
    )
    set_etag(response, webhook.version)
    return await queries.get_webhook(session, webhook_id)


@router.delete(
    "/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="delete_webhook"
)
async def delete_webhook(webhook_id: uuid.UUID, actor: Admin, uow: Uow):
    await service.delete_webhook(uow, webhook_id, actor=actor)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[DeliveryRead],
    operation_id="list_webhook_deliveries",
)
async def list_deliveries(
    webhook_id: uuid.UUID,
    _: Admin,
    session: ReadSession,
    paging: Paging,
    status: DeliveryStatus | None = None,
):
    return await queries.list_deliveries(session, webhook_id, paging, status=status)
