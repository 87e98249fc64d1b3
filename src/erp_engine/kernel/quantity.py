"""Exact quantities and money: decimals with a fixed number of places, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

QUANTITY_PLACES = 3
MONEY_PLACES = 4
QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_PLACES)
MONEY_STEP = Decimal(1).scaleb(-MONEY_PLACES)
ZERO = Decimal(0)


def quantity(value: Decimal | int | str) -> Decimal:
    """Normalise to three places; callers validate places beforehand, so nothing is lost."""
    return Decimal(value).quantize(QUANTITY_STEP, rounding=ROUND_HALF_EVEN)


def money(value: Decimal | int | str) -> Decimal:
    """Round to the money precision (banker's rounding, as accountants expect)."""
    return Decimal(value).quantize(MONEY_STEP, rounding=ROUND_HALF_EVEN)


def moving_average_cost(
    on_hand: Decimal, current_cost: Decimal, received: Decimal, received_cost: Decimal
) -> Decimal:
    """Weighted average unit cost after receiving `received` units at `received_cost`."""
    if on_hand <= 0:
        return money(received_cost)
    total = on_hand + received
    return money((on_hand * current_cost + received * received_cost) / total)


def plain(value: Decimal) -> str:
    """Human text without trailing zeros: 10.000 → "10", 2.500 → "2.5"."""
    text = f"{value.normalize():f}"
    return text
