"""Stock rows and ledger moves. Every stock change is one conditional UPDATE … RETURNING.

The WHERE clause carries the business rule (enough available, enough reserved), so a row
that no longer satisfies it is simply not updated: no read-modify-write, no lost update.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Uuid,
    bindparam,
    column,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.db.types import Qty, UTCDateTime
from erp_engine.db.upsert import insert_ignore
from erp_engine.kernel.quantity import ZERO
from erp_engine.ledger.model import StockLevel, StockMove

levels = StockLevel.__table__
moves = StockMove.__table__


def _qty(value: Decimal):
    return literal(value, Qty())


@dataclass(frozen=True, slots=True)
class LevelAfter:
    on_hand: Decimal
    reserved: Decimal
    seq: int


# Set-based stock changes on PostgreSQL: the rows arrive as three arrays that unnest into a
# relation `v` to join. Built once with bind parameters, so each call skips statement
# construction, and SQLAlchemy and asyncpg reuse one compiled, prepared statement whatever
# the number of rows (a VALUES list is compiled anew for every call).
_QTY = Qty()
_v = (
    func.unnest(
        bindparam("item_ids", type_=ARRAY(Uuid)),
        bindparam("warehouse_ids", type_=ARRAY(Uuid)),
        bindparam("quantities", type_=ARRAY(BigInteger)),
    )
    .table_valued(column("item_id", Uuid), column("warehouse_id", Uuid), column("q", Qty()))
    .render_derived(name="v")
)
_now = bindparam("now", type_=UTCDateTime())
_joined = update(levels).where(
    levels.c.item_id == _v.c.item_id, levels.c.warehouse_id == _v.c.warehouse_id
)
_RESERVE = (
    _joined.where(levels.c.on_hand >= levels.c.reserved + _v.c.q)
    .values(reserved=levels.c.reserved + _v.c.q, updated_at=_now)
    .returning(levels.c.item_id, levels.c.warehouse_id)
)
_RELEASE = (
    _joined.where(levels.c.reserved >= _v.c.q)
    .values(reserved=levels.c.reserved - _v.c.q, updated_at=_now)
    .returning(levels.c.item_id, levels.c.warehouse_id)
)
_after = (
    levels.c.item_id,
    levels.c.warehouse_id,
    levels.c.on_hand,
    levels.c.reserved,
    levels.c.move_count,
)
_on_hand_changes = {
    "on_hand": levels.c.on_hand + _v.c.q,
    "move_count": levels.c.move_count + 1,
    "updated_at": _now,
}
_CHANGE_ON_HAND = (
    _joined.where(levels.c.on_hand + _v.c.q >= levels.c.reserved)
    .values(**_on_hand_changes)
    .returning(*_after)
)
# Shipping what was reserved: on-hand and reserved fall together.
_SHIP_RESERVED = (
    _joined.where(levels.c.reserved + _v.c.q >= _qty(ZERO))
    .values(**_on_hand_changes, reserved=levels.c.reserved + _v.c.q)
    .returning(*_after)
)


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

    def _set_based(self, rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]]) -> dict | None:
        """(item, warehouse, quantity) rows as the three arrays `_changes` unnests, on
        PostgreSQL only (SQLite has neither arrays nor UPDATE … FROM a function).

        One statement instead of one per line. Which order it locks rows in does not matter:
        every writer holds the rows' item locks already (see `ledger.service.lock_items`).
        """
        keys = {(i, w) for i, w, _ in rows}
        if self._dialect != "postgresql" or len(keys) != len(rows):
            return None
        return {
            "item_ids": [i for i, _, _ in rows],
            "warehouse_ids": [w for _, w, _ in rows],
            "quantities": [_QTY.process_bind_param(q, None) for _, _, q in rows],
        }

    async def _each(self, rows, one_by_one, statement, now: datetime, held=lambda row: True):
        """Apply a stock change to every (item, warehouse, q) of `rows`: `statement` for all
        of them at once where it can, else `one_by_one` per row. Yields ((item, warehouse),
        answer) for the rows whose change held: `held` of each row the statement returned,
        or `one_by_one`'s answer when not None or False."""
        arrays = self._set_based(rows)
        if arrays is None:
            for i, w, q in rows:
                if answer := await one_by_one(i, w, q, now):
                    yield (i, w), answer
            return
        for row in await self.session.execute(statement, {**arrays, "now": now}):
            yield (row.item_id, row.warehouse_id), held(row)

    async def reserve_many(
        self, rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]], now: datetime
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """`reserve` for each (item, warehouse, q); returns the keys whose reservation held."""
        return {key async for key, _ in self._each(rows, self.reserve, _RESERVE, now)}

    async def release_many(
        self, rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]], now: datetime
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """`release` for each (item, warehouse, q); returns the keys released."""
        return {key async for key, _ in self._each(rows, self.release, _RELEASE, now)}

    async def change_on_hand_many(
        self,
        rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]],
        now: datetime,
        *,
        from_reserved: bool = False,
    ) -> dict[tuple[uuid.UUID, uuid.UUID], LevelAfter]:
        """`change_on_hand` for each (item, warehouse, delta); keys that held -> their row after."""

        async def one(i, w, delta, now):
            return await self.change_on_hand(i, w, delta, now, from_reserved=from_reserved)

        def after(row) -> LevelAfter:
            return LevelAfter(row.on_hand, row.reserved, row.move_count)

        statement = _SHIP_RESERVED if from_reserved else _CHANGE_ON_HAND
        return {key: level async for key, level in self._each(rows, one, statement, now, after)}

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
