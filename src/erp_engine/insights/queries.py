"""Read side: the dashboard (from stock rows and indexed ranges, never a full ledger scan)
and the alert list."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.catalog.model import Engine, Item
from erp_engine.catalog.queries import LOW_STOCK
from erp_engine.db.pagination import Page, PageParams, order_by, paginate
from erp_engine.documents.model import StockDocument
from erp_engine.errors import NotFoundError
from erp_engine.flows.model import Flow
from erp_engine.flows.schemas import FlowRead
from erp_engine.insights.model import Alert, AlertStatus
from erp_engine.insights.schemas import AlertRead, Dashboard
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.quantity import ZERO, money
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


async def _stock_value(session: AsyncSession) -> Decimal:
    # Per-item totals times unit cost, summed exactly in Python (a scaled-integer product
    # could overflow 64 bits in SQL).
    totals = (
        select(StockLevel.item_id, func.sum(StockLevel.on_hand).label("on_hand"))
        .group_by(StockLevel.item_id)
        .subquery()
    )
    stmt = select(totals.c.on_hand, Item.unit_cost).join(Item, Item.id == totals.c.item_id)
    return money(sum((on_hand * cost for on_hand, cost in await session.execute(stmt)), ZERO))


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
    shipped = func.sum(-StockMove.quantity).label("quantity")
    stmt = (
        select(Item.id, Item.sku, Item.name, shipped)
        .join(Item, Item.id == StockMove.item_id)
        .where(StockMove.created_at >= since, StockMove.reason == MoveReason.OUTBOUND)
        .group_by(Item.id, Item.sku, Item.name)
        .order_by(shipped.desc(), Item.sku)
        .limit(TOP_ITEMS)
    )
    return [
        {"item_id": r[0], "sku": r[1], "name": r[2], "quantity": r[3]}
        for r in await session.execute(stmt)
    ]


async def dashboard(session: AsyncSession, *, currency: str) -> Dashboard:
    today = utcnow().date()
    days = [today - timedelta(days=n) for n in range(SERIES_DAYS - 1, -1, -1)]
    since = datetime.combine(days[0], time.min, tzinfo=utcnow().tzinfo)
    documents = await _document_counts(session)
    flows = (
        await session.execute(
            select(Flow).order_by(Flow.created_at.desc(), Flow.id).limit(RECENT_FLOWS)
        )
    ).scalars()
    return Dashboard.model_validate(
        {
            "counts": {
                "engines": await _count(session, select(func.count()).select_from(Engine)),
                "items": await _count(session, select(func.count()).select_from(Item)),
                "warehouses": await _count(session, select(func.count()).select_from(Warehouse)),
                "low_stock": await _count(
                    session, select(func.count()).select_from(Item).where(LOW_STOCK)
                ),
                "open_alerts": await _count(
                    session,
                    select(func.count()).select_from(Alert).where(Alert.status == AlertStatus.OPEN),
                ),
                "inbound": documents["inbound"],
                "outbound": documents["outbound"],
            },
            "stock_value": await _stock_value(session),
            "currency": currency,
            "series": await _series(session, since, days),
            "top_outbound_items": await _top_outbound(session, since),
            "recent_flows": [FlowRead.model_validate(f) for f in flows],
        }
    )


ALERT_SORTS = {"opened_at": Alert.opened_at, "closed_at": Alert.closed_at, "sku": Item.sku_key}


def _alert_read(alert: Alert, sku: str, name: str) -> AlertRead:
    return AlertRead.model_validate({**alert.__dict__, "sku": sku, "item_name": name})


async def list_alerts(
    session: AsyncSession,
    params: PageParams,
    *,
    status: str | None = None,
    item_id: uuid.UUID | None = None,
    acknowledged: bool | None = None,
) -> Page[AlertRead]:
    stmt = select(Alert, Item.sku, Item.name).join(Item, Item.id == Alert.item_id)
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
    stmt = (
        select(Alert, Item.sku, Item.name)
        .join(Item, Item.id == Alert.item_id)
        .where(Alert.id == alert_id)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFoundError("No alert with this id.")
    return _alert_read(*row)
