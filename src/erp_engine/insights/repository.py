"""Loads alerts and the availability that decides them."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.catalog.model import Item
from erp_engine.db.sets import per_dialect
from erp_engine.insights.model import Alert, AlertStatus
from erp_engine.kernel.quantity import ZERO
from erp_engine.ledger.model import StockLevel


def _availability(one_of):
    """Availability and the open alert of the items `ids`, in one statement."""
    totals = (
        select(
            StockLevel.item_id,
            func.sum(StockLevel.on_hand).label("on_hand"),
            func.sum(StockLevel.reserved).label("reserved"),
        )
        .where(one_of(StockLevel.item_id))
        .group_by(StockLevel.item_id)
        .subquery()
    )
    return (
        select(Item.id, Item.reorder_point, totals.c.on_hand, totals.c.reserved, Alert)
        .outerjoin(totals, totals.c.item_id == Item.id)
        .outerjoin(Alert, (Alert.item_id == Item.id) & (Alert.status == AlertStatus.OPEN))
        .where(one_of(Item.id))
    )


# It runs inside every stock-changing transaction, so it is built once (see
# catalog/repository.py).
_AVAILABILITY = per_dialect(_availability)


class AlertRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def availability(
        self, item_ids: list[uuid.UUID]
    ) -> list[tuple[uuid.UUID, Decimal, Decimal, Alert | None]]:
        """(item_id, reorder_point, available summed over warehouses, open alert) per item."""
        return [
            (row[0], row[1], (row[2] or ZERO) - (row[3] or ZERO), row[4])
            for row in await self.session.execute(
                _AVAILABILITY[self.session.get_bind().dialect.name], {"ids": list(item_ids)}
            )
        ]

    async def get(self, alert_id: uuid.UUID, *, for_update: bool = False) -> Alert | None:
        stmt = select(Alert).where(Alert.id == alert_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, alert: Alert) -> None:
        self.session.add(alert)

    async def add_many(self, rows: list[dict]) -> None:
        """Insert many alerts with one statement (Core: the ORM's flush is the slow part)."""
        await self.session.execute(insert(Alert.__table__), rows)
