"""Read side for engines and items: filter, sort and paginate straight into schemas."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.catalog.model import Engine, Item
from erp_engine.catalog.schemas import EngineRead, ItemRead
from erp_engine.db.pagination import Page, PageParams, order_by, paginate
from erp_engine.db.types import Qty
from erp_engine.errors import NotFoundError
from erp_engine.kernel.quantity import ZERO
from erp_engine.ledger.model import StockLevel

levels = StockLevel.__table__


def _like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _item_count():
    return (
        select(func.count())
        .where(Item.engine_id == Engine.id)
        .scalar_subquery()
        .label("item_count")
    )


def _engine_read(engine: Engine, item_count: int) -> EngineRead:
    return EngineRead.model_validate({**engine.__dict__, "item_count": item_count})


ENGINE_SORTS = {
    "code": Engine.code,
    "name": Engine.name,
    "status": Engine.status,
    "created_at": Engine.created_at,
    "updated_at": Engine.updated_at,
}


async def list_engines(
    session: AsyncSession, params: PageParams, *, q: str | None = None, status: str | None = None
) -> Page[EngineRead]:
    stmt = select(Engine, _item_count())
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                func.lower(Engine.code).like(pattern, escape="\\"),
                func.lower(Engine.name).like(pattern, escape="\\"),
            )
        )
    if status:
        stmt = stmt.where(Engine.status == status)
    stmt = stmt.order_by(*order_by(params.sort, ENGINE_SORTS, [Engine.code, Engine.id]))
    rows, total = await paginate(session, stmt, params)
    data = [_engine_read(engine, count) for engine, count in rows]
    return Page(data=data, count=total, page=params.page, limit=params.limit)


async def get_engine(session: AsyncSession, engine_id: uuid.UUID) -> EngineRead:
    row = (
        await session.execute(select(Engine, _item_count()).where(Engine.id == engine_id))
    ).first()
    if row is None:
        raise NotFoundError("No engine with this id.")
    return _engine_read(*row)


def _stock_total(column):
    zero = literal(ZERO, Qty())
    return func.coalesce(
        select(func.sum(column)).where(levels.c.item_id == Item.id).scalar_subquery(), zero
    )


ON_HAND = _stock_total(levels.c.on_hand)
RESERVED = _stock_total(levels.c.reserved)
LOW_STOCK = and_(
    Item.reorder_point > literal(ZERO, Qty()), Item.reorder_point >= ON_HAND - RESERVED
)

ITEM_SORTS = {
    "sku": Item.sku_key,
    "name": Item.name,
    "created_at": Item.created_at,
    "updated_at": Item.updated_at,
    "unit_cost": Item.unit_cost,
    "reorder_point": Item.reorder_point,
    "on_hand": ON_HAND,
    "available": ON_HAND - RESERVED,
}


ITEM_COLUMNS = tuple(Item.__table__.c)
_ITEM_ROW = (*(column.key for column in ITEM_COLUMNS), "on_hand", "reserved")


def item_read(row) -> ItemRead:
    """An item's answer from a row of its columns, then on-hand and reserved.

    Plain rows, not `Item` objects, and constructed rather than validated: the values come
    typed from the database, and a list page builds fifty of these per request.
    """
    values = dict(zip(_ITEM_ROW, row, strict=True))
    available = values["on_hand"] - values["reserved"]
    point = values["reorder_point"]
    # model_construct ignores the columns ItemRead has no field for (sku_key).
    return ItemRead.model_construct(
        **values, available=available, low_stock=point > 0 and available <= point
    )


def filter_items(
    stmt: Select,
    *,
    q: str | None = None,
    engine_id: uuid.UUID | None = None,
    active: bool | None = None,
    low_stock: bool | None = None,
    barcode: str | None = None,
    sku: str | None = None,
    low=LOW_STOCK,
) -> Select:
    """Apply the item list's filters to `stmt` (shared by the list and the spreadsheet export).

    `low` is the low-stock condition in terms of the totals `stmt` selects.
    """
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                Item.sku_key.like(pattern, escape="\\"),
                func.lower(Item.name).like(pattern, escape="\\"),
                func.lower(Item.barcode).like(pattern, escape="\\"),
            )
        )
    if engine_id:
        stmt = stmt.where(Item.engine_id == engine_id)
    if active is not None:
        stmt = stmt.where(Item.active == active)
    if barcode:
        stmt = stmt.where(Item.barcode == barcode)
    if sku:
        stmt = stmt.where(Item.sku_key == sku.lower())
    if low_stock is not None:
        stmt = stmt.where(low if low_stock else ~low)
    return stmt


def _grouped_totals():
    """On-hand and reserved of every item from one grouped pass over the stock rows: for a
    low-stock filter or a sort by stock, where each item's total matters, this beats two
    correlated sums per item (1.2 s against about 30 ms over 10,000 items)."""
    totals = (
        select(
            levels.c.item_id,
            func.sum(levels.c.on_hand).label("on_hand"),
            func.sum(levels.c.reserved).label("reserved"),
        )
        .group_by(levels.c.item_id)
        .subquery("totals")
    )
    zero = literal(ZERO, Qty())
    return totals, func.coalesce(totals.c.on_hand, zero), func.coalesce(totals.c.reserved, zero)


async def list_items(
    session: AsyncSession,
    params: PageParams,
    *,
    q: str | None = None,
    engine_id: uuid.UUID | None = None,
    active: bool | None = None,
    low_stock: bool | None = None,
    barcode: str | None = None,
    sku: str | None = None,
) -> Page[ItemRead]:
    filters = {"q": q, "engine_id": engine_id, "active": active, "barcode": barcode, "sku": sku}
    by_stock = (params.sort or "").lstrip("+-") in ("on_hand", "available")
    if low_stock is None and not by_stock:
        # A page of items: two correlated sums for each of its rows.
        stmt = filter_items(
            select(*ITEM_COLUMNS, ON_HAND.label("on_hand"), RESERVED.label("reserved")), **filters
        )
        sorts = ITEM_SORTS
    else:
        totals, on_hand, reserved = _grouped_totals()
        low = and_(
            Item.reorder_point > literal(ZERO, Qty()), Item.reorder_point >= on_hand - reserved
        )
        stmt = select(
            *ITEM_COLUMNS, on_hand.label("on_hand"), reserved.label("reserved")
        ).outerjoin(totals, totals.c.item_id == Item.id)
        stmt = filter_items(stmt, low_stock=low_stock, low=low, **filters)
        sorts = {**ITEM_SORTS, "on_hand": on_hand, "available": on_hand - reserved}
    stmt = stmt.order_by(*order_by(params.sort, sorts, [Item.sku_key, Item.id]))
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[item_read(row) for row in rows], count=total, page=params.page, limit=params.limit
    )


async def get_item(session: AsyncSession, item_id: uuid.UUID) -> ItemRead:
    stmt = select(*ITEM_COLUMNS, ON_HAND.label("on_hand"), RESERVED.label("reserved")).where(
        Item.id == item_id
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFoundError("No item with this id.")
    return item_read(row)
