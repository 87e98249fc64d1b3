"""Read side of the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.audit.model import AuditEntry
from erp_engine.audit.schemas import AuditRead
from erp_engine.db.pagination import Page, PageParams, order_by, paginate
from erp_engine.identity.model import ApiKey, User

# Who acted, by name: the user's or the API key's, looked up when read, so a renamed user
# reads with the name they have now and every reader of the log sees it, not only admins.
ACTOR_NAME = func.coalesce(User.name, ApiKey.name).label("actor_name")


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
    conditions = [
        column == value
        for column, value in (
            (AuditEntry.actor_id, actor_id),
            (AuditEntry.entity_type, entity_type),
            (AuditEntry.entity_id, entity_id),
            (AuditEntry.action, action),
        )
        if value is not None
    ]
    if from_:
        conditions.append(AuditEntry.created_at >= from_)
    if to:
        conditions.append(AuditEntry.created_at <= to)
    stmt = (
        select(AuditEntry, ACTOR_NAME)
        .outerjoin(User, and_(AuditEntry.actor_type == "user", User.id == AuditEntry.actor_id))
        .outerjoin(
            ApiKey, and_(AuditEntry.actor_type == "api_key", ApiKey.id == AuditEntry.actor_id)
        )
        .where(*conditions)
        .order_by(
            *order_by(
                params.sort,
                {"created_at": AuditEntry.created_at},
                [AuditEntry.created_at.desc(), AuditEntry.id],
            )
        )
    )
    # The joins add a name, never a row: the count needs only the audit table.
    count = select(func.count()).select_from(AuditEntry).where(*conditions)
    rows, total = await paginate(session, stmt, params, count=count)
    return Page(
        data=[
            AuditRead.model_validate({**entry.__dict__, "actor_name": name}) for entry, name in rows
        ],
        count=total,
        page=params.page,
        limit=params.limit,
    )
