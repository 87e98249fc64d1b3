"""Lists answered straight as JSON write the same bytes their response model would.

A list row holds quantities and money as the integers they are stored as; the model is
built from the same row as the Decimals the column type makes of them.
"""

from datetime import UTC
from decimal import Decimal

from asyncpg.pgproto.pgproto import UUID as AsyncpgUUID
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from erp_engine.api.responses import json_response
from erp_engine.catalog.queries import _ITEM_ROW, item_answer, item_json_answer
from erp_engine.catalog.schemas import ItemRead
from erp_engine.db.pagination import Page, PageParams, page_answer
from erp_engine.kernel.quantity import MONEY_PLACES, QUANTITY_PLACES
from erp_engine.ledger.queries import stock_json_answer
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


def _stored(value: Decimal, places: int) -> int:
    return int(value.scaleb(places))


# An item's row: the item's columns, then its on-hand and reserved totals.
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


def _list_row(item: dict) -> tuple:
    """The row the list reads for `item` (catalog.queries._ITEM_LIST_COLUMNS and totals)."""
    return (
        *(item[name] for name in ("id", "sku", "name", "engine_id", "unit", "barcode")),
        _stored(item["unit_cost"], MONEY_PLACES),
        _stored(item["reorder_point"], QUANTITY_PLACES),
        *(item[name] for name in ("active", "created_at", "updated_at", "version")),
        _stored(item["on_hand"], QUANTITY_PLACES),
        _stored(item["reserved"], QUANTITY_PLACES),
    )


@given(st.lists(item_rows, max_size=5), st.integers(min_value=0, max_value=10**9))
def test_an_items_page_is_written_as_its_response_model_writes_it(rows, total):
    list_rows = [_list_row(dict(zip(_ITEM_ROW, row, strict=True))) for row in rows]
    answers = [item_json_answer(row) for row in list_rows]
    response = json_response(page_answer(answers, total, PageParams(page=2, limit=50, sort=None)))
    models = [ItemRead.model_validate(item_answer(row)) for row in rows]
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
    stored_rows = [
        (*row[:6], *(_stored(value, QUANTITY_PLACES) for value in row[6:9]), row[9]) for row in rows
    ]
    answers = [stock_json_answer(row) for row in stored_rows]
    response = json_response(page_answer(answers, total, PageParams(page=1, limit=50, sort=None)))
    models = [
        StockRow(
            item_id=item_id,
            sku=sku,
            item_name=name,
            engine_id=engine_id,
            warehouse_id=warehouse_id,
            warehouse_code=code,
            on_hand=on_hand,
            reserved=reserved,
            available=on_hand - reserved,
            reorder_point=point,
            low_stock=point > 0 and on_hand - reserved <= point,
            updated_at=updated,
        )
        for (
            item_id,
            sku,
            name,
            engine_id,
            warehouse_id,
            code,
            on_hand,
            reserved,
            point,
            updated,
        ) in rows
    ]
    page = Page[StockRow](data=models, count=total, page=1, limit=50)
    assert response.body == TypeAdapter(Page[StockRow]).dump_json(page)
