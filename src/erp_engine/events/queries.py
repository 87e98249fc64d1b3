"""The event feed for pollers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.events.cursor import Cursor
from erp_engine.events.repository import OutboxRepository
from erp_engine.events.schemas import EventPage, EventRead


async def read_feed(session: AsyncSession, after: Cursor, limit: int) -> EventPage:
    events = await OutboxRepository(session).feed(after, limit)
    data = []
    cursor = after
    for event in events:
        cursor = Cursor(event.txid or 0, event.position)
        data.append(
            EventRead(
                id=event.id,
                type=event.type,
                occurred_at=event.occurred_at,
                entity_type=event.entity_type,
                entity_id=event.entity_id,
                data=event.data,
                cursor=cursor.encode(),
            )
        )
    return EventPage(data=data, next_cursor=cursor.encode())
