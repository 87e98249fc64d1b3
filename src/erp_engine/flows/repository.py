"""Appends flow rows."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.flows.model import Flow


class FlowRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def add(self, flow: Flow) -> None:
        self.session.add(flow)

    async def has_actor(self, actor_id: uuid.UUID) -> bool:
        return bool(await self.session.scalar(select(exists().where(Flow.actor_id == actor_id))))
