"""Read side of the ledger: stock rows, stock at a past instant, moves, counts, transfers."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased, selectinload

from erp_engine.catalog.model import Item
from erp_engine.db.pagination import (
    Page,
    PageParams,
    bound_filters,
    order_by,
    page_of,
    paginate,
)
from erp_engine.db.search import any_contains, contains_pattern
from erp_engine.db.types import Qty, json_number, stored_integer
from erp_engine.errors import NotFoundError
from erp_engine.kernel.quantity import QUANTITY_PLACES, ZERO
from erp_engine.ledger.model import Adjustment, StockLevel, StockMove, Transfer
from erp_engine.ledger.schemas import (
    AdjustmentRead,
    ItemStock,
    StockAsOfRow,
    StockMoveRead,
    TransferRead,
    WarehouseStock,
)
from erp_engine.warehouses.model import Warehouse

AVAILABLE = StockLevel.on_hand - StockLevel.reserved
# A count that changed nothing leaves a zero row behind; only rows with a move are stock rows.
HAS_MOVED = StockLevel.move_count > 0
ROW_LOW_STOCK = and_(Item.reorder_point > literal(ZERO, Qty()), Item.reorder_point >= AVAILABLE)
STOCK_SORTS = {
    "sku": Item.sku_key,
    "item_name": Item.name,
    "warehouse_code": Warehouse.code,
    "on_hand": StockLevel.on_hand,
    "reserved": StockLevel.reserved,
    "available": AVAILABLE,
    "updated_at": StockLevel.updated_at,
}


# A stock row's answer needs these columns, not whole StockLevel and Item objects.
_STOCK_COLUMNS = (
    StockLevel.item_id,
    Item.sku,
    Item.name,
    Item.engine_id,
    StockLevel.warehouse_id,
    Warehouse.code,
    stored_integer(StockLevel.on_hand),
    stored_integer(StockLevel.reserved),
    stored_integer(Item.reorder_point),
    StockLevel.updated_at,
)


def stock_json_answer(row) -> dict[str, Any]:
    """A stock row's answer, StockRow's fields in its order, from a row of `_STOCK_COLUMNS`,
    ready for JSON as an item's (`catalog.queries.item_json_answer`): numbers from their
    stored integers, ids as text."""
    item_id, sku, name, engine_id, warehouse_id, code, on_hand, reserved, reorder_point, updated = (
        row
    )
    available = on_hand - reserved
    return {
        "item_id": str(item_id),
        "sku": sku,
        "item_name": name,
        "engine_id": None if engine_id is None else str(engine_id),
        "warehouse_id": str(warehouse_id),
        "warehouse_code": code,
        "on_hand": json_number(on_hand, QUANTITY_PLACES),
        "reserved": json_number(reserved, QUANTITY_PLACES),
        "available": json_number(available, QUANTITY_PLACES),
        "reorder_point": json_number(reorder_point, QUANTITY_PLACES),
        "low_stock": reorder_point > 0 and available <= reorder_point,
        "updated_at": updated,
    }


# The stock list's filters: each a condition on bind parameters named after it, so a page
# statement is built once per combination of filters (`_stocks_page`), whatever the values.
_STOCK_FILTERS = {
    "item_id": lambda: StockLevel.item_id == bindparam("item_id"),
    "warehouse_id": lambda: StockLevel.warehouse_id == bindparam("warehouse_id"),
    "engine_id": lambda: Item.engine_id == bindparam("engine_id"),
    "q": lambda: any_contains(bindparam("q"), Item.sku_key, func.lower(Item.name)),
}
# Filters on the stock row itself, not its item: the count may skip the joins (below).
_ROW_FILTERS = frozenset({"item_id", "warehouse_id"})


def stock_filter_values(
    *,
    item_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
    engine_id: uuid.UUID | None = None,
    q: str | None = None,
) -> dict[str, Any]:
    """The bind parameters of the filters given (a search becomes its LIKE pattern)."""
    values = {
        "item_id": item_id,
        "warehouse_id": warehouse_id,
        "engine_id": engine_id,
        "q": contains_pattern(q) if q else None,
    }
    return {name: value for name, value in values.items() if value is not None}


def _filtered(stmt: Select, names, low_stock: bool | None) -> Select:
    stmt = (
        stmt.select_from(StockLevel)
        .join(Item, Item.id == StockLevel.item_id)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(HAS_MOVED, *bound_filters(_STOCK_FILTERS, names))
    )
    if low_stock is not None:
        stmt = stmt.where(ROW_LOW_STOCK if low_stock else ~ROW_LOW_STOCK)
    return stmt


def filter_stocks(stmt: Select, *, low_stock: bool | None = None, **filters) -> Select:
    """The stock list's joins and filters on `stmt`, values bound (the spreadsheet export's)."""
    values = stock_filter_values(**filters)
    return _filtered(stmt, values, low_stock).params(values)


@functools.lru_cache(maxsize=256)
def _stocks_page(filters: frozenset[str], low_stock: bool | None, sort: str | None):
    """The page statement for one combination of filters and sort, built once (building a
    statement and its cache key cost a list page as much as running it).

    Raises:
        ValidationError: an unknown sort field (not cached).
    """
    stmt = _filtered(select(*_STOCK_COLUMNS), filters, low_stock)
    stmt = stmt.order_by(
        *order_by(sort, STOCK_SORTS, [Item.sku_key, Warehouse.code, StockLevel.item_id])
    )
    count = None
    if low_stock is None and filters <= _ROW_FILTERS:
        # No filter on the item: count stock rows alone. Foreign keys give every row its
        # item and warehouse, so the joins cannot change the count, and counting through
        # them cost a warehouse's page 7 ms of PostgreSQL against 1 ms.
        count = (
            select(func.count())
            .select_from(StockLevel)
            .where(HAS_MOVED, *bound_filters(_STOCK_FILTERS, filters))
        )
    return page_of(stmt, count=count)


async def list_stocks(
    engine: AsyncEngine,
    params: PageParams,
    *,
    low_stock: bool | None = None,
    **filters,
) -> dict[str, Any]:
    """A page of stock rows as the plain dict `Page[StockRow]` would serialise to.

    Raises:
        ValidationError: an unknown sort field.
    """
    values = stock_filter_values(**filters)
    page = _stocks_page(frozenset(values), low_stock, params.sort)
    return await page.answer(engine, params, values, stock_json_answer)


async def get_item_stock(session: AsyncSession, item_id: uuid.UUID) -> ItemStock:
    item = await session.get(Item, item_id)
    if item is None:
        raise NotFoundError("No item with this id.")
    stmt = (
        select(StockLevel, Warehouse.code)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.item_id == item_id, HAS_MOVED)
        .order_by(Warehouse.code)
    )
    warehouses = [
        WarehouseStock(
            warehouse_id=level.warehouse_id,
            warehouse_code=code,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.on_hand - level.reserved,
            updated_at=level.updated_at,
        )
        for level, code in await session.execute(stmt)
    ]
    on_hand = sum((w.on_hand for w in warehouses), ZERO)
    reserved = sum((w.reserved for w in warehouses), ZERO)
    return ItemStock(
        item_id=item.id,
        sku=item.sku,
        on_hand=on_hand,
        reserved=reserved,
        available=on_hand - reserved,
        warehouses=warehouses,
    )


async def stock_as_of(
    session: AsyncSession,
    params: PageParams,
    at: datetime,
    *,
    item_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
) -> Page[StockAsOfRow]:
    """On-hand per (item, warehouse) at `at`: the balance after the last move up to then.

    Pages the stock rows and looks up each one's last move through the (warehouse, item,
    created_at) index, instead of aggregating the ledger up to `at`. A row existed at `at`
    when its first move (seq 1) did; the count reads the partial index of first moves.
    """
    first = aliased(StockMove)
    existed = (
        select(first.id)
        .where(
            first.item_id == StockLevel.item_id,
            first.warehouse_id == StockLevel.warehouse_id,
            first.seq == 1,
            first.created_at <= at,
        )
        .exists()
    )
    last = aliased(StockMove)
    balance = (
        select(last.balance_after)
        .where(
            last.item_id == StockLevel.item_id,
            last.warehouse_id == StockLevel.warehouse_id,
            last.created_at <= at,
        )
        .order_by(last.created_at.desc(), last.seq.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        select(
            StockLevel.item_id,
            Item.sku,
            Item.name,
            StockLevel.warehouse_id,
            Warehouse.code,
            balance,
        )
        .join(Item, Item.id == StockLevel.item_id)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(existed)
        .order_by(Item.sku_key, Warehouse.code)
    )
    count = select(func.count()).where(StockMove.seq == 1, StockMove.created_at <= at)
    if item_id:
        stmt = stmt.where(StockLevel.item_id == item_id)
        count = count.where(StockMove.item_id == item_id)
    if warehouse_id:
        stmt = stmt.where(StockLevel.warehouse_id == warehouse_id)
        count = count.where(StockMove.warehouse_id == warehouse_id)
    rows, total = await paginate(session, stmt, params, count=count)
    data = [
        StockAsOfRow(
            item_id=r[0],
            sku=r[1],
            item_name=r[2],
            warehouse_id=r[3],
            warehouse_code=r[4],
            on_hand=r[5],
        )
        for r in rows
    ]
    return Page(data=data, count=total, page=params.page, limit=params.limit)


MOVE_SORTS = {"created_at": StockMove.created_at, "quantity": StockMove.quantity}
MOVE_ORDER = [StockMove.created_at.desc(), StockMove.seq.desc(), StockMove.id]


async def list_moves(
    session: AsyncSession,
    params: PageParams,
    *,
    item_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
    reason: str | None = None,
    document_id: uuid.UUID | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> Page[StockMoveRead]:
    stmt = filter_moves(
        select(StockMove, Item.sku, Item.name).join(Item, Item.id == StockMove.item_id),
        item_id=item_id,
        warehouse_id=warehouse_id,
        reason=reason,
        document_id=document_id,
        from_=from_,
        to=to,
    )
    stmt = stmt.order_by(*order_by(params.sort, MOVE_SORTS, MOVE_ORDER))
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[
            StockMoveRead.model_validate({**move.__dict__, "sku": sku, "item_name": name})
            for move, sku, name in rows
        ],
        count=total,
        page=params.page,
        limit=params.limit,
    )


def filter_moves(
    stmt: Select,
    *,
    item_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
    reason: str | None = None,
    document_id: uuid.UUID | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> Select:
    """The ledger list's filters on `stmt` (shared with the spreadsheet export)."""
    for column, value in (
        (StockMove.item_id, item_id),
        (StockMove.warehouse_id, warehouse_id),
        (StockMove.reason, reason),
        (StockMove.document_id, document_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if from_:
        stmt = stmt.where(StockMove.created_at >= from_)
    if to:
        stmt = stmt.where(StockMove.created_at <= to)
    return stmt


async def _names(session: AsyncSession, item_ids: set[uuid.UUID]) -> dict[uuid.UUID, Item]:
    if not item_ids:
        return {}
    items = await session.execute(select(Item).where(Item.id.in_(item_ids)))
    return {item.id: item for item in items.scalars()}


async def _with_lines(
    session: AsyncSession, headers: list, model_cls, line_fields: tuple[str, ...]
) -> list:
    """Adjustments or transfers with their lines named: one lookup of the items of every
    line of every header, not one per header."""
    items = await _names(session, {line.item_id for header in headers for line in header.lines})

    def named(line) -> dict:
        item = items[line.item_id]
        fields = {f: getattr(line, f) for f in line_fields}
        return {"item_id": line.item_id, "sku": item.sku, "item_name": item.name, **fields}

    return [
        model_cls.model_validate({**header.__dict__, "lines": [named(ln) for ln in header.lines]})
        for header in headers
    ]


ADJUSTMENT_LINE_FIELDS = ("counted_quantity", "previous_quantity", "difference")


async def get_adjustment(session: AsyncSession, adjustment_id: uuid.UUID) -> AdjustmentRead:
    stmt = (
        select(Adjustment)
        .where(Adjustment.id == adjustment_id)
        .options(selectinload(Adjustment.lines))
    )
    adjustment = (await session.execute(stmt)).scalar_one_or_none()
    if adjustment is None:
        raise NotFoundError("No stock adjustment with this id.")
    return (await _with_lines(session, [adjustment], AdjustmentRead, ADJUSTMENT_LINE_FIELDS))[0]


async def list_adjustments(
    session: AsyncSession, params: PageParams, *, warehouse_id: uuid.UUID | None = None
) -> Page[AdjustmentRead]:
    stmt = select(Adjustment).options(selectinload(Adjustment.lines))
    if warehouse_id:
        stmt = stmt.where(Adjustment.warehouse_id == warehouse_id)
    stmt = stmt.order_by(
        *order_by(
            params.sort,
            {"created_at": Adjustment.created_at, "number": Adjustment.number},
            [Adjustment.number.desc()],
        )
    )
    rows, total = await paginate(session, stmt, params)
    data = await _with_lines(session, [r[0] for r in rows], AdjustmentRead, ADJUSTMENT_LINE_FIELDS)
    return Page(data=data, count=total, page=params.page, limit=params.limit)


async def get_transfer(session: AsyncSession, transfer_id: uuid.UUID) -> TransferRead:
    stmt = select(Transfer).where(Transfer.id == transfer_id).options(selectinload(Transfer.lines))
    transfer = (await session.execute(stmt)).scalar_one_or_none()
    if transfer is None:
        raise NotFoundError("No transfer with this id.")
    return (await _with_lines(session, [transfer], TransferRead, ("quantity",)))[0]


async def list_transfers(
    session: AsyncSession, params: PageParams, *, warehouse_id: uuid.UUID | None = None
) -> Page[TransferRead]:
    stmt = select(Transfer).options(selectinload(Transfer.lines))
    if warehouse_id:
        stmt = stmt.where(
            or_(
                Transfer.from_warehouse_id == warehouse_id, Transfer.to_warehouse_id == warehouse_id
            )
        )
    stmt = stmt.order_by(
        *order_by(
            params.sort,
            {"created_at": Transfer.created_at, "number": Transfer.number},
            [Transfer.number.desc()],
        )
    )
    rows, total = await paginate(session, stmt, params)
    data = await _with_lines(session, [r[0] for r in rows], TransferRead, ("quantity",))
    return Page(data=data, count=total, page=params.page, limit=params.limit)
