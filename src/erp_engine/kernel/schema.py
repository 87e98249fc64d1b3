"""Pydantic building blocks shared by every slice's schemas: strict bodies, exact numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from erp_engine.kernel.quantity import MONEY_PLACES, QUANTITY_PLACES


def _as_json_number(value: Decimal) -> float:
    # Exact: a decimal of at most 15 significant digits survives float's shortest repr.
    return float(value)


_number = PlainSerializer(_as_json_number, return_type=float, when_used="json")

Quantity = Annotated[
    Decimal, Field(max_digits=12 + QUANTITY_PLACES, decimal_places=QUANTITY_PLACES), _number
]
PositiveQuantity = Annotated[Quantity, Field(gt=0)]
NonNegativeQuantity = Annotated[Quantity, Field(ge=0)]
Money = Annotated[
    Decimal, Field(ge=0, max_digits=11 + MONEY_PLACES, decimal_places=MONEY_PLACES), _number
]
# A total of many amounts (stock value): exact in Python, no digit limit; above 15 significant
# digits its JSON number may round in the last digit.
MoneyTotal = Annotated[Decimal, _number]


def _as_utc(value: datetime) -> datetime:
    # The API speaks UTC only, so a time without an offset is UTC, not the server's zone.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
# Times in answers. Every timestamp column is a UTCDateTime (db/types.py), aware and in UTC,
# and pydantic's own serialiser writes such a time as "2026-12-04T09:30:00Z" (".123456" only
# with microseconds) in Rust: a Python serialiser per field cost a list page a twentieth of
# its CPU. tests/api/test_conventions.py checks the form across the API.
Timestamp = datetime


def _strip(value: str) -> str:
    return value.strip()


Text = Annotated[str, AfterValidator(_strip)]


class InputModel(BaseModel):
    """Request bodies: unknown or read-only fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutputModel(BaseModel):
    """Response bodies, built from attributes of ORM rows or dicts."""

    model_config = ConfigDict(from_attributes=True)
