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
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.db.types import Qty, UTCDateTime
from erp_engine.db.upsert import insert_ignore
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.quantity import ZERO
from erp_engine.ledger.model import StockLevel, StockMove

levels = StockLevel.__table__
moves = StockMove.__table__


def _qty(value: Decimal):
    return literal(value, Qty())


@dataclass(frozen=True, slots=True)
class LevelAfter:
    """A stock row after a change: what its ledger move records."""

    on_hand: Decimal
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
_after = (levels.c.item_id, levels.c.warehouse_id, levels.c.on_hand, levels.c.move_count)
_on_hand_changes = {
    "on_hand": levels.c.on_hand + _v.c.q,
    "move_count": levels.c.move_count + 1,
    "updated_at": _now,
}
_CHANGE_ON_HAND = _joined.where(levels.c.on_hand + _v.c.q >= levels.c.reserved).values(
    **_on_hand_changes
)
# Shipping what was reserved: on-hand and reserved fall together.
_SHIP_RESERVED = _joined.where(levels.c.reserved + _v.c.q >= _qty(ZERO)).values(
    **_on_hand_changes, reserved=levels.c.reserved + _v.c.q
)
# What a move says besides its stock row: the same for every move of one posting.
MOVE_FIELDS = ("reason", "document_type", "document_id", "document_number", "actor_id")


def _posting(change):
    """`change` and the ledger moves of the rows it changed, as one statement.

    Each move takes its row's new on-hand and move count, in the order of the row's locks.
    The moves' one timestamp comes from `stamp`, which counts every changed row before it
    reads the clock: so it is taken after the statement holds all its rows, and moves of one
    stock row are stamped in the order their postings locked it (MATERIALIZED: read once).
    Returns the (item, warehouse) of each move written.
    """
    changed = change.returning(*_after, _v.c.q).cte("changed")
    done = select(func.count()).select_from(changed).subquery("done")
    stamp = (select(func.clock_timestamp().label("at")).select_from(done).cte("stamp")).prefix_with(
        "MATERIALIZED"
    )
    documented = [bindparam(name, type_=moves.c[name].type) for name in MOVE_FIELDS]
    rows = select(
        func.gen_random_uuid(),
        changed.c.item_id,
        changed.c.warehouse_id,
        changed.c.move_count,
        changed.c.q,
        changed.c.on_hand,
        *documented,
        stamp.c.at,
    ).select_from(changed.join(stamp, true()))
    columns = ["id", "item_id", "warehouse_id", "seq", "quantity", "balance_after"]
    return (
        insert(moves)
        .from_select([*columns, *MOVE_FIELDS, "created_at"], rows)
        .returning(moves.c.item_id, moves.c.warehouse_id)
    )


_POST = _posting(_CHANGE_ON_HAND)
_POST_SHIPPED = _posting(_SHIP_RESERVED)


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
        stmt = stmt.values(**values).returning(levels.c.on_hand, levels.c.move_count)
        row = (await self.session.execute(stmt)).first()
        return None if row is None else LevelAfter(row.on_hand, row.move_count)

    def _set_based(self, rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]]) -> dict | None:
        """(item, warehouse, quantity) rows as the three arrays `_v` unnests, on
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

    async def _held(self, rows, one_by_one, statement, now: datetime) -> set:
        """Apply a stock change to every (item, warehouse, q) of `rows`: `statement` for all
        of them at once where it can, else `one_by_one` per row. Returns the (item,
        warehouse) keys whose change held."""
        arrays = self._set_based(rows)
        if arrays is None:
            return {(i, w) for i, w, q in rows if await one_by_one(i, w, q, now)}
        changed = await self.session.execute(statement, {**arrays, "now": now})
        return {(row.item_id, row.warehouse_id) for row in changed}

    async def reserve_many(
        self, rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]], now: datetime
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """`reserve` for each (item, warehouse, q); returns the keys whose reservation held."""
        return await self._held(rows, self.reserve, _RESERVE, now)

    async def release_many(
        self, rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]], now: datetime
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """`release` for each (item, warehouse, q); returns the keys released."""
        return await self._held(rows, self.release, _RELEASE, now)

    async def post_many(
        self,
        rows: list[tuple[uuid.UUID, uuid.UUID, Decimal]],
        now: datetime,
        move: dict,
        *,
        from_reserved: bool = False,
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """`change_on_hand` for each (item, warehouse, delta), and a ledger move for each
        change that held: its seq and balance after, and `move`'s MOVE_FIELDS.

        Returns the keys that held. A change that did not hold writes nothing; the others'
        moves are written all the same, so the caller rolls back when any did not.
        """
        documented = {name: move[name] for name in MOVE_FIELDS}
        arrays = self._set_based(rows)
        if arrays is not None:  # one statement for the changes and the moves
            statement = _POST_SHIPPED if from_reserved else _POST
            params = {**arrays, "now": now, **documented}
            return {
                (r.item_id, r.warehouse_id) for r in await self.session.execute(statement, params)
            }
        changed = []
        for i, w, delta in rows:
            if after := await self.change_on_hand(i, w, delta, now, from_reserved=from_reserved):
                changed.append((i, w, delta, after))
        # Taken after the rows are locked, so moves of one stock row are stamped in lock order.
        posted_at = utcnow()
        await self.add_moves(
            [
                {
                    "id": uuid.uuid4(),
                    "item_id": i,
                    "warehouse_id": w,
                    "seq": after.seq,
                    "quantity": delta,
                    "balance_after": after.on_hand,
                    **documented,
                    "created_at": posted_at,
                }
                for i, w, delta, after in changed
            ]
        )
        return {(i, w) for i, w, _, _ in changed}

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
