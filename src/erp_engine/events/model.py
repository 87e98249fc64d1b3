"""The outbox: events written in the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from erp_engine.db.base import Base
from erp_engine.db.types import AutoIncrementBigInt, UTCDateTime
from erp_engine.kernel.clock import utcnow


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    # Insertion order; the relay publishes in this order (per entity, strictly).
    position: Mapped[int] = mapped_column(AutoIncrementBigInt, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    type: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # PostgreSQL: the writing transaction's id. The event feed serves only events of
    # transactions older than every running one, so a late commit is never skipped.
    txid: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_outbox_events_unpublished", "published_at", "position"),
        Index("ix_outbox_events_feed", "txid", "position"),
        Index("ix_outbox_events_entity", "entity_id", "position"),
    )


class WebhookCursor(Base):
    """How far the webhook dispatcher has read the event feed (one row)."""

    __tablename__ = "webhook_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    txid: Mapped[int] = mapped_column(BigInteger, default=0)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
