"""Low-stock alerts, kept in step with stock inside the transaction that changes it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from erp_engine.audit.service import add_entries_bulk
from erp_engine.errors import InvalidTransitionError, NotFoundError
from erp_engine.events.service import emit_event, emit_events_bulk
from erp_engine.insights.model import Alert, AlertStatus
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal
from erp_engine.uow import UnitOfWork, transactional

# Items per round of queries: well below the drivers' bind parameter limits (32,767), since
# a stock import or an items import may judge a hundred thousand items at once.
_CHUNK = 5000


async def refresh_low_stock(uow: UnitOfWork, item_ids: list[uuid.UUID]) -> None:
    """Open an alert for each item now at or below its reorder point; close recovered ones.

    Callers hold the items' row locks (taken before any stock row), so two transactions
    never judge the same item at once and the open/close decision matches committed stock.
    Alerts open set-based, with their events and audit rows: an import can open thousands.
    """
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), _CHUNK):
        await _refresh(uow, ids[start : start + _CHUNK])


async def _refresh(uow: UnitOfWork, ids: list[uuid.UUID]) -> None:
    now = utcnow()
    opened: list[dict[str, Any]] = []
    for item_id, reorder_point, available, alert in await uow.alerts.availability(ids):
        low = reorder_point > 0 and available <= reorder_point
        if low and alert is None:
            opened.append(
                {
                    "id": uuid.uuid4(),
                    "item_id": item_id,
                    "status": AlertStatus.OPEN,
                    "available": available,
                    "reorder_point": reorder_point,
                    "opened_at": now,
                    "version": 1,
                }
            )
        elif not low and alert is not None:
            alert.status, alert.closed_at = AlertStatus.CLOSED, now
            emit_event(
                uow,
                "stock.recovered",
                entity_type="item",
                entity_id=item_id,
                data=_event_data(alert.id, item_id, available, reorder_point),
            )
    if not opened:
        return
    await uow.alerts.add_many(opened)
    await emit_events_bulk(
        uow,
        [
            (
                "stock.low",
                "item",
                row["item_id"],
                _event_data(row["id"], row["item_id"], row["available"], row["reorder_point"]),
            )
            for row in opened
        ],
    )
    # The audit rows the before_flush hook writes for alerts made through the ORM.
    await add_entries_bulk(
        uow,
        [
            (
                "alert.created",
                "alert",
                row["id"],
                {key: (None, value) for key, value in row.items() if key != "version"},
            )
            for row in opened
        ],
    )


def _event_data(
    alert_id: uuid.UUID, item_id: uuid.UUID, available: Decimal, reorder_point: Decimal
) -> dict[str, Any]:
    return {
        "alert_id": alert_id,
        "item_id": item_id,
        "available": available,
        "reorder_point": reorder_point,
    }


@transactional
async def acknowledge_alert(uow: UnitOfWork, alert_id: uuid.UUID, *, actor: Principal) -> Alert:
    """Mark an open alert as seen (repeating it changes nothing).

    Raises:
        NotFoundError: no such alert. InvalidTransitionError: the alert is already closed.
    """
    async with uow:
        alert = await uow.alerts.get(alert_id, for_update=True)
        if alert is None:
            raise NotFoundError("No alert with this id.")
        if alert.status == AlertStatus.CLOSED:
            raise InvalidTransitionError("The alert closed itself; stock has recovered.")
        if alert.acknowledged_at is None:
            alert.acknowledged_by, alert.acknowledged_at = actor.id, utcnow()
        await uow.commit()
        return alert
