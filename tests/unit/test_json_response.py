"""Lists answered straight as JSON write the same bytes their response model would."""

from datetime import UTC
from decimal import Decimal

from asyncpg.pgproto.pgproto import UUID as AsyncpgUUID
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from erp_engine.api.responses import json_response
from erp_engine.catalog.queries import _ITEM_ROW, item_answer
from erp_engine.catalog.schemas import ItemRead
from erp_engine.db.pagination import Page, PageParams, page_answer
from erp_engine.kernel.quantity import MONEY_PLACES, QUANTITY_PLACES
from erp_engine.ledger.queries import stock_answer
from erp_engine.ledger.schemas import StockRow


def _scaled(places: int, digits: int, minimum: int = -1):
    """Decimals of `places` places and at most `digits` digits, from `minimum` × the largest."""
    bound = Decimal(10**digits - 1).scaleb(-places)
    # As the database hands them back: every value with the column's places ("5.000").
    return st.decimals(min_value=minimum * bound, max_value=bound, places=places).map(
        lambda value: value.quantize(Decimal(1).scaleb(-places))
    )


quantities = _scaled(QUANTITY_PLACES, 12 + QUANTITY_PLACES)
money = _scaled(MONEY_PLACES, 11 + MONEY_PLACES, minimum=0)
# Ids come from asyncpg as its own UUID class, from Python code as uuid.UUID.
ids = st.uuids().flatmap(lambda value: st.sampled_from([value, AsyncpgUUID(str(value))]))
times = st.datetimes(timezones=st.just(UTC))

# An items-page row: the item's columns, then its on-hand and reserved totals.
item_rows = st.fixed_dictionaries(
    {
        "sku": st.text(min_size=1),
        "sku_key": st.text(min_size=1),
        "name": st.text(min_size=1),
        "engine_id": st.none() | ids,
        "unit": st.text(min_size=1),
        "barcode": st.none() | st.text(),
        "unit_cost": money,
        "reorder_point": quantities.map(abs),
        "active": st.booleans(),
        "version": st.integers(min_value=1, max_value=2**31),
        "id": ids,
        "created_at": times,
        "updated_at": times,
        "on_hand": quantities.map(abs),
        "reserved": quantities.map(abs),
    }
).map(lambda columns: tuple(columns[name] for name in _ITEM_ROW))


@given(st.lists(item_rows, max_size=5), st.integers(min_value=0, max_value=10**9))
def test_an_items_page_is_written_as_its_response_model_writes_it(rows, total):
    answers = [item_answer(row) for row in rows]
    response = json_response(page_answer(answers, total, PageParams(page=2, limit=50, sort=None)))
    models = [ItemRead.model_validate(answer) for answer in answers]
    page = Page[ItemRead](data=models, count=total, page=2, limit=50)
    assert response.body == TypeAdapter(Page[ItemRead]).dump_json(page)
    assert response.media_type == "application/json"


# A stocks-page row: item, sku, name, engine, warehouse, its code, on-hand, reserved,
# reorder point, last change.
stock_rows = st.tuples(
    ids,
    st.text(min_size=1),
    st.text(min_size=1),
    st.none() | ids,
    ids,
    st.text(min_size=1),
    quantities.map(abs),
    quantities.map(abs),
    quantities.map(abs),
    times,
)


@given(st.lists(stock_rows, max_size=5), st.integers(min_value=0, max_value=10**9))
def test_a_stocks_page_is_written_as_its_response_model_writes_it(rows, total):
    answers = [stock_answer(row) for row in rows]
    response = json_response(page_answer(answers, total, PageParams(page=1, limit=50, sort=None)))
    models = [StockRow.model_validate(answer) for answer in answers]
    page = Page[StockRow](data=models, count=total, page=1, limit=50)
    assert response.body == TypeAdapter(Page[StockRow]).dump_json(page)
