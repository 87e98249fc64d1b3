"""The outbox table: append, claim for publishing, read as a feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    and_,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from erp_engine.events.cursor import Cursor
from erp_engine.events.model import OutboxEvent, WebhookCursor

# The id of the current transaction (an xid8 as a number); only PostgreSQL has one.
CURRENT_TXID = literal_column("pg_current_xact_id()::text::bigint")
# The feed's horizon: the oldest transaction still running in THIS database (or, if none,
# the snapshot's xmax). Transaction ids are server-wide, but a transaction in another
# database cannot write our outbox, so it must not hold the feed back. A running xid is
# skipped only when pg_stat_activity shows it in another database; an xid it does not show
# (just finished) still counts, so a race only makes the horizon earlier, never later.
FEED_HORIZON_TXID = text("""(
    SELECT coalesce(
        min(running::text::bigint),
        pg_snapshot_xmax(pg_current_snapshot())::text::bigint)
    FROM pg_snapshot_xip(pg_current_snapshot()) AS running
    WHERE (running::text::bigint % 4294967296) NOT IN (
        SELECT backend_xid::text::bigint FROM pg_stat_activity
        WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()))""")


def _feed_txid():
    """Feed order is (txid, position); without a txid (SQLite) an event sorts by position."""
    return func.coalesce(OutboxEvent.txid, 0)


def _after(cursor: Cursor):
    txid = _feed_txid()
    return or_(
        txid > cursor.txid, and_(txid == cursor.txid, OutboxEvent.position > cursor.position)
    )


class OutboxRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def add(self, event: OutboxEvent) -> None:
        # Written at the next flush with the other appended rows, txid and all (appends.py).
        self.session.add(event)

    async def add_many(self, rows: list[dict]) -> None:
        """Insert many events with one multi-row statement, stamped like `add` (imports)."""
        if rows:
            stmt = insert(OutboxEvent.__table__)
            if self._postgres:
                stmt = stmt.values(txid=CURRENT_TXID)
            await self.session.execute(stmt, rows)

    async def claim_unpublished(self, limit: int) -> list[OutboxEvent]:
        """The oldest unpublished events this relay may publish now, locked, in order.

        Rows locked by another relay are skipped, and so is any event whose entity has an
        earlier unpublished event this relay did not claim: per-entity order holds even with
        several relays running.
        """
        claimed = select(OutboxEvent.position).where(OutboxEvent.published_at.is_(None))
        claimed = claimed.order_by(OutboxEvent.position).limit(limit)
        if self._postgres:
            claimed = claimed.with_for_update(skip_locked=True)
        claimed_cte = claimed.cte("claimed")
        earlier = aliased(OutboxEvent)
        blocked = exists().where(
            earlier.entity_id == OutboxEvent.entity_id,
            earlier.published_at.is_(None),
            earlier.position < OutboxEvent.position,
            earlier.position.not_in(select(claimed_cte.c.position)),
        )
        stmt = (
            select(OutboxEvent)
            .where(OutboxEvent.position.in_(select(claimed_cte.c.position)), ~blocked)
            .order_by(OutboxEvent.position)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def mark_published(self, positions: list[int], now: datetime) -> None:
        if positions:
            await self.session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.position.in_(positions))
                .values(published_at=now)
            )

    async def feed(self, after: Cursor, limit: int) -> list[OutboxEvent]:
        """Events after the cursor in (txid, position) order, only from finished transactions."""
        stmt = select(OutboxEvent).where(_after(after))
        if self._postgres:
            stmt = stmt.where(OutboxEvent.txid < FEED_HORIZON_TXID)
        stmt = stmt.order_by(_feed_txid(), OutboxEvent.position).limit(limit)
        return list((await self.session.execute(stmt)).scalars())

    async def backlog(self) -> tuple[int, datetime | None]:
        """(unpublished events, when the oldest of them occurred)."""
        stmt = select(func.count(), func.min(OutboxEvent.occurred_at)).where(
            OutboxEvent.published_at.is_(None)
        )
        count, oldest = (await self.session.execute(stmt)).one()
        return int(count), oldest

    async def cursor(self, name: str) -> Cursor:
        row = await self.session.get(WebhookCursor, name, with_for_update=True)
        if row is None:
            row = WebhookCursor(name=name, txid=0, position=0)
            self.session.add(row)
            await self.session.flush()
        return Cursor(row.txid, row.position)

    async def read_cursor(self, name: str) -> Cursor | None:
        """Where `name` has read up to, without locking it (None if it never read)."""
        row = await self.session.get(WebhookCursor, name)
        return None if row is None else Cursor(row.txid, row.position)

    async def prune_published(self, before: datetime, limit: int, read: Cursor) -> int:
        """Delete up to `limit` events published before `before` and already read through
        the feed up to `read`; never an unpublished one. Return how many."""
        oldest = (
            select(OutboxEvent.position)
            .where(OutboxEvent.published_at < before, ~_after(read))
            .order_by(OutboxEvent.published_at, OutboxEvent.position)
            .limit(limit)
        )
        stmt = delete(OutboxEvent).where(OutboxEvent.position.in_(oldest))
        result = await self.session.execute(stmt.execution_options(synchronize_session=False))
        return result.rowcount

    async def save_cursor(self, name: str, cursor: Cursor) -> None:
        await self.session.execute(
            update(WebhookCursor)
            .where(WebhookCursor.name == name)
            .values(txid=cursor.txid, position=cursor.position)
        )
