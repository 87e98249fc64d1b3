"""Appends events to the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.events.model import OutboxEvent


class OutboxRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def add(self, event: OutboxEvent) -> None:
        self.session.add(event)
