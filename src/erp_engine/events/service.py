"""Writes events to the outbox inside the transaction of the change they describe."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from erp_engine.events.model import OutboxEvent
from erp_engine.kernel.clock import utcnow


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


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
        data=_jsonable(data),
    )
    uow.outbox.add(event)
    return event
