"""Loads and stores inbound and outbound documents with their lines."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from erp_engine.documents.model import DocumentKind, StockDocument


class DocumentRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(
        self, kind: DocumentKind, document_id: uuid.UUID, *, for_update: bool = False
    ) -> StockDocument | None:
        """The document with its lines; the row is locked first when `for_update`."""
        stmt = (
            select(StockDocument)
            .where(StockDocument.id == document_id, StockDocument.kind == kind)
            .options(selectinload(StockDocument.lines))
        )
        if for_update:
            stmt = stmt.with_for_update(of=StockDocument)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, document: StockDocument) -> None:
        self.session.add(document)

    async def warehouse_has_documents(self, warehouse_id: uuid.UUID) -> bool:
        stmt = select(exists().where(StockDocument.warehouse_id == warehouse_id))
        return bool(await self.session.scalar(stmt))
