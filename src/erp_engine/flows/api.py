"""HTTP route for the flow journal (read-only)."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Query

from erp_engine.api.deps import Paging, ReadSession, Viewer
from erp_engine.api.routing import SlashRouter
from erp_engine.db.pagination import Page
from erp_engine.flows import queries
from erp_engine.flows.schemas import FlowRead
from erp_engine.kernel.schema import UtcDateTime

router = SlashRouter(prefix="/flows", tags=["flows"])

EntityType = Literal["engine", "item", "warehouse", "inbound", "outbound", "adjustment", "transfer"]
Action = Literal[
    "created", "updated", "approved", "committed", "cancelled", "adjusted", "transferred", "deleted"
]


@router.get("", response_model=Page[FlowRead], operation_id="list_flows")
async def list_flows(
    _: Viewer,
    session: ReadSession,
    paging: Paging,
    entity_type: EntityType | None = None,
    entity_id: uuid.UUID | None = None,
    action: Action | None = None,
    from_: UtcDateTime | None = Query(None, alias="from"),
    to: UtcDateTime | None = Query(None, alias="to"),
):
    return await queries.list_flows(
        session,
        paging,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        from_=from_,
        to=to,
    )
