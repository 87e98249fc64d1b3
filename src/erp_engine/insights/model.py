"""Low-stock alerts: at most one open per item, closed by itself when stock recovers."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from erp_engine.db.base import Base
from erp_engine.db.columns import UUIDKey
from erp_engine.db.types import Qty, UTCDateTime
from erp_engine.kernel.clock import utcnow


class AlertStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Alert(UUIDKey, Base):
    __tablename__ = "alerts"

    item_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("items.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=AlertStatus.OPEN)
    # What was true when the alert opened: the evidence, kept even after stock recovers.
    available: Mapped[Decimal] = mapped_column(Qty())
    reorder_point: Mapped[Decimal] = mapped_column(Qty())
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        # The database itself guarantees "at most one open alert per item".
        Index(
            "uq_alerts_open_item",
            "item_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )
