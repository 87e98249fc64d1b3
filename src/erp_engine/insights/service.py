"""Low-stock alerts, kept in step with stock inside the transaction that changes it."""

from __future__ import annotations

import uuid

from erp_engine.errors import InvalidTransitionError, NotFoundError
from erp_engine.events.service import emit_event
from erp_engine.insights.model import Alert, AlertStatus
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal
from erp_engine.uow import UnitOfWork, transactional


async def refresh_low_stock(uow: UnitOfWork, item_ids: list[uuid.UUID]) -> None:
    """Open an alert for each item now at or below its reorder point; close recovered ones.

    Callers hold the items' row locks (taken before any stock row), so two transactions
    never judge the same item at once and the open/close decision matches committed stock.
    """
    if not item_ids:
        return
    ids = sorted(set(item_ids))
    now = utcnow()
    for item_id, reorder_point, available, alert in await uow.alerts.availability(ids):
        low = reorder_point > 0 and available <= reorder_point
        if low and alert is None:
            alert = Alert(
                id=uuid.uuid4(),
                item_id=item_id,
                status=AlertStatus.OPEN,
                available=available,
                reorder_point=reorder_point,
                opened_at=now,
            )
            uow.alerts.add(alert)
            emit_event(
                uow,
                "stock.low",
                entity_type="item",
                entity_id=item_id,
                data={
                    "alert_id": alert.id,
                    "item_id": item_id,
                    "available": available,
                    "reorder_point": reorder_point,
                },
            )
        elif not low and alert is not None:
            alert.status, alert.closed_at = AlertStatus.CLOSED, now
            emit_event(
                uow,
                "stock.recovered",
                entity_type="item",
                entity_id=item_id,
                data={
                    "alert_id": alert.id,
                    "item_id": item_id,
                    "available": available,
                    "reorder_point": reorder_point,
                },
            )


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
