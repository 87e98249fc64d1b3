"""HTTP routes for warehouses."""

from __future__ import annotations

import uuid

from fastapi import Response, status

from erp_engine.api.deps import Admin, ExpectedVersion, Manager, Paging, ReadSession, Uow, Viewer
from erp_engine.api.responses import created, set_etag
from erp_engine.api.routing import SlashRouter
from erp_engine.db.pagination import Page
from erp_engine.warehouses import queries, service
from erp_engine.warehouses.schemas import WarehouseCreate, WarehouseRead, WarehouseUpdate

router = SlashRouter(prefix="/warehouses", tags=["warehouses"])


@router.get("", response_model=Page[WarehouseRead], operation_id="list_warehouses")
async def list_warehouses(
    _: Viewer,
    session: ReadSession,
    paging: Paging,
    q: str | None = None,
    active: bool | None = None,
):
    return await queries.list_warehouses(session, paging, q=q, active=active)


@router.post(
    "",
    response_model=WarehouseRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_warehouse",
)
async def create_warehouse(
    body: WarehouseCreate, actor: Manager, uow: Uow, session: ReadSession, response: Response
):
    warehouse = await service.create_warehouse(uow, **body.model_dump(), actor=actor)
    created(response, f"/api/v1/warehouses/{warehouse.id}", warehouse.version)
    return await queries.get_warehouse(session, warehouse.id)


@router.get("/{warehouse_id}", response_model=WarehouseRead, operation_id="get_warehouse")
async def get_warehouse(
    warehouse_id: uuid.UUID, _: Viewer, session: ReadSession, response: Response
):
    warehouse = await queries.get_warehouse(session, warehouse_id)
    set_etag(response, warehouse.version)
    return warehouse


@router.patch("/{warehouse_id}", response_model=WarehouseRead, operation_id="update_warehouse")
async def update_warehouse(
    warehouse_id: uuid.UUID,
    body: WarehouseUpdate,
    actor: Manager,
    uow: Uow,
    session: ReadSession,
    response: Response,
    expected: ExpectedVersion,
):
    warehouse = await service.update_warehouse(
        uow,
        warehouse_id,
        body.model_dump(exclude_unset=True),
        actor=actor,
        expected_version=expected,
    )
    set_etag(response, warehouse.version)
    return await queries.get_warehouse(session, warehouse_id)


@router.delete(
    "/{warehouse_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="delete_warehouse"
)
async def delete_warehouse(warehouse_id: uuid.UUID, actor: Admin, uow: Uow):
    await service.delete_warehouse(uow, warehouse_id, actor=actor)
