"""Retention: published events and finished webhook deliveries go after their age; an
unpublished event, an event the webhook dispatcher has not read, and a pending delivery stay.

Nothing is backdated: pruning runs at a `now` in the future, around a `middle` taken
between the old and the recent changes.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from erp_engine.catalog import service as catalog
from erp_engine.events.model import OutboxEvent
from erp_engine.events.retention import prune_once
from erp_engine.events.service import publish_pending
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import SYSTEM
from erp_engine.webhooks import service as webhooks
from erp_engine.webhooks.model import DeliveryStatus, WebhookAttempt, WebhookDelivery
from tests.api.test_metrics import Collecting
from tests.api.test_webhooks import enqueue_all

DAYS = 30


def rules(settings, **overrides):
    values = {
        "outbox_retention_days": DAYS,
        "webhook_delivery_retention_days": DAYS,
        "webhook_max_attempts": 1,
        **overrides,
    }
    return settings.model_copy(update=values)


async def hook(uow_factory, path: str) -> str:
    created = await webhooks.create_webhook(
        uow_factory(),
        url=f"https://93.184.216.34{path}",
        events=["item.*"],
        secret=None,
        active=True,
        description=None,
        allowed_hosts=[],
        actor=SYSTEM,
    )
    return created.id


async def answer(attempt: webhooks.Attempt) -> tuple[int | None, str | None]:
    return (200, None) if attempt.url.endswith("/ok") else (500, None)


async def change(uow_factory, sku: str) -> OutboxEvent:
    await catalog.create_item(uow_factory(), sku=sku, name=sku, actor=SYSTEM)
    async with uow_factory() as uow:
        event = await uow.session.scalar(
            select(OutboxEvent).order_by(OutboxEvent.position.desc()).limit(1)
        )
        uow.session.expunge_all()
        return event


async def publish(uow_factory) -> None:
    assert await publish_pending(uow_factory(), Collecting()) >= 1


async def kept_events(uow_factory) -> set[str]:
    async with uow_factory() as uow:
        return {str(i) for i in (await uow.session.scalars(select(OutboxEvent.id))).all()}


async def kept_deliveries(uow_factory) -> list[tuple[str, str]]:
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(WebhookDelivery.event_id, WebhookDelivery.status).order_by(
                WebhookDelivery.created_at
            )
        )
        return sorted((str(event_id), status) for event_id, status in rows)


async def attempt_count(uow_factory) -> int:
    async with uow_factory() as uow:
        return await uow.session.scalar(select(func.count()).select_from(WebhookAttempt))


async def test_retention_keeps_what_is_unfinished_and_deletes_the_rest_by_age(
    uow_factory, settings
):
    policy = rules(settings)
    off = await hook(uow_factory, "/off")
    await hook(uow_factory, "/ok")
    await hook(uow_factory, "/bad")

    old = await change(uow_factory, "OLD")
    await enqueue_all(uow_factory)
    await webhooks.update_webhook(
        uow_factory(), off, {"active": False}, allowed_hosts=[], actor=SYSTEM
    )  # its delivery stays pending
    assert await webhooks.dispatch_once(uow_factory, answer, now=utcnow(), settings=policy) == 2
    await publish(uow_factory)
    await asyncio.sleep(0.01)  # `middle` strictly after the old changes, before the recent
    middle = utcnow()
    await asyncio.sleep(0.01)
    recent = await change(uow_factory, "RECENT")
    await enqueue_all(uow_factory)
    assert await webhooks.dispatch_once(uow_factory, answer, now=utcnow(), settings=policy) == 2
    await publish(uow_factory)
    unread = await change(uow_factory, "UNREAD")  # published, not yet read by the dispatcher
    await publish(uow_factory)
    unpublished = await change(uow_factory, "UNPUBLISHED")
    everything = {str(e.id) for e in (old, recent, unread, unpublished)}
    assert await attempt_count(uow_factory) == 4

    async def prune(at, **overrides) -> dict[str, int]:
        return await prune_once(
            uow_factory, rules(settings, **overrides), now=at, stop=asyncio.Event(), batch=1
        )

    # 0 days keeps everything forever.
    assert (
        await prune(
            middle + timedelta(days=1000),
            outbox_retention_days=0,
            webhook_delivery_retention_days=0,
        )
        == {}
    )
    assert await kept_events(uow_factory) == everything

    # Thirty days after `middle`: only the old published event and the old finished
    # deliveries are old enough; the old pending delivery stays.
    assert await prune(middle + timedelta(days=DAYS)) == {
        "outbox_events": 1,
        "webhook_deliveries": 2,
    }
    assert await kept_events(uow_factory) == everything - {str(old.id)}
    assert await kept_deliveries(uow_factory) == sorted(
        [
            (str(old.id), DeliveryStatus.PENDING),
            (str(recent.id), DeliveryStatus.SUCCEEDED),
            (str(recent.id), DeliveryStatus.FAILED),
        ]
    )

    # Much later: everything finished goes, but never an unpublished event, an event the
    # webhook dispatcher has still to read, or a pending delivery.
    later = middle + timedelta(days=1000)
    assert await prune(later) == {"outbox_events": 1, "webhook_deliveries": 2}
    assert await kept_events(uow_factory) == {str(unread.id), str(unpublished.id)}
    assert await kept_deliveries(uow_factory) == [(str(old.id), DeliveryStatus.PENDING)]
    assert await attempt_count(uow_factory) == 0  # attempts go with their deliveries

    await enqueue_all(uow_factory)  # now the dispatcher has read it
    assert await prune(later) == {"outbox_events": 1, "webhook_deliveries": 0}
    assert await kept_events(uow_factory) == {str(unpublished.id)}
