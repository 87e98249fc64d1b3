"""Engines (product lines) and the items that belong to them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from erp_engine.db.base import Base
from erp_engine.db.columns import Timestamped, UUIDKey
from erp_engine.db.types import Money, Qty
from erp_engine.kernel.quantity import ZERO


class EngineStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Engine(UUIDKey, Timestamped, Base):
    __tablename__ = "engines"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=EngineStatus.ACTIVE)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (CheckConstraint("status IN ('active', 'inactive')", name="status"),)


class Item(UUIDKey, Timestamped, Base):
    __tablename__ = "items"

    sku: Mapped[str] = mapped_column(String(64))
    # Lower-cased copy of sku: SKUs are unique regardless of case on both databases.
    sku_key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    engine_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("engines.id", ondelete="RESTRICT"), index=True
    )
    unit: Mapped[str] = mapped_column(String(16), default="EA")
    barcode: Mapped[str | None] = mapped_column(String(64), unique=True)
    unit_cost: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    reorder_point: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint("unit_cost >= 0", name="unit_cost_non_negative"),
        CheckConstraint("reorder_point >= 0", name="reorder_point_non_negative"),
    )
