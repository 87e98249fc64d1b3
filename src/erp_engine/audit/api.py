"""HTTP route for the audit trail (manager+, read-only: nothing updates or deletes it)."""

from __future__ import annotations

import uuid

from fastapi import Query

from erp_engine.api.deps import Manager, Paging, ReadSession
from erp_engine.api.routing import SlashRouter
from erp_engine.audit import queries
from erp_engine.audit.schemas import AuditRead
from erp_engine.db.pagination import Page
from erp_engine.kernel.schema import UtcDateTime

router = SlashRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditRead], operation_id="list_audit")
async def list_audit(
    _: Manager,
    session: ReadSession,
    paging: Paging,
    actor_id: uuid.UUID | None = None,
    entity_type: str | None = None,
    entity_id: uuid.UUID | None = None,
    action: str | None = Query(None, description="e.g. item.created, auth.login_failed"),
    from_: UtcDateTime | None = Query(None, alias="from"),
    to: UtcDateTime | None = Query(None, alias="to"),
):
    return await queries.list_audit(
        session,
        paging,
        actor_id=actor_id,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        from_=from_,
        to=to,
    )
