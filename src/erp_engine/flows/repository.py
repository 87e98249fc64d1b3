"""Appends flow rows."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.flows.model import Flow

# Every flow of one entity, oldest first; parameters `entity_type` and `entity_id`. Built
# once: every document change answers with its history (see catalog/repository.py on why).
HISTORY = (
    select(Flow)
    .where(Flow.entity_type == bindparam("entity_type"), Flow.entity_id == bindparam("entity_id"))
    .order_by(Flow.created_at, Flow.id)
)


class FlowRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def add(self, flow: Flow) -> None:
        self.session.add(flow)

    async def history(self, entity_type: str, entity_id: uuid.UUID) -> list[Flow]:
        """Every flow of one entity, oldest first (flush first to include pending ones)."""
        rows = await self.session.execute(
            HISTORY, {"entity_type": entity_type, "entity_id": entity_id}
        )
        return list(rows.scalars())

    async def has_actor(self, actor_id: uuid.UUID) -> bool:
        return bool(await self.session.scalar(select(exists().where(Flow.actor_id == actor_id))))
