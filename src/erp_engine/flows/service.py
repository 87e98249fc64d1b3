"""Writes the journal row that every state change carries."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert

from erp_engine.flows.model import Flow
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal


def new_flow(
    *,
    entity_type: str,
    entity_id: uuid.UUID,
    action: str,
    actor: Principal,
    entity_number: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
) -> Flow:
    """A flow row, not yet written (see `record_flow`)."""
    return Flow(
        id=uuid.uuid4(),
        entity_type=entity_type,
        entity_id=entity_id,
        entity_number=entity_number,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id,
        actor_name=actor.name,
        note=note,
        created_at=utcnow(),
    )


def record_flow(uow, **fields: Any) -> Flow:
    """Add a flow row (`new_flow`'s fields) to the caller's open transaction."""
    flow = new_flow(**fields)
    uow.flows.add(flow)
    return flow


async def record_flows_bulk(uow, flows: list[dict[str, Any]], *, actor: Principal) -> None:
    """Insert many flow rows with one statement (imports); each dict names entity_type,
    entity_id, entity_number and action, as `record_flow` takes them."""
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "from_status": None,
            "to_status": None,
            "note": None,
            **flow,
            "actor_id": actor.id,
            "actor_name": actor.name,
            "created_at": now,
        }
        for flow in flows
    ]
    if rows:
        await uow.session.execute(insert(Flow.__table__), rows)
