"""Read side for warehouses."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.db.pagination import Page, PageParams, order_by, paginate
from erp_engine.db.search import any_contains, contains_pattern
from erp_engine.errors import NotFoundError
from erp_engine.warehouses.model import Warehouse
from erp_engine.warehouses.schemas import WarehouseRead

SORTS = {
    "code": Warehouse.code,
    "name": Warehouse.name,
    "created_at": Warehouse.created_at,
    "updated_at": Warehouse.updated_at,
}


async def list_warehouses(
    session: AsyncSession,
    params: PageParams,
    *,
    q: str | None = None,
    active: bool | None = None,
) -> Page[WarehouseRead]:
    stmt = select(Warehouse)
    if q:
        pattern = contains_pattern(q)
        stmt = stmt.where(
            any_contains(pattern, func.lower(Warehouse.code), func.lower(Warehouse.name))
        )
    if active is not None:
        stmt = stmt.where(Warehouse.active == active)
    stmt = stmt.order_by(*order_by(params.sort, SORTS, [Warehouse.code, Warehouse.id]))
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[WarehouseRead.model_validate(row[0]) for row in rows],
        count=total,
        page=params.page,
        limit=params.limit,
    )


async def get_warehouse(session: AsyncSession, warehouse_id: uuid.UUID) -> WarehouseRead:
    warehouse = await session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFoundError("No warehouse with this id.")
    return WarehouseRead.model_validate(warehouse)
