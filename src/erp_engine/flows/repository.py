"""Appends flow rows."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.flows.model import Flow


class FlowRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def add(self, flow: Flow) -> None:
        self.session.add(flow)
