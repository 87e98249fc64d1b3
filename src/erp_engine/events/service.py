"""The outbox: events written with the change they describe, then published in order."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from erp_engine.events.model import OutboxEvent
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.jsonable import jsonable
from erp_engine.uow import UnitOfWork


def emit_event(
    uow, event_type: str, *, entity_type: str, entity_id: uuid.UUID, data: dict[str, Any]
) -> OutboxEvent:
    """Append `event_type` to the outbox; it is published only if the transaction commits."""
    event = OutboxEvent(
        id=uuid.uuid4(),
        type=event_type,
        entity_type=entity_type,
        entity_id=entity_id,
        occurred_at=utcnow(),
        data=jsonable(data),
    )
    uow.outbox.add(event)
    return event


async def emit_events_bulk(uow, events: list[tuple[str, str, uuid.UUID, dict[str, Any]]]) -> None:
    """Append many (type, entity_type, entity_id, data) events at once; as `emit_event` would."""
    now = utcnow()
    await uow.outbox.add_many(
        [
            {
                "id": uuid.uuid4(),
                "type": event_type,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "occurred_at": now,
                "data": jsonable(data),
            }
            for event_type, entity_type, entity_id, data in events
        ]
    )


class Publisher(Protocol):
    async def publish(self, event: OutboxEvent) -> None:
        """Deliver one event and return only once the broker acknowledged it."""


async def publish_pending(uow: UnitOfWork, publisher: Publisher, *, limit: int = 100) -> int:
    """Publish the oldest unpublished events in order; return how many were published.

    Events are marked published only after the broker's acknowledgement. If publishing
    fails midway, the acknowledged prefix is still marked before the error propagates, so
    at most the failed event is sent again (and the broker drops that duplicate by id).
    """
    async with uow:
        events = await uow.outbox.claim_unpublished(limit)
        if uow.dialect == "sqlite":
            # SQLite's one write lock must not wait on the broker (5 s per publish when it
            # is down) or every writer stalls; PostgreSQL keeps its row locks, which only
            # keep other relays off these events.
            await uow.session.commit()
        done: list[int] = []
        try:
            for event in events:
                await publisher.publish(event)
                done.append(event.position)
        finally:
            await uow.outbox.mark_published(done, utcnow())
            await uow.commit()
        return len(done)


async def prune_published(uow: UnitOfWork, *, before: datetime, limit: int, read_by: str) -> int:
    """Delete up to `limit` events published before `before` that the feed reader `read_by`
    (the webhook dispatcher) has passed; return how many. Unpublished events stay."""
    async with uow:
        read = await uow.outbox.read_cursor(read_by)
        if read is None:
            return 0
        deleted = await uow.outbox.prune_published(before, limit, read)
        await uow.commit()
        return deleted


async def outbox_backlog(uow: UnitOfWork) -> tuple[int, datetime | None]:
    async with uow:
        return await uow.outbox.backlog()


def event_body(event: OutboxEvent) -> dict[str, Any]:
    """The public shape of an event, as published to NATS, webhooks and the feed."""
    return {
        "id": str(event.id),
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "entity_type": event.entity_type,
        "entity_id": str(event.entity_id),
        "data": event.data,
    }
