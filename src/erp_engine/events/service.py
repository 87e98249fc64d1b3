"""Writes events to the outbox inside the transaction of the change they describe."""

from __future__ import annotations

import uuid
from typing import Any

from erp_engine.events.model import OutboxEvent
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.jsonable import jsonable


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
