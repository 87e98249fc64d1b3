"""Request and response bodies for engines and items."""

from __future__ import annotations

import uuid
from decimal import Decimal

from pydantic import Field

from erp_engine.catalog.model import EngineStatus
from erp_engine.kernel.schema import (
    InputModel,
    Money,
    NonNegativeQuantity,
    OutputModel,
    Quantity,
    Timestamp,
)

CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
SKU_PATTERN = r"^\S(.*\S)?$"


class EngineCreate(InputModel):
    code: str = Field(pattern=CODE_PATTERN, description="1-32 of A-Z 0-9 _ -, stored upper-case")
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    status: EngineStatus = EngineStatus.ACTIVE


class EngineUpdate(InputModel):
    code: str = Field(default=None, pattern=CODE_PATTERN)
    name: str = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    status: EngineStatus = None


class EngineRead(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    description: str | None
    status: EngineStatus
    item_count: int
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class ItemCreate(InputModel):
    sku: str = Field(min_length=1, max_length=64, pattern=SKU_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    engine_id: uuid.UUID | None = None
    unit: str = Field(default="EA", min_length=1, max_length=16)
    barcode: str | None = Field(default=None, max_length=64)
    unit_cost: Money = Decimal(0)
    reorder_point: NonNegativeQuantity = Decimal(0)
    active: bool = True


class ItemUpdate(InputModel):
    sku: str = Field(default=None, min_length=1, max_length=64, pattern=SKU_PATTERN)
    name: str = Field(default=None, min_length=1, max_length=200)
    engine_id: uuid.UUID | None = None
    unit: str = Field(default=None, min_length=1, max_length=16)
    barcode: str | None = Field(default=None, max_length=64)
    unit_cost: Money = None
    reorder_point: NonNegativeQuantity = None
    active: bool = None


class ItemRead(OutputModel):
    id: uuid.UUID
    sku: str
    name: str
    engine_id: uuid.UUID | None
    unit: str
    barcode: str | None
    unit_cost: Money
    reorder_point: Quantity
    active: bool
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    low_stock: bool
    created_at: Timestamp
    updated_at: Timestamp
    version: int
