"""Loads and stores warehouses."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.warehouses.model import Warehouse

# Statements on every document's path are built once, with bind parameters: building one
# per call, and computing its cache key, costs about as much as executing it.
_GET = select(Warehouse).where(Warehouse.id == bindparam("id"))
_GET_FOR_UPDATE = _GET.with_for_update()


class WarehouseRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(self, warehouse_id: uuid.UUID, *, for_update: bool = False) -> Warehouse | None:
        stmt = _GET_FOR_UPDATE if for_update else _GET
        return (await self.session.execute(stmt, {"id": warehouse_id})).scalar_one_or_none()

    async def get_by_code(self, code: str) -> Warehouse | None:
        stmt = select(Warehouse).where(Warehouse.code == code.upper())
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, warehouse: Warehouse) -> None:
        self.session.add(warehouse)

    async def delete(self, warehouse: Warehouse) -> None:
        await self.session.delete(warehouse)
        await self.session.flush()
