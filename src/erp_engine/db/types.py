"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Integer, cast
from sqlalchemy.types import TypeDecorator

from erp_engine.kernel.quantity import MONEY_PLACES, QUANTITY_PLACES


class ScaledDecimal(TypeDecorator[Decimal]):
    """An exact decimal stored as a scaled 64-bit integer.

    Integers add exactly in `SUM()` on both databases, compare in conditional `UPDATE`s,
    and need no Numeric emulation on SQLite.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int):
        super().__init__()
        self.places = places
        self._factor = 10**places

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places)

    def coerce_compared_value(self, op, value):
        return self


def stored_integer(expression):
    """A ScaledDecimal column or total read as the integer it is stored as: for answers
    written straight as JSON (`json_number`), where making a Decimal of every value and a
    float of every Decimal again cost a list page a tenth of its CPU.

    A cast in SQL, not only in SQLAlchemy's eyes: PostgreSQL's sum() over BIGINT is NUMERIC,
    which asyncpg would hand back as Decimals. On a column that is BIGINT already the cast
    is dropped by the planner."""
    return cast(expression, BigInteger)


def json_number(stored: int, places: int) -> float:
    """A stored integer as the JSON number its Decimal is written as (kernel.schema): both
    divisions round correctly, so the floats are the same."""
    return stored / 10**places


def Qty() -> ScaledDecimal:
    return ScaledDecimal(QUANTITY_PLACES)


def Money() -> ScaledDecimal:
    return ScaledDecimal(MONEY_PLACES)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps; SQLite hands back naive values, so tag them here."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use kernel.clock.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# An auto-incrementing 64-bit key: SQLite only auto-increments INTEGER PRIMARY KEY.
AutoIncrementBigInt = BigInteger().with_variant(Integer, "sqlite")
