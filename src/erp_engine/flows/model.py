"""The journal of every state change, written in the same transaction as the change."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from erp_engine.db.base import Base
from erp_engine.db.columns import UUIDKey
from erp_engine.db.types import UTCDateTime
from erp_engine.kernel.clock import utcnow

ENTITY_TYPES = ("engine", "item", "warehouse", "inbound", "outbound", "adjustment", "transfer")
ACTIONS = (
    "created",
    "updated",
    "approved",
    "committed",
    "cancelled",
    "adjusted",
    "transferred",
    "deleted",
)


class Flow(UUIDKey, Base):
    __tablename__ = "flows"

    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    entity_number: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (Index("ix_flows_entity", "entity_type", "entity_id", "created_at"),)
