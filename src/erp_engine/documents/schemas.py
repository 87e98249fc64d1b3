"""Request and response bodies for inbound and outbound documents."""

from __future__ import annotations

import uuid

from pydantic import Field, field_validator

from erp_engine.documents.model import DocumentStatus
from erp_engine.flows.schemas import FlowRead
from erp_engine.kernel.schema import (
    InputModel,
    Money,
    OutputModel,
    PositiveQuantity,
    Quantity,
    Timestamp,
    UtcDateTime,
)

MAX_LINES = 500


class DocumentLineIn(InputModel):
    item_id: uuid.UUID
    quantity: PositiveQuantity
    unit_cost: Money | None = None


def _items_once(lines: list[DocumentLineIn] | None) -> list[DocumentLineIn] | None:
    if lines is not None:
        seen = set()
        for index, line in enumerate(lines):
            if line.item_id in seen:
                raise ValueError(f"lines[{index}]: item {line.item_id} is listed twice")
            seen.add(line.item_id)
    return lines


class DocumentCreate(InputModel):
    warehouse_id: uuid.UUID
    partner: str | None = Field(default=None, max_length=200)
    reference: str | None = Field(default=None, max_length=200)
    memo: str | None = Field(default=None, max_length=5000)
    expected_at: UtcDateTime | None = None
    lines: list[DocumentLineIn] = Field(min_length=1, max_length=MAX_LINES)

    _unique_items = field_validator("lines")(_items_once)


class DocumentUpdate(InputModel):
    warehouse_id: uuid.UUID = None
    partner: str | None = Field(default=None, max_length=200)
    reference: str | None = Field(default=None, max_length=200)
    memo: str | None = Field(default=None, max_length=5000)
    expected_at: UtcDateTime | None = None
    lines: list[DocumentLineIn] = Field(default=None, min_length=1, max_length=MAX_LINES)

    _unique_items = field_validator("lines")(_items_once)


class CancelBody(InputModel):
    reason: str | None = Field(default=None, max_length=2000)


class ReverseBody(InputModel):
    reason: str = Field(min_length=1, max_length=2000)


class DocumentLineRead(OutputModel):
    id: uuid.UUID
    item_id: uuid.UUID
    sku: str
    item_name: str
    quantity: Quantity
    unit_cost: Money | None


class DocumentSummary(OutputModel):
    id: uuid.UUID
    number: str
    status: DocumentStatus
    warehouse_id: uuid.UUID
    partner: str | None
    reference: str | None
    memo: str | None
    expected_at: Timestamp | None
    line_count: int
    total_quantity: Quantity
    created_by: uuid.UUID | None
    created_at: Timestamp
    approved_by: uuid.UUID | None
    approved_at: Timestamp | None
    committed_by: uuid.UUID | None
    committed_at: Timestamp | None
    cancelled_by: uuid.UUID | None
    cancelled_at: Timestamp | None
    cancel_reason: str | None
    reverses_id: uuid.UUID | None
    reversed_by_id: uuid.UUID | None
    updated_at: Timestamp
    version: int
    allowed_actions: list[str]


class DocumentRead(DocumentSummary):
    lines: list[DocumentLineRead]
    history: list[FlowRead]
