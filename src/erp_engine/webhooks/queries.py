"""Read side for webhooks and their delivery log."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from erp_engine.db.pagination import Page, PageParams, order_by, paginate
from erp_engine.errors import NotFoundError
from erp_engine.webhooks.model import Webhook, WebhookDelivery
from erp_engine.webhooks.schemas import DeliveryRead, WebhookRead


async def list_webhooks(session: AsyncSession, params: PageParams) -> Page[WebhookRead]:
    stmt = select(Webhook).order_by(
        *order_by(
            params.sort,
            {"created_at": Webhook.created_at, "url": Webhook.url},
            [Webhook.created_at, Webhook.id],
        )
    )
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[WebhookRead.model_validate(r[0]) for r in rows],
        count=total,
        page=params.page,
        limit=params.limit,
    )


async def get_webhook(session: AsyncSession, webhook_id: uuid.UUID) -> WebhookRead:
    webhook = await session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFoundError("No webhook with this id.")
    return WebhookRead.model_validate(webhook)


async def list_deliveries(
    session: AsyncSession, webhook_id: uuid.UUID, params: PageParams, *, status: str | None = None
) -> Page[DeliveryRead]:
    await get_webhook(session, webhook_id)
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook_id)
        .options(selectinload(WebhookDelivery.attempt_log))
    )
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    stmt = stmt.order_by(
        *order_by(
            params.sort,
            {"created_at": WebhookDelivery.created_at},
            [WebhookDelivery.created_at.desc(), WebhookDelivery.id],
        )
    )
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[DeliveryRead.model_validate(r[0]) for r in rows],
        count=total,
        page=params.page,
        limit=params.limit,
    )
