"""Bodies of the event feed."""

from __future__ import annotations

import uuid
from typing import Any

from erp_engine.kernel.schema import OutputModel, Timestamp


class EventRead(OutputModel):
    id: uuid.UUID
    type: str
    occurred_at: Timestamp
    entity_type: str
    entity_id: uuid.UUID
    data: dict[str, Any]
    cursor: str


class EventPage(OutputModel):
    data: list[EventRead]
    next_cursor: str
