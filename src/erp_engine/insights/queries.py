"""Read side: the dashboard (from stock rows and indexed ranges, never a full ledger scan)
and the alert list."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Numeric, and_, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from erp_engine.catalog.model import Engine, Item
from erp_engine.db.pagination import Page, PageParams, order_by, paginate
from erp_engine.db.types import Qty
from erp_engine.documents.model import StockDocument
from erp_engine.errors import NotFoundError
from erp_engine.flows.model import Flow
from erp_engine.flows.schemas import FlowRead
from erp_engine.identity.model import User
from erp_engine.insights.model import Alert, AlertStatus
from erp_engine.insights.schemas import AlertRead, Dashboard
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.quantity import MONEY_PLACES, QUANTITY_PLACES, ZERO, money
from erp_engine.ledger.model import MoveReason, StockLevel, StockMove
from erp_engine.warehouses.model import Warehouse

SERIES_DAYS = 30
TOP_ITEMS = 10
RECENT_FLOWS = 10


async def _count(session: AsyncSession, stmt) -> int:
    return int(await session.scalar(stmt) or 0)


def _day(session: AsyncSession):
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", StockMove.created_at), Date)
    return func.date(StockMove.created_at)  # SQLite stores UTC text


async def _document_counts(session: AsyncSession) -> dict[str, dict[str, int]]:
    counts = {kind: {"draft": 0, "approved": 0} for kind in ("inbound", "outbound")}
    stmt = (
        select(StockDocument.kind, StockDocument.status, func.count())
        .where(StockDocument.status.in_(("draft", "approved")))
        .group_by(StockDocument.kind, StockDocument.status)
    )
    for kind, status, count in await session.execute(stmt):
        counts[kind][status] = count
    return counts


def _item_totals():
    """On-hand and reserved per item: one pass over the stock rows."""
    return (
        select(
            StockLevel.item_id,
            func.sum(StockLevel.on_hand).label("on_hand"),
            func.sum(StockLevel.reserved).label("reserved"),
        )
        .group_by(StockLevel.item_id)
        .subquery()
    )


async def _stock_summary(session: AsyncSession) -> tuple[Decimal, int]:
    """Stock value and the number of low items, from one pass over the stock rows.

    The value is exact: PostgreSQL multiplies the scaled integers as NUMERIC (their product
    can pass 64 bits); SQLite, whose integers would overflow, sends the per-item figures to
    Python instead.
    """
    totals = _item_totals()
    zero = literal(ZERO, Qty())
    available = func.coalesce(totals.c.on_hand, zero) - func.coalesce(totals.c.reserved, zero)
    low = and_(Item.reorder_point > zero, Item.reorder_point >= available)
    if session.get_bind().dialect.name == "postgresql":
        product = cast(totals.c.on_hand, Numeric) * cast(Item.unit_cost, Numeric)
        stmt = (
            select(func.sum(product), func.count().filter(low))
            .select_from(Item)
            .outerjoin(totals, totals.c.item_id == Item.id)
        )
        scaled, low_count = (await session.execute(stmt)).one()
        value = Decimal(scaled or 0).scaleb(-(QUANTITY_PLACES + MONEY_PLACES))
        return money(value), int(low_count)
    stmt = (
        select(totals.c.on_hand, Item.unit_cost, low)
        .select_from(Item)
        .outerjoin(totals, totals.c.item_id == Item.id)
    )
    value, low_count = ZERO, 0
    for on_hand, cost, is_low in await session.execute(stmt):
        value += (on_hand or ZERO) * (cost or ZERO)
        low_count += bool(is_low)
    return money(value), low_count


async def _series(session: AsyncSession, since: datetime, days: list[date]):
    day = _day(session).label("day")
    stmt = (
        select(day, StockMove.reason, func.sum(StockMove.quantity))
        .where(
            StockMove.created_at >= since,
            StockMove.reason.in_((MoveReason.INBOUND, MoveReason.OUTBOUND)),
        )
        .group_by(day, StockMove.reason)
    )
    by_day: dict[tuple[str, str], Decimal] = {}
    for when, reason, quantity in await session.execute(stmt):
        by_day[(str(when)[:10], reason)] = abs(quantity)
    return {
        "days": days,
        "inbound": [by_day.get((d.isoformat(), "inbound"), ZERO) for d in days],
        "outbound": [by_day.get((d.isoformat(), "outbound"), ZERO) for d in days],
    }


async def _top_outbound(session: AsyncSession, since: datetime) -> list[dict]:
    # Aggregate the moves by item first and join only the winners' names.
    shipped = (
        select(StockMove.item_id, func.sum(-StockMove.quantity).label("quantity"))
        .where(StockMove.created_at >= since, StockMove.reason == MoveReason.OUTBOUND)
        .group_by(StockMove.item_id)
        .subquery()
    )
    stmt = (
        select(Item.id, Item.sku, Item.name, shipped.c.quantity)
        .join(shipped, shipped.c.item_id == Item.id)
        .order_by(shipped.c.quantity.desc(), Item.sku)
        .limit(TOP_ITEMS)
    )
    return [
        {"item_id": r[0], "sku": r[1], "name": r[2], "quantity": r[3]}
        for r in await session.execute(stmt)
    ]


async def _current(session: AsyncSession) -> dict[str, Any]:
    """The counts, the stock value and the latest flows: everything but the 30 days' moves."""
    documents = await _document_counts(session)
    stock_value, low_stock = await _stock_summary(session)
    flows = (
        await session.execute(
            select(Flow).order_by(Flow.created_at.desc(), Flow.id).limit(RECENT_FLOWS)
        )
    ).scalars()
    return {
        "counts": {
            "engines": await _count(session, select(func.count()).select_from(Engine)),
            "items": await _count(session, select(func.count()).select_from(Item)),
            "warehouses": await _count(session, select(func.count()).select_from(Warehouse)),
            "low_stock": low_stock,
            "open_alerts": await _count(
                session,
                select(func.count()).select_from(Alert).where(Alert.status == AlertStatus.OPEN),
            ),
            "inbound": documents["inbound"],
            "outbound": documents["outbound"],
        },
        "stock_value": stock_value,
        "recent_flows": [FlowRead.model_validate(f) for f in flows],
    }


async def dashboard(sessions: async_sessionmaker[AsyncSession], *, currency: str) -> Dashboard:
    """The dashboard, its three independent parts read at once, each on a session (and so a
    connection) of its own: the two passes over the last 30 days' moves — most of its time,
    each on one core of PostgreSQL — and the rest. Reads run in autocommit (each statement
    on its own snapshot) either way, so reading them side by side changes nothing else."""
    today = utcnow().date()
    days = [today - timedelta(days=n) for n in range(SERIES_DAYS - 1, -1, -1)]
    since = datetime.combine(days[0], time.min, tzinfo=utcnow().tzinfo)

    async def on_own_session(read, *args):
        async with sessions() as session:
            return await read(session, *args)

    series, top_outbound, current = await asyncio.gather(
        on_own_session(_series, since, days),
        on_own_session(_top_outbound, since),
        on_own_session(_current),
    )
    return Dashboard.model_validate(
        {
            **current,
            "currency": currency,
            "series": series,
            "top_outbound_items": top_outbound,
        }
    )


ALERT_SORTS = {"opened_at": Alert.opened_at, "closed_at": Alert.closed_at, "sku": Item.sku_key}


def _alert_read(alert: Alert, sku: str, name: str, acknowledged_by_name: str | None) -> AlertRead:
    return AlertRead.model_validate(
        {
            **alert.__dict__,
            "sku": sku,
            "item_name": name,
            "acknowledged_by_name": acknowledged_by_name,
        }
    )


def _alerts():
    """Alerts with their item's sku and name, and the name of whoever acknowledged them (so
    every role sees a name: only admins may list users)."""
    return (
        select(Alert, Item.sku, Item.name, User.name)
        .join(Item, Item.id == Alert.item_id)
        .outerjoin(User, User.id == Alert.acknowledged_by)
    )


async def list_alerts(
    session: AsyncSession,
    params: PageParams,
    *,
    status: str | None = None,
    item_id: uuid.UUID | None = None,
    acknowledged: bool | None = None,
) -> Page[AlertRead]:
    stmt = _alerts()
    if status:
        stmt = stmt.where(Alert.status == status)
    if item_id:
        stmt = stmt.where(Alert.item_id == item_id)
    if acknowledged is not None:
        stmt = stmt.where(
            Alert.acknowledged_at.is_not(None) if acknowledged else Alert.acknowledged_at.is_(None)
        )
    stmt = stmt.order_by(*order_by(params.sort, ALERT_SORTS, [Alert.opened_at.desc(), Alert.id]))
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[_alert_read(*row) for row in rows], count=total, page=params.page, limit=params.limit
    )


async def get_alert(session: AsyncSession, alert_id: uuid.UUID) -> AlertRead:
    row = (await session.execute(_alerts().where(Alert.id == alert_id))).first()
    if row is None:
        raise NotFoundError("No alert with this id.")
    return _alert_read(*row)
