"""Read side of the flow journal."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.db.pagination import Page, PageParams, order_by, paginate
from erp_engine.flows.model import Flow
from erp_engine.flows.schemas import FlowRead

SORTS = {"created_at": Flow.created_at}


async def list_flows(
    session: AsyncSession,
    params: PageParams,
    *,
    entity_type: str | None = None,
    entity_id: uuid.UUID | None = None,
    action: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> Page[FlowRead]:
    stmt = select(Flow)
    for column, value in (
        (Flow.entity_type, entity_type),
        (Flow.entity_id, entity_id),
        (Flow.action, action),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if from_:
        stmt = stmt.where(Flow.created_at >= from_)
    if to:
        stmt = stmt.where(Flow.created_at <= to)
    stmt = stmt.order_by(*order_by(params.sort, SORTS, [Flow.created_at.desc(), Flow.id]))
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[FlowRead.model_validate(r[0]) for r in rows],
        count=total,
        page=params.page,
        limit=params.limit,
    )
