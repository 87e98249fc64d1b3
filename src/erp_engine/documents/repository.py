"""Loads and stores inbound and outbound documents with their lines."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from erp_engine.documents.model import DocumentKind, StockDocument

# Statements on every document's path are built once, with bind parameters: building one
# per call, and computing its cache key, costs about as much as executing it.
_GET = (
    select(StockDocument)
    .where(StockDocument.id == bindparam("id"), StockDocument.kind == bindparam("kind"))
    .options(selectinload(StockDocument.lines))
)
_GET_FOR_UPDATE = _GET.with_for_update(of=StockDocument)


class DocumentRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(
        self, kind: DocumentKind, document_id: uuid.UUID, *, for_update: bool = False
    ) -> StockDocument | None:
        """The document with its lines; the row is locked first when `for_update`."""
        stmt = _GET_FOR_UPDATE if for_update else _GET
        found = await self.session.execute(stmt, {"id": document_id, "kind": kind})
        return found.scalar_one_or_none()

    def add(self, document: StockDocument) -> None:
        self.session.add(document)

    async def warehouse_has_documents(self, warehouse_id: uuid.UUID) -> bool:
        stmt = select(exists().where(StockDocument.warehouse_id == warehouse_id))
        return bool(await self.session.scalar(stmt))
