"""Loads and stores webhooks and deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from erp_engine.webhooks.model import DeliveryStatus, Webhook, WebhookDelivery


def _leased(webhook_id, now: datetime):
    """Some delivery of the webhook is being sent by a dispatcher whose lease still holds."""
    leased = aliased(WebhookDelivery)
    return exists().where(
        leased.webhook_id == webhook_id,
        leased.status == DeliveryStatus.PENDING,
        leased.leased_until > now,
    )


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

    async def ready(
        self, now: datetime, *, limit: int, busy: Collection[uuid.UUID] = ()
    ) -> list[Webhook]:
        """Active webhooks with a delivery due and none being sent, longest waiting first,
        locked: another dispatcher skips them (PostgreSQL; SQLite has one writer anyway).
        A disabled webhook's deliveries wait until it is active again."""
        pending = WebhookDelivery.status == DeliveryStatus.PENDING
        due = (
            select(func.min(WebhookDelivery.next_attempt_at))
            .where(WebhookDelivery.webhook_id == Webhook.id, pending)
            .where(WebhookDelivery.next_attempt_at <= now)
            .scalar_subquery()
        )
        stmt = select(Webhook).where(
            Webhook.active.is_(True), due.is_not(None), ~_leased(Webhook.id, now)
        )
        if busy:
            stmt = stmt.where(Webhook.id.not_in(list(busy)))
        stmt = stmt.order_by(due, Webhook.id).limit(limit)
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True, of=Webhook)
        return list((await self.session.execute(stmt)).scalars())

    async def due(self, webhook_id: uuid.UUID, now: datetime, limit: int) -> list[WebhookDelivery]:
        """A webhook's due deliveries in order, or none while another dispatcher sends to it.

        Read after the webhook row is locked: a dispatcher that leased some of them and
        committed just before is seen here, even if `ready` ran on an older snapshot.
        """
        stmt = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.webhook_id == webhook_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                ~_leased(webhook_id, now),
            )
            .order_by(
                WebhookDelivery.next_attempt_at, WebhookDelivery.created_at, WebhookDelivery.id
            )
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def release(self, delivery_ids: list[uuid.UUID]) -> None:
        """End the leases of deliveries that were claimed but not sent."""
        await self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(delivery_ids))
            .values(leased_until=None)
        )

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` finished deliveries created before `before`; return how many."""
        oldest = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.created_at < before,
                WebhookDelivery.status != DeliveryStatus.PENDING,
            )
            .order_by(WebhookDelivery.created_at)
            .limit(limit)
        )
        stmt = delete(WebhookDelivery).where(WebhookDelivery.id.in_(oldest))  # attempts cascade
        result = await self.session.execute(stmt.execution_options(synchronize_session=False))
        return result.rowcount

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    async def get_delivery(self, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        stmt = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()
