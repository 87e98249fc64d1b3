"""Loads and stores warehouses."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.warehouses.model import Warehouse


class WarehouseRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(self, warehouse_id: uuid.UUID, *, for_update: bool = False) -> Warehouse | None:
        stmt = select(Warehouse).where(Warehouse.id == warehouse_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_by_code(self, code: str) -> Warehouse | None:
        stmt = select(Warehouse).where(Warehouse.code == code.upper())
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, warehouse: Warehouse) -> None:
        self.session.add(warehouse)

    async def delete(self, warehouse: Warehouse) -> None:
        await self.session.delete(warehouse)
        await self.session.flush()
