"""Stock rows and ledger moves. Every stock change is one conditional UPDATE … RETURNING.

The WHERE clause carries the business rule (enough available, enough reserved), so a row
that no longer satisfies it is simply not updated: no read-modify-write, no lost update.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Uuid, column, exists, func, insert, literal, select, update, values
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.db.types import Qty
from erp_engine.db.upsert import insert_ignore
from erp_engine.kernel.quantity import ZERO
from erp_engine.ledger.model import StockLevel, StockMove

levels = StockLevel.__table__
moves = StockMove.__table__
# Rows per set-based UPDATE: 3 parameters each, far below asyncpg's 32,767.
BATCH = 2000


def _qty(value: Decimal):
    return literal(value, Qty())


@dataclass(frozen=True, slots=True)
class LevelAfter:
    on_hand: Decimal
    reserved: Decimal
    seq: int


class LedgerRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _key(self, item_id: uuid.UUID, warehouse_id: uuid.UUID):
        return (levels.c.item_id == item_id) & (levels.c.warehouse_id == warehouse_id)

    async def ensure_levels(self, keys: list[tuple[uuid.UUID, uuid.UUID]], now: datetime) -> None:
        """Create missing (item, warehouse) stock rows at zero."""
        rows = [
            {
                "item_id": i,
                "warehouse_id": w,
                "on_hand": ZERO,
                "reserved": ZERO,
                "move_count": 0,
                "updated_at": now,
            }
            for i, w in keys
        ]
        if rows:
            await self.session.execute(insert_ignore(levels, self._dialect), rows)

    async def reserve(
        self, item_id: uuid.UUID, warehouse_id: uuid.UUID, q: Decimal, now: datetime
    ) -> bool:
        """reserved += q where available >= q; False when there is not enough."""
        stmt = (
            update(levels)
            .where(self._key(item_id, warehouse_id))
            .where(levels.c.on_hand >= levels.c.reserved + _qty(q))
            .values(reserved=levels.c.reserved + _qty(q), updated_at=now)
            .returning(levels.c.reserved)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def release(
        self, item_id: uuid.UUID, warehouse_id: uuid.UUID, q: Decimal, now: datetime
    ) -> bool:
        """reserved -= q; False when less than q is reserved (an inconsistency)."""
        stmt = (
            update(levels)
            .where(self._key(item_id, warehouse_id))
            .where(levels.c.reserved >= _qty(q))
            .values(reserved=levels.c.reserved - _qty(q), updated_at=now)
            .returning(levels.c.reserved)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def change_on_hand(
        self,
        item_id: uuid.UUID,
        warehouse_id: uuid.UUID,
        delta: Decimal,
        now: datetime,
        *,
        from_reserved: bool = False,
    ) -> LevelAfter | None:
        """on_hand += delta (and reserved += delta when taking reserved stock).

        Returns None when the change would take on-hand below what stays reserved.
        """
        values = {
            "on_hand": levels.c.on_hand + _qty(delta),
            "move_count": levels.c.move_count + 1,
            "updated_at": now,
        }
        stmt = update(levels).where(self._key(item_id, warehouse_id))
        if from_reserved:
            values["reserved"] = levels.c.reserved + _qty(delta)
            stmt = stmt.where(levels.c.reserved + _qty(delta) >= _qty(ZERO))
        else:
            stmt = stmt.where(levels.c.on_hand + _qty(delta) >= levels.c.reserved)
        stmt = stmt.values(**values).returning(
            levels.c.on_hand, levels.c.reserved, levels.c.move_count
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else LevelAfter(row.on_hand, row.reserved, row.move_count)

    def _batch(self, rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]]):
        """(item, warehouse, quantity) rows as a VALUES list to join, on PostgreSQL only.

        One statement instead of one per line. Which order it locks rows in does not matter:
        every writer holds the rows' item locks already (see `ledger.service.lock_items`).
        """
        keys = {(i, w) for i, w, _ in rows}
        if self._dialect != "postgresql" or len(keys) != len(rows):
            return None
        return values(
            column("item_id", Uuid), column("warehouse_id", Uuid), column("q", Qty()), name="v"
        ).data(rows)

    async def reserve_many(
        self, rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]], now: datetime
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """`reserve` for each (item, warehouse, q); returns the keys whose reservation held."""
        held = set()
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            v = self._batch(chunk)
            if v is None:
                held |= {(i, w) for i, w, q in chunk if await self.reserve(i, w, q, now)}
                continue
            stmt = (
                update(levels)
                .where(levels.c.item_id == v.c.item_id, levels.c.warehouse_id == v.c.warehouse_id)
                .where(levels.c.on_hand >= levels.c.reserved + v.c.q)
                .values(reserved=levels.c.reserved + v.c.q, updated_at=now)
                .returning(levels.c.item_id, levels.c.warehouse_id)
            )
            held |= {(r.item_id, r.warehouse_id) for r in await self.session.execute(stmt)}
        return held

    async def release_many(
        self, rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]], now: datetime
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """`release` for each (item, warehouse, q); returns the keys released."""
        held = set()
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            v = self._batch(chunk)
            if v is None:
                held |= {(i, w) for i, w, q in chunk if await self.release(i, w, q, now)}
                continue
            stmt = (
                update(levels)
                .where(levels.c.item_id == v.c.item_id, levels.c.warehouse_id == v.c.warehouse_id)
                .where(levels.c.reserved >= v.c.q)
                .values(reserved=levels.c.reserved - v.c.q, updated_at=now)
                .returning(levels.c.item_id, levels.c.warehouse_id)
            )
            held |= {(r.item_id, r.warehouse_id) for r in await self.session.execute(stmt)}
        return held

    async def change_on_hand_many(
        self,
        rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]],
        now: datetime,
        *,
        from_reserved: bool = False,
    ) -> dict[tuple[uuid.UUID, uuid.UUID], LevelAfter]:
        """`change_on_hand` for each (item, warehouse, delta); keys that held -> their row after."""
        after: dict[tuple[uuid.UUID, uuid.UUID], LevelAfter] = {}
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            v = self._batch(chunk)
            if v is None:
                for i, w, delta in chunk:
                    row = await self.change_on_hand(i, w, delta, now, from_reserved=from_reserved)
                    if row is not None:
                        after[(i, w)] = row
                continue
            changes = {
                "on_hand": levels.c.on_hand + v.c.q,
                "move_count": levels.c.move_count + 1,
                "updated_at": now,
            }
            stmt = update(levels).where(
                levels.c.item_id == v.c.item_id, levels.c.warehouse_id == v.c.warehouse_id
            )
            if from_reserved:
                changes["reserved"] = levels.c.reserved + v.c.q
                stmt = stmt.where(levels.c.reserved + v.c.q >= _qty(ZERO))
            else:
                stmt = stmt.where(levels.c.on_hand + v.c.q >= levels.c.reserved)
            stmt = stmt.values(**changes).returning(
                levels.c.item_id,
                levels.c.warehouse_id,
                levels.c.on_hand,
                levels.c.reserved,
                levels.c.move_count,
            )
            for r in await self.session.execute(stmt):
                after[(r.item_id, r.warehouse_id)] = LevelAfter(r.on_hand, r.reserved, r.move_count)
        return after

    async def get_levels(
        self, keys: list[tuple[uuid.UUID, uuid.UUID]], *, for_update: bool = False
    ) -> dict[tuple[uuid.UUID, uuid.UUID], StockLevel]:
        """Stock rows by (item, warehouse); locked in (warehouse, item) order when asked."""
        if not keys:
            return {}
        item_ids = {i for i, _ in keys}
        warehouse_ids = {w for _, w in keys}
        stmt = (
            select(StockLevel)
            .where(StockLevel.item_id.in_(item_ids), StockLevel.warehouse_id.in_(warehouse_ids))
            .order_by(StockLevel.warehouse_id, StockLevel.item_id)
        )
        if for_update:
            stmt = stmt.with_for_update()
        result = (await self.session.execute(stmt)).scalars()
        wanted = set(keys)
        return {k: lvl for lvl in result if (k := (lvl.item_id, lvl.warehouse_id)) in wanted}

    async def on_hand_totals(self, item_ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
        """On-hand summed over warehouses, per item."""
        stmt = (
            select(levels.c.item_id, func.sum(levels.c.on_hand))
            .where(levels.c.item_id.in_(item_ids))
            .group_by(levels.c.item_id)
        )
        return {row[0]: row[1] for row in await self.session.execute(stmt)}

    async def add_moves(self, rows: list[dict]) -> None:
        if rows:
            await self.session.execute(insert(moves), rows)

    async def item_has_moves(self, item_id: uuid.UUID) -> bool:
        return bool(await self.session.scalar(select(exists().where(moves.c.item_id == item_id))))

    async def warehouse_has_stock_rows(self, warehouse_id: uuid.UUID) -> bool:
        stmt = select(exists().where(levels.c.warehouse_id == warehouse_id))
        return bool(await self.session.scalar(stmt))
