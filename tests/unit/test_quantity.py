"""Exact quantities: scaled-integer storage, money rounding and moving-average cost."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erp_engine.db.types import ScaledDecimal
from erp_engine.kernel.quantity import moving_average_cost, plain
from erp_engine.kernel.roles import Role

quantities = st.decimals(
    min_value=Decimal("-999999999999.999"),
    max_value=Decimal("999999999999.999"),
    places=3,
    allow_nan=False,
)


@given(quantities)
def test_scaled_decimal_round_trips_exactly(value):
    column = ScaledDecimal(3)
    stored = column.process_bind_param(value, None)
    assert isinstance(stored, int)
    assert column.process_result_value(stored, None) == value


@given(st.lists(quantities, max_size=50))
def test_sums_of_stored_values_stay_exact(values):
    column = ScaledDecimal(3)
    total = sum(column.process_bind_param(v, None) for v in values)
    assert column.process_result_value(total, None) == sum(values, Decimal(0))


def test_more_places_than_the_column_holds_are_refused():
    with pytest.raises(ValueError, match="decimal places"):
        ScaledDecimal(3).process_bind_param(Decimal("1.0005"), None)


def test_float_serialisation_is_exact_for_fifteen_digits():
    for text in ("123456789012.345", "0.001", "999999999999.999", "0.1"):
        assert repr(float(Decimal(text))) == text


def test_moving_average_weights_by_quantity():
    assert moving_average_cost(Decimal(10), Decimal(100), Decimal(10), Decimal(200)) == Decimal(
        "150.0000"
    )
    assert moving_average_cost(Decimal(0), Decimal(999), Decimal(5), Decimal("12.34567")) == (
        Decimal("12.3457")
    )


def test_plain_drops_trailing_zeros():
    assert plain(Decimal("10.000")) == "10"
    assert plain(Decimal("2.500")) == "2.5"


def test_roles_are_ordered():
    assert Role.ADMIN.at_least(Role.MANAGER)
    assert Role.MANAGER.at_least(Role.STAFF)
    assert not Role.STAFF.at_least(Role.MANAGER)
    assert not Role.VIEWER.at_least(Role.STAFF)
