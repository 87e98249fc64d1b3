"""Loads and stores engines and items."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.catalog.model import Engine, Item
from erp_engine.db.sets import per_dialect
from erp_engine.db.unnest import array_key, insert_unnested

# Statements on every document's path are built once, with bind parameters: building one
# per call, and computing its cache key, costs about as much as executing it.
_ITEMS = per_dialect(lambda one_of: select(Item).where(one_of(Item.id)).order_by(Item.id))
# NO KEY UPDATE: a document line's foreign-key check takes KEY SHARE on its item (in the
# lines' order); a plain FOR UPDATE would conflict with it and let an approve and a create
# deadlock. We never change an item's key, so this suffices.
_ITEMS_FOR_UPDATE = {db: stmt.with_for_update(key_share=True) for db, stmt in _ITEMS.items()}
_items = Item.__table__
_INSERT_UNNESTED = insert_unnested(_items, list(_items.columns))


class EngineRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(self, engine_id: uuid.UUID, *, for_update: bool = False) -> Engine | None:
        stmt = select(Engine).where(Engine.id == engine_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_by_code(self, code: str) -> Engine | None:
        stmt = select(Engine).where(Engine.code == code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def has_items(self, engine_id: uuid.UUID) -> bool:
        stmt = select(exists().where(Item.engine_id == engine_id))
        return bool(await self.session.scalar(stmt))

    def add(self, engine: Engine) -> None:
        self.session.add(engine)

    async def delete(self, engine: Engine) -> None:
        await self.session.delete(engine)
        await self.session.flush()


class ItemRepository:
    def __init__(self, session: AsyncSession):
        self.session = session
        # Items this unit of work has loaded, held strongly: the session's identity map is
        # weak, and answering a change should not load the same items again.
        self._loaded: dict[uuid.UUID, Item] = {}

    async def get(self, item_id: uuid.UUID, *, for_update: bool = False) -> Item | None:
        stmt = select(Item).where(Item.id == item_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_many(
        self, item_ids: list[uuid.UUID], *, for_update: bool = False
    ) -> dict[uuid.UUID, Item]:
        """Items by id; when locking, rows are locked in id order so lockers never deadlock."""
        if not item_ids:
            return {}
        stmt = (_ITEMS_FOR_UPDATE if for_update else _ITEMS)[self.session.get_bind().dialect.name]
        found = await self.session.execute(stmt, {"ids": sorted(set(item_ids))})
        items = {item.id: item for item in found.scalars()}
        self._loaded.update(items)
        return items

    async def get_known(self, item_ids: list[uuid.UUID]) -> dict[uuid.UUID, Item]:
        """Items by id, taking those this unit of work has loaded already without a query."""
        wanted = set(item_ids)
        found = {item_id: self._loaded[item_id] for item_id in wanted if item_id in self._loaded}
        return {**found, **await self.get_many(list(wanted - found.keys()))}

    async def get_by_sku(self, sku: str) -> Item | None:
        stmt = select(Item).where(Item.sku_key == sku.lower())
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_by_barcode(self, barcode: str) -> Item | None:
        stmt = select(Item).where(Item.barcode == barcode)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, item: Item) -> None:
        self.session.add(item)

    async def insert_many(self, records: list[dict[str, Any]]) -> None:
        """Insert item rows (every column's value) with one statement on PostgreSQL: the
        item count's statement trigger then fires once, where an executemany fired it for
        each row — 30,000 updates of one counter row took an import 5 s."""
        if self.session.get_bind().dialect.name != "postgresql":
            await self.session.execute(insert(_items), records)
            return
        params = {array_key(_items, c): [r[c.key] for r in records] for c in _items.columns}
        await self.session.execute(_INSERT_UNNESTED, params)

    async def delete(self, item: Item) -> None:
        await self.session.delete(item)
        await self.session.flush()
