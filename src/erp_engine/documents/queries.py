"""Read side of documents: lists with totals, and the detail view with lines and history."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.catalog.model import Item
from erp_engine.db.pagination import Page, PageParams, order_by, paginate
from erp_engine.db.search import any_contains, contains_pattern
from erp_engine.db.types import Qty
from erp_engine.documents.model import DocumentKind, DocumentLine, StockDocument
from erp_engine.documents.repository import LOAD_DOCUMENT
from erp_engine.documents.schemas import DocumentLineRead, DocumentRead, DocumentSummary
from erp_engine.errors import NotFoundError
from erp_engine.flows.model import Flow
from erp_engine.flows.schemas import FlowRead
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.quantity import ZERO

LINE_COUNT = (
    select(func.count()).where(DocumentLine.document_id == StockDocument.id).scalar_subquery()
)
TOTAL_QUANTITY = func.coalesce(
    select(func.sum(DocumentLine.quantity))
    .where(DocumentLine.document_id == StockDocument.id)
    .scalar_subquery(),
    literal(ZERO, Qty()),
)
SORTS = {
    "number": StockDocument.number,
    "status": StockDocument.status,
    "created_at": StockDocument.created_at,
    "updated_at": StockDocument.updated_at,
    "expected_at": StockDocument.expected_at,
    "partner": StockDocument.partner,
}


def _summary(doc: StockDocument, line_count: int, total, actor: Principal) -> dict:
    return {
        **doc.__dict__,
        "line_count": line_count,
        "total_quantity": total,
        "allowed_actions": doc.allowed_actions(actor),
    }


def filter_documents(
    stmt: Select,
    kind: DocumentKind,
    *,
    status: str | None = None,
    warehouse_id: uuid.UUID | None = None,
    item_id: uuid.UUID | None = None,
    q: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> Select:
    """The document list's filters on `stmt` (shared with the spreadsheet export)."""
    stmt = stmt.where(StockDocument.kind == kind)
    if status:
        stmt = stmt.where(StockDocument.status == status)
    if warehouse_id:
        stmt = stmt.where(StockDocument.warehouse_id == warehouse_id)
    if item_id:
        stmt = stmt.where(
            StockDocument.id.in_(
                select(DocumentLine.document_id).where(DocumentLine.item_id == item_id)
            )
        )
    if q:
        stmt = stmt.where(
            any_contains(
                contains_pattern(q),
                func.lower(StockDocument.number),
                func.lower(StockDocument.partner),
                func.lower(StockDocument.reference),
            )
        )
    if from_:
        stmt = stmt.where(StockDocument.created_at >= from_)
    if to:
        stmt = stmt.where(StockDocument.created_at <= to)
    return stmt


async def list_documents(
    session: AsyncSession,
    kind: DocumentKind,
    params: PageParams,
    actor: Principal,
    *,
    status: str | None = None,
    warehouse_id: uuid.UUID | None = None,
    item_id: uuid.UUID | None = None,
    q: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> Page[DocumentSummary]:
    stmt = filter_documents(
        select(StockDocument, LINE_COUNT, TOTAL_QUANTITY),
        kind,
        status=status,
        warehouse_id=warehouse_id,
        item_id=item_id,
        q=q,
        from_=from_,
        to=to,
    )
    stmt = stmt.order_by(*order_by(params.sort, SORTS, [StockDocument.number.desc()]))
    rows, total = await paginate(session, stmt, params)
    data = [
        DocumentSummary.model_validate(_summary(doc, count, qty, actor)) for doc, count, qty in rows
    ]
    return Page(data=data, count=total, page=params.page, limit=params.limit)


def document_read(
    doc: StockDocument,
    items: dict[uuid.UUID, Item],
    flows: list[Flow] | list[FlowRead],
    actor: Principal,
) -> DocumentRead:
    """The detail view of a document from what is already loaded: no I/O."""
    lines = [
        DocumentLineRead(
            id=line.id,
            item_id=line.item_id,
            sku=items[line.item_id].sku,
            item_name=items[line.item_id].name,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
        )
        for line in doc.lines
    ]
    total = sum((line.quantity for line in doc.lines), ZERO)
    return DocumentRead.model_validate(
        {
            **_summary(doc, len(lines), total, actor),
            "lines": lines,
            "history": [FlowRead.model_validate(flow) for flow in flows],
        }
    )


async def get_document(
    session: AsyncSession, kind: DocumentKind, document_id: uuid.UUID, actor: Principal
) -> DocumentRead:
    found = await session.execute(LOAD_DOCUMENT, {"id": document_id, "kind": kind})
    doc = found.unique().scalar_one_or_none()
    if doc is None:
        raise NotFoundError(f"No {kind} with this id.")
    item_ids = {line.item_id for line in doc.lines}
    items = {
        i.id: i
        for i in (await session.execute(select(Item).where(Item.id.in_(item_ids)))).scalars()
    }
    return document_read(doc, items, doc.history, actor)
