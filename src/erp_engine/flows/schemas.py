"""Response body of a flow row."""

from __future__ import annotations

import uuid

from erp_engine.kernel.schema import OutputModel, Timestamp


class FlowRead(OutputModel):
    id: uuid.UUID
    entity_type: str
    entity_id: uuid.UUID
    entity_number: str | None
    action: str
    from_status: str | None
    to_status: str | None
    actor_id: uuid.UUID | None
    actor_name: str | None
    note: str | None
    created_at: Timestamp
