"""The export read side: each list's own filters and sorts, streamed from the database in chunks.

Rows come through a server-side cursor (`session.stream` with `yield_per`), are shaped into
the kind's columns and handed to a streaming writer whose bytes go out chunk by chunk, so
memory stays flat at any size and the first bytes leave before the last rows are read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from erp_engine.catalog.model import Engine, Item
from erp_engine.catalog.queries import ITEM_SORTS, ON_HAND, RESERVED, filter_items
from erp_engine.db.pagination import order_by
from erp_engine.documents.model import DocumentKind, DocumentLine, StockDocument
from erp_engine.documents.queries import SORTS as DOCUMENT_SORTS
from erp_engine.documents.queries import filter_documents
from erp_engine.ledger.model import StockLevel, StockMove
from erp_engine.ledger.queries import (
    MOVE_ORDER,
    MOVE_SORTS,
    STOCK_SORTS,
    filter_moves,
    filter_stocks,
)
from erp_engine.spreadsheets.columns import EXPORT_COLUMNS, Column
from erp_engine.spreadsheets.writing import CsvWriter, XlsxStream
from erp_engine.warehouses.model import Warehouse

CHUNK_ROWS = 2000
EXPORT_KINDS = tuple(EXPORT_COLUMNS)
SHEET_TITLES = {
    "items": "Items",
    "stocks": "Stock",
    "stock-moves": "Stock moves",
    "inbounds": "Inbounds",
    "outbounds": "Outbounds",
}


@dataclass(frozen=True, slots=True)
class ExportQuery:
    kind: str
    columns: tuple[Column, ...]
    stmt: Select
    shape: Callable[[Sequence[Any]], tuple[Any, ...]] = tuple

    @property
    def title(self) -> str:
        return SHEET_TITLES[self.kind]


def _low(available, reorder_point) -> bool:
    return reorder_point > 0 and available <= reorder_point


def _item_row(row: Sequence[Any]) -> tuple[Any, ...]:
    *fields, on_hand, reserved, created_at, updated_at = row
    available = on_hand - reserved
    reorder_point = fields[6]
    return (
        *fields,
        on_hand,
        reserved,
        available,
        _low(available, reorder_point),
        created_at,
        updated_at,
    )


def items_query(*, sort: str | None = None, **filters: Any) -> ExportQuery:
    """Raises:
    ValidationError: an unknown sort field.
    """
    stmt = (
        select(
            Item.sku,
            Item.name,
            Engine.code,
            Item.unit,
            Item.barcode,
            Item.unit_cost,
            Item.reorder_point,
            Item.active,
            ON_HAND,
            RESERVED,
            Item.created_at,
            Item.updated_at,
        )
        .select_from(Item)
        .outerjoin(Engine, Engine.id == Item.engine_id)
    )
    stmt = filter_items(stmt, **filters)
    stmt = stmt.order_by(*order_by(sort, ITEM_SORTS, [Item.sku_key, Item.id]))
    return ExportQuery("items", EXPORT_COLUMNS["items"], stmt, _item_row)


def _stock_row(row: Sequence[Any]) -> tuple[Any, ...]:
    sku, name, code, on_hand, reserved, reorder_point, updated_at = row
    available = on_hand - reserved
    return (
        sku,
        name,
        code,
        on_hand,
        reserved,
        available,
        reorder_point,
        _low(available, reorder_point),
        updated_at,
    )


def stocks_query(*, sort: str | None = None, **filters: Any) -> ExportQuery:
    """Raises:
    ValidationError: an unknown sort field.
    """
    stmt = select(
        Item.sku,
        Item.name,
        Warehouse.code,
        StockLevel.on_hand,
        StockLevel.reserved,
        Item.reorder_point,
        StockLevel.updated_at,
    )
    stmt = filter_stocks(stmt, **filters)
    stmt = stmt.order_by(
        *order_by(sort, STOCK_SORTS, [Item.sku_key, Warehouse.code, StockLevel.item_id])
    )
    return ExportQuery("stocks", EXPORT_COLUMNS["stocks"], stmt, _stock_row)


def moves_query(*, sort: str | None = None, **filters: Any) -> ExportQuery:
    """Raises:
    ValidationError: an unknown sort field.
    """
    stmt = (
        select(
            StockMove.created_at,
            StockMove.document_number,
            StockMove.document_type,
            StockMove.reason,
            Item.sku,
            Item.name,
            Warehouse.code,
            StockMove.quantity,
            StockMove.balance_after,
        )
        .select_from(StockMove)
        .join(Item, Item.id == StockMove.item_id)
        .join(Warehouse, Warehouse.id == StockMove.warehouse_id)
    )
    stmt = filter_moves(stmt, **filters)
    stmt = stmt.order_by(*order_by(sort, MOVE_SORTS, MOVE_ORDER))
    return ExportQuery("stock-moves", EXPORT_COLUMNS["stock-moves"], stmt)


def documents_query(kind: DocumentKind, *, sort: str | None = None, **filters: Any) -> ExportQuery:
    """One row per document line, header fields repeated.

    Raises:
        ValidationError: an unknown sort field.
    """
    # Aliased, so the item filter's own subquery on document_lines is not correlated to it.
    line = aliased(DocumentLine)
    stmt = (
        select(
            StockDocument.number,
            StockDocument.status,
            Warehouse.code,
            StockDocument.partner,
            StockDocument.reference,
            StockDocument.expected_at,
            StockDocument.created_at,
            StockDocument.approved_at,
            StockDocument.committed_at,
            StockDocument.cancelled_at,
            StockDocument.memo,
            line.line_no,
            Item.sku,
            Item.name,
            line.quantity,
            line.unit_cost,
        )
        .select_from(StockDocument)
        .join(Warehouse, Warehouse.id == StockDocument.warehouse_id)
        .join(line, line.document_id == StockDocument.id)
        .join(Item, Item.id == line.item_id)
    )
    stmt = filter_documents(stmt, kind, **filters)
    stmt = stmt.order_by(
        *order_by(sort, DOCUMENT_SORTS, [StockDocument.number.desc()]), line.line_no
    )
    plural = f"{kind}s"
    return ExportQuery(plural, EXPORT_COLUMNS[plural], stmt)


@asynccontextmanager
async def export_session(sessions: async_sessionmaker) -> AsyncIterator[AsyncSession]:
    """A read session in a transaction of its own: a server-side cursor lives only inside
    one, and read sessions run in autocommit on PostgreSQL. REPEATABLE READ also shows the
    CLI's row count and the rows themselves the same snapshot."""
    async with sessions() as session, session.begin():
        if session.bind.dialect.name == "postgresql":
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session


async def count_rows(session: AsyncSession, query: ExportQuery) -> int:
    stmt = select(func.count()).select_from(query.stmt.order_by(None).subquery())
    return int(await session.scalar(stmt) or 0)


async def stream_rows(
    session: AsyncSession, query: ExportQuery, *, chunk: int = CHUNK_ROWS
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The query's rows in chunks, through a server-side cursor."""
    result = await session.stream(query.stmt.execution_options(yield_per=chunk))
    shape = query.shape
    async for partition in result.partitions(chunk):
        yield [shape(row) for row in partition]


async def xlsx_chunks(
    session: AsyncSession,
    query: ExportQuery,
    *,
    progress: Callable[[int], None] | None = None,
) -> AsyncIterator[bytes]:
    """The query's rows as an .xlsx workbook, its bytes chunk by chunk as the rows arrive.

    The XML and its compression run in a worker thread, so the event loop stays free.
    """
    writer = XlsxStream(query.columns, title=query.title)
    yield writer.write([])  # the zip's first bytes, before the database answers
    async for rows in stream_rows(session, query):
        if chunk := await anyio.to_thread.run_sync(writer.write, rows):
            yield chunk
        if progress:
            progress(len(rows))
    yield await anyio.to_thread.run_sync(writer.finish)


async def csv_chunks(
    session: AsyncSession,
    query: ExportQuery,
    *,
    progress: Callable[[int], None] | None = None,
) -> AsyncIterator[bytes]:
    """The query's rows as CSV bytes (BOM and header first), chunk by chunk."""
    writer = CsvWriter(query.columns)
    yield writer.header()
    async for rows in stream_rows(session, query):
        yield writer.rows(rows)
        if progress:
            progress(len(rows))
