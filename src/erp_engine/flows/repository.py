"""Appends flow rows."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.flows.model import Flow


def history_statement(entity_type: str, entity_id: uuid.UUID) -> Select:
    """Every flow of one entity, oldest first."""
    return (
        select(Flow)
        .where(Flow.entity_type == entity_type, Flow.entity_id == entity_id)
        .order_by(Flow.created_at, Flow.id)
    )


class FlowRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def add(self, flow: Flow) -> None:
        self.session.add(flow)

    async def history(self, entity_type: str, entity_id: uuid.UUID) -> list[Flow]:
        """Every flow of one entity, oldest first (flush first to include pending ones)."""
        return list(
            (await self.session.execute(history_statement(entity_type, entity_id))).scalars()
        )

    async def has_actor(self, actor_id: uuid.UUID) -> bool:
        return bool(await self.session.scalar(select(exists().where(Flow.actor_id == actor_id))))
