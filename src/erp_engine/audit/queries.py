"""Read side of the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.audit.model import AuditEntry
from erp_engine.audit.schemas import AuditRead
from erp_engine.db.pagination import Page, PageParams, order_by, paginate


async def list_audit(
    session: AsyncSession,
    params: PageParams,
    *,
    actor_id: uuid.UUID | None = None,
    entity_type: str | None = None,
    entity_id: uuid.UUID | None = None,
    action: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> Page[AuditRead]:
    stmt = select(AuditEntry)
    for column, value in (
        (AuditEntry.actor_id, actor_id),
        (AuditEntry.entity_type, entity_type),
        (AuditEntry.entity_id, entity_id),
        (AuditEntry.action, action),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if from_:
        stmt = stmt.where(AuditEntry.created_at >= from_)
    if to:
        stmt = stmt.where(AuditEntry.created_at <= to)
    stmt = stmt.order_by(
        *order_by(
            params.sort,
            {"created_at": AuditEntry.created_at},
            [AuditEntry.created_at.desc(), AuditEntry.id],
        )
    )
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[AuditRead.model_validate(r[0]) for r in rows],
        count=total,
        page=params.page,
        limit=params.limit,
    )
