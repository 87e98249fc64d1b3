"""Response body of an audit row."""

from __future__ import annotations

import uuid
from typing import Any

from erp_engine.kernel.schema import OutputModel, Timestamp


class AuditRead(OutputModel):
    id: uuid.UUID
    created_at: Timestamp
    actor_id: uuid.UUID | None
    actor_type: str
    action: str
    entity_type: str | None
    entity_id: uuid.UUID | None
    changes: dict[str, Any] | None
    ip: str | None
    user_agent: str | None
    request_id: str | None
