"""Takes the next value of a document counter."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.numbering.model import DocumentCounter

counters = DocumentCounter.__table__
# Built once: every document takes a number (see catalog/repository.py on why). Parameter
# `counter_kind`; documents/repository.py embeds it where a new document takes its number.
NEXT_VALUE = (
    update(counters)
    .where(counters.c.kind == bindparam("counter_kind"))
    .values(last_value=counters.c.last_value + 1)
    .returning(counters.c.last_value)
)


class CounterRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def next_value(self, kind: str) -> int:
        """Increment and return; the row stays locked until the transaction ends (gap-free)."""
        return (await self.session.execute(NEXT_VALUE, {"counter_kind": kind})).scalar_one()
