"""HTTP routes for stock levels, the ledger, stock adjustments and transfers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from erp_engine.api.deps import Manager, Paging, ReadEngine, ReadSession, Uow, Viewer
from erp_engine.api.responses import created, json_response
from erp_engine.api.routing import SlashRouter
from erp_engine.db.pagination import Page
from erp_engine.kernel.schema import UtcDateTime
from erp_engine.ledger import queries, service
from erp_engine.ledger.model import MoveReason
from erp_engine.ledger.schemas import (
    AdjustmentCreate,
    AdjustmentRead,
    ItemStock,
    StockAsOfRow,
    StockMoveRead,
    StockRow,
    TransferCreate,
    TransferRead,
)
from erp_engine.ops import metrics

stocks = SlashRouter(prefix="/stocks", tags=["stock"])
moves = SlashRouter(prefix="/stock-moves", tags=["stock"])
adjustments = SlashRouter(prefix="/stock-adjustments", tags=["stock"])
transfers = SlashRouter(prefix="/transfers", tags=["stock"])

FromTime = Query(None, alias="from", description="created at or after (ISO 8601)")
ToTime = Query(None, alias="to", description="created at or before (ISO 8601)")


@stocks.get("", response_model=Page[StockRow], operation_id="list_stocks")
async def list_stocks(
    _: Viewer,
    engine: ReadEngine,
    paging: Paging,
    item_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
    engine_id: uuid.UUID | None = None,
    low_stock: bool | None = None,
    q: str | None = None,
):
    page = await queries.list_stocks(
        engine,
        paging,
        item_id=item_id,
        warehouse_id=warehouse_id,
        engine_id=engine_id,
        low_stock=low_stock,
        q=q,
    )
    return json_response(page)


@stocks.get("/as-of", response_model=Page[StockAsOfRow], operation_id="stock_as_of")
async def stock_as_of(
    _: Viewer,
    session: ReadSession,
    paging: Paging,
    at: Annotated[UtcDateTime, Query(description="the past instant (ISO 8601)")],
    item_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
):
    return await queries.stock_as_of(
        session, paging, at, item_id=item_id, warehouse_id=warehouse_id
    )


@stocks.get("/{item_id}", response_model=ItemStock, operation_id="get_item_stock")
async def get_item_stock(item_id: uuid.UUID, _: Viewer, session: ReadSession):
    return await queries.get_item_stock(session, item_id)


@moves.get("", response_model=Page[StockMoveRead], operation_id="list_stock_moves")
async def list_stock_moves(
    _: Viewer,
    session: ReadSession,
    paging: Paging,
    item_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
    reason: MoveReason | None = None,
    document_id: uuid.UUID | None = None,
    from_: UtcDateTime | None = FromTime,
    to: UtcDateTime | None = ToTime,
):
    return await queries.list_moves(
        session,
        paging,
        item_id=item_id,
        warehouse_id=warehouse_id,
        reason=reason,
        document_id=document_id,
        from_=from_,
        to=to,
    )


@adjustments.get("", response_model=Page[AdjustmentRead], operation_id="list_stock_adjustments")
async def list_stock_adjustments(
    _: Viewer, session: ReadSession, paging: Paging, warehouse_id: uuid.UUID | None = None
):
    return await queries.list_adjustments(session, paging, warehouse_id=warehouse_id)


@adjustments.post(
    "",
    response_model=AdjustmentRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_stock_adjustment",
)
async def create_stock_adjustment(
    body: AdjustmentCreate, actor: Manager, uow: Uow, session: ReadSession, response: Response
):
    adjustment = await service.adjust_stock(
        uow,
        warehouse_id=body.warehouse_id,
        reason=body.reason,
        lines=[(line.item_id, line.counted_quantity) for line in body.lines],
        actor=actor,
    )
    metrics.stock_moves("adjustment", sum(1 for line in adjustment.lines if line.difference))
    created(response, f"/api/v1/stock-adjustments/{adjustment.id}")
    return await queries.get_adjustment(session, adjustment.id)


@adjustments.get(
    "/{adjustment_id}", response_model=AdjustmentRead, operation_id="get_stock_adjustment"
)
async def get_stock_adjustment(adjustment_id: uuid.UUID, _: Viewer, session: ReadSession):
    return await queries.get_adjustment(session, adjustment_id)


@transfers.get("", response_model=Page[TransferRead], operation_id="list_transfers")
async def list_transfers(
    _: Viewer, session: ReadSession, paging: Paging, warehouse_id: uuid.UUID | None = None
):
    return await queries.list_transfers(session, paging, warehouse_id=warehouse_id)


@transfers.post(
    "",
    response_model=TransferRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_transfer",
)
async def create_transfer(
    body: TransferCreate, actor: Manager, uow: Uow, session: ReadSession, response: Response
):
    transfer = await service.transfer_stock(
        uow,
        from_warehouse_id=body.from_warehouse_id,
        to_warehouse_id=body.to_warehouse_id,
        lines=[(line.item_id, line.quantity) for line in body.lines],
        memo=body.memo,
        actor=actor,
    )
    metrics.stock_moves("transfer", 2 * len(transfer.lines))
    created(response, f"/api/v1/transfers/{transfer.id}")
    return await queries.get_transfer(session, transfer.id)


@transfers.get("/{transfer_id}", response_model=TransferRead, operation_id="get_transfer")
async def get_transfer(transfer_id: uuid.UUID, _: Viewer, session: ReadSession):
    return await queries.get_transfer(session, transfer_id)
