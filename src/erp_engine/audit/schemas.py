"""Response body of an audit row."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from erp_engine.kernel.schema import OutputModel, Timestamp


class AuditRead(OutputModel):
    id: uuid.UUID
    created_at: Timestamp
    actor_id: uuid.UUID | None
    actor_type: str
    actor_name: str | None = Field(
        description="The acting user's or API key's name, as it is now; null for `system`."
    )
    action: str
    entity_type: str | None
    entity_id: uuid.UUID | None
    changes: dict[str, Any] | None
    ip: str | None
    user_agent: str | None
    request_id: str | None
