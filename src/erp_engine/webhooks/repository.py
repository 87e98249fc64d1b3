"""Loads and stores webhooks and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.webhooks.model import DeliveryStatus, Webhook, WebhookDelivery


class WebhookRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(self, webhook_id: uuid.UUID, *, for_update: bool = False) -> Webhook | None:
        stmt = select(Webhook).where(Webhook.id == webhook_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def active(self) -> list[Webhook]:
        return list(
            (await self.session.execute(select(Webhook).where(Webhook.active.is_(True)))).scalars()
        )

    def add(self, obj: Webhook | WebhookDelivery) -> None:
        self.session.add(obj)

    async def delete(self, webhook: Webhook) -> None:
        await self.session.delete(webhook)
        await self.session.flush()

    async def claim_due(self, now: datetime, limit: int) -> list[WebhookDelivery]:
        """Pending deliveries whose time has come, locked (other dispatchers skip them).
        A disabled webhook's deliveries wait until it is active again."""
        active = select(Webhook.id).where(Webhook.active.is_(True))
        stmt = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                WebhookDelivery.webhook_id.in_(active),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return list((await self.session.execute(stmt)).scalars())

    async def get_delivery(self, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        stmt = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()
