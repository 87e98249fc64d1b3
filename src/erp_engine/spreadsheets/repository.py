"""What an import checks its rows against, loaded in one query per kind of key.

Imports validate in memory: every existing SKU, barcode, engine code and warehouse code is
read once into a dict, so checking 100,000 rows costs a few queries, not one per row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.catalog.model import Engine, Item
from erp_engine.ledger.model import StockLevel
from erp_engine.warehouses.model import Warehouse

# Rows per IN list: well below the drivers' bind parameter limits (asyncpg: 32,767).
CHUNK = 5000


@dataclass(frozen=True, slots=True)
class ItemKey:
    id: uuid.UUID
    sku: str
    barcode: str | None
    active: bool


class ImportLookups:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def engine_codes(self) -> dict[str, uuid.UUID]:
        rows = await self.session.execute(select(Engine.code, Engine.id))
        return {code.upper(): engine_id for code, engine_id in rows}

    async def items_by_key(self) -> dict[str, ItemKey]:
        """Every item by lower-cased SKU (the unique key)."""
        stmt = select(Item.sku_key, Item.id, Item.sku, Item.barcode, Item.active)
        return {
            key: ItemKey(item_id, sku, barcode, active)
            for key, item_id, sku, barcode, active in await self.session.execute(stmt)
        }

    async def warehouse_codes(self) -> dict[str, tuple[uuid.UUID, bool]]:
        rows = await self.session.execute(select(Warehouse.code, Warehouse.id, Warehouse.active))
        return {code.upper(): (warehouse_id, active) for code, warehouse_id, active in rows}

    async def item_values(
        self, item_ids: list[uuid.UUID], fields: tuple[str, ...], *, lock: bool
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """Current values of `fields` per item; locked in id order when asked."""
        columns = [getattr(Item, name) for name in fields]
        found: dict[uuid.UUID, dict[str, Any]] = {}
        ordered = sorted(set(item_ids))
        for start in range(0, len(ordered), CHUNK):
            stmt = (
                select(Item.id, *columns)
                .where(Item.id.in_(ordered[start : start + CHUNK]))
                .order_by(Item.id)
            )
            if lock:
                stmt = stmt.with_for_update()
            for row in await self.session.execute(stmt):
                found[row[0]] = dict(zip(fields, row[1:], strict=True))
        return found

    async def stock_levels(self) -> dict[tuple[uuid.UUID, uuid.UUID], tuple[Decimal, Decimal]]:
        """(on hand, reserved) per (item, warehouse) stock row."""
        stmt = select(
            StockLevel.item_id, StockLevel.warehouse_id, StockLevel.on_hand, StockLevel.reserved
        )
        return {
            (i, w): (on_hand, reserved)
            for i, w, on_hand, reserved in await self.session.execute(stmt)
        }

    async def lock_items(self, item_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Lock item rows in ascending id order (PostgreSQL; SQLite has one writer anyway);
        return the ids that still exist."""
        ordered = sorted(set(item_ids))
        found: set[uuid.UUID] = set()
        for start in range(0, len(ordered), CHUNK):
            stmt = (
                select(Item.id)
                .where(Item.id.in_(ordered[start : start + CHUNK]))
                .order_by(Item.id)
                .with_for_update()
            )
            found.update((await self.session.execute(stmt)).scalars())
        return found
