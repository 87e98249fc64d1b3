"""Request and response bodies for warehouses."""

from __future__ import annotations

import uuid

from pydantic import Field

from erp_engine.catalog.schemas import CODE_PATTERN
from erp_engine.kernel.schema import InputModel, OutputModel, Timestamp


class WarehouseCreate(InputModel):
    code: str = Field(pattern=CODE_PATTERN, description="1-32 of A-Z 0-9 _ -, stored upper-case")
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=1000)
    active: bool = True


class WarehouseUpdate(InputModel):
    code: str = Field(default=None, pattern=CODE_PATTERN)
    name: str = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=1000)
    active: bool = None


class WarehouseRead(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    address: str | None
    active: bool
    created_at: Timestamp
    updated_at: Timestamp
    version: int
