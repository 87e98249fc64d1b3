"""Bodies for stock levels, the ledger, adjustments and transfers."""

from __future__ import annotations

import uuid

from pydantic import Field

from erp_engine.kernel.schema import (
    InputModel,
    NonNegativeQuantity,
    OutputModel,
    PositiveQuantity,
    Quantity,
    Timestamp,
)
from erp_engine.ledger.model import MoveReason

MAX_LINES = 500


class StockRow(OutputModel):
    item_id: uuid.UUID
    sku: str
    item_name: str
    engine_id: uuid.UUID | None
    warehouse_id: uuid.UUID
    warehouse_code: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    reorder_point: Quantity
    low_stock: bool
    updated_at: Timestamp


class WarehouseStock(OutputModel):
    warehouse_id: uuid.UUID
    warehouse_code: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    updated_at: Timestamp


class ItemStock(OutputModel):
    item_id: uuid.UUID
    sku: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    warehouses: list[WarehouseStock]


class StockAsOfRow(OutputModel):
    item_id: uuid.UUID
    sku: str
    item_name: str
    warehouse_id: uuid.UUID
    warehouse_code: str
    on_hand: Quantity


class StockMoveRead(OutputModel):
    id: uuid.UUID
    item_id: uuid.UUID
    sku: str
    item_name: str
    warehouse_id: uuid.UUID
    quantity: Quantity
    balance_after: Quantity
    reason: MoveReason
    document_type: str
    document_id: uuid.UUID
    document_number: str
    actor_id: uuid.UUID | None
    created_at: Timestamp


class AdjustmentLineIn(InputModel):
    item_id: uuid.UUID
    counted_quantity: NonNegativeQuantity


class AdjustmentCreate(InputModel):
    warehouse_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=500)
    lines: list[AdjustmentLineIn] = Field(min_length=1, max_length=MAX_LINES)


class AdjustmentLineRead(OutputModel):
    item_id: uuid.UUID
    sku: str
    item_name: str
    counted_quantity: Quantity
    previous_quantity: Quantity
    difference: Quantity


class AdjustmentRead(OutputModel):
    id: uuid.UUID
    number: str
    warehouse_id: uuid.UUID
    reason: str
    created_by: uuid.UUID | None
    created_at: Timestamp
    lines: list[AdjustmentLineRead]


class TransferLineIn(InputModel):
    item_id: uuid.UUID
    quantity: PositiveQuantity


class TransferCreate(InputModel):
    from_warehouse_id: uuid.UUID
    to_warehouse_id: uuid.UUID
    memo: str | None = Field(default=None, max_length=2000)
    lines: list[TransferLineIn] = Field(min_length=1, max_length=MAX_LINES)


class TransferLineRead(OutputModel):
    item_id: uuid.UUID
    sku: str
    item_name: str
    quantity: Quantity


class TransferRead(OutputModel):
    id: uuid.UUID
    number: str
    from_warehouse_id: uuid.UUID
    to_warehouse_id: uuid.UUID
    memo: str | None
    created_by: uuid.UUID | None
    created_at: Timestamp
    lines: list[TransferLineRead]
