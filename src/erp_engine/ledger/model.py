"""The stock ledger: append-only moves, and the per-(item, warehouse) projection they explain."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp_engine.db.base import Base
from erp_engine.db.columns import UUIDKey
from erp_engine.db.types import Qty, UTCDateTime
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.quantity import ZERO


class MoveReason(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    ADJUSTMENT = "adjustment"
    TRANSFER = "transfer"


class StockLevel(Base):
    """On-hand and reserved per (item, warehouse): a projection of the ledger, same transaction."""

    __tablename__ = "stock_levels"

    item_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("items.id", ondelete="RESTRICT"), primary_key=True
    )
    warehouse_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("warehouses.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    on_hand: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    reserved: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    # Number of moves so far; the next move's `seq`. Chains the ledger per (item, warehouse).
    move_count: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )


class StockMove(UUIDKey, Base):
    """One signed change of on-hand. Never updated, never deleted."""

    __tablename__ = "stock_moves"

    item_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("items.id", ondelete="RESTRICT"))
    warehouse_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("warehouses.id", ondelete="RESTRICT")
    )
    seq: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[Decimal] = mapped_column(Qty())
    balance_after: Mapped[Decimal] = mapped_column(Qty())
    reason: Mapped[str] = mapped_column(String(16))
    document_type: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    document_number: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (
        UniqueConstraint("item_id", "warehouse_id", "seq"),
        Index("ix_stock_moves_warehouse_item_created", "warehouse_id", "item_id", "created_at"),
        Index("ix_stock_moves_item_created", "item_id", "created_at"),
        # Each stock row's first move: counts the rows that existed at a past instant.
        Index(
            "ix_stock_moves_first",
            "created_at",
            postgresql_where=text("seq = 1"),
            sqlite_where=text("seq = 1"),
        ),
        # The dashboard's 30 days of receipts and shipments, read from the index alone.
        Index(
            "ix_stock_moves_reason_created",
            "reason",
            "created_at",
            postgresql_include=["quantity", "item_id"],
        ),
        CheckConstraint("quantity <> 0", name="quantity_non_zero"),
        CheckConstraint("balance_after >= 0", name="balance_non_negative"),
        CheckConstraint(
            "reason IN ('inbound', 'outbound', 'adjustment', 'transfer')", name="reason"
        ),
    )


class Adjustment(UUIDKey, Base):
    """A stock count: sets on-hand to what was counted, through ledger moves."""

    __tablename__ = "stock_adjustments"

    number: Mapped[str] = mapped_column(String(32), unique=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("warehouses.id", ondelete="RESTRICT"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    lines: Mapped[list[AdjustmentLine]] = relationship(
        order_by="AdjustmentLine.line_no", cascade="all, delete-orphan", lazy="raise"
    )


class AdjustmentLine(UUIDKey, Base):
    __tablename__ = "stock_adjustment_lines"

    adjustment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("stock_adjustments.id", ondelete="CASCADE")
    )
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("items.id", ondelete="RESTRICT"), index=True
    )
    counted_quantity: Mapped[Decimal] = mapped_column(Qty())
    previous_quantity: Mapped[Decimal] = mapped_column(Qty())
    difference: Mapped[Decimal] = mapped_column(Qty())

    __table_args__ = (
        UniqueConstraint("adjustment_id", "item_id"),
        CheckConstraint("counted_quantity >= 0", name="counted_non_negative"),
    )


class Transfer(UUIDKey, Base):
    """Available stock moved between two warehouses: one move out and one in per line."""

    __tablename__ = "stock_transfers"

    number: Mapped[str] = mapped_column(String(32), unique=True)
    from_warehouse_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("warehouses.id", ondelete="RESTRICT"), index=True
    )
    to_warehouse_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("warehouses.id", ondelete="RESTRICT"), index=True
    )
    memo: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    lines: Mapped[list[TransferLine]] = relationship(
        order_by="TransferLine.line_no", cascade="all, delete-orphan", lazy="raise"
    )

    __table_args__ = (
        CheckConstraint("from_warehouse_id <> to_warehouse_id", name="distinct_warehouses"),
    )


class TransferLine(UUIDKey, Base):
    __tablename__ = "stock_transfer_lines"

    transfer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("stock_transfers.id", ondelete="CASCADE")
    )
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("items.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Qty())

    __table_args__ = (
        UniqueConstraint("transfer_id", "item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
