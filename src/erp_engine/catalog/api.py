"""HTTP routes for engines and items."""

from __future__ import annotations

import uuid

from fastapi import Query, Response, status

from erp_engine.api.deps import (
    Admin,
    ExpectedVersion,
    Manager,
    Paging,
    ReadEngine,
    ReadSession,
    Uow,
    Viewer,
)
from erp_engine.api.responses import created, json_response, set_etag
from erp_engine.api.routing import SlashRouter
from erp_engine.catalog import queries, service
from erp_engine.catalog.model import EngineStatus
from erp_engine.catalog.schemas import (
    EngineCreate,
    EngineRead,
    EngineUpdate,
    ItemCreate,
    ItemRead,
    ItemUpdate,
)
from erp_engine.db.pagination import Page

engines = SlashRouter(prefix="/engines", tags=["engines"])
items = SlashRouter(prefix="/items", tags=["items"])


@engines.get("", response_model=Page[EngineRead], operation_id="list_engines")
async def list_engines(
    _: Viewer,
    session: ReadSession,
    paging: Paging,
    q: str | None = None,
    status: EngineStatus | None = None,
):
    return await queries.list_engines(session, paging, q=q, status=status)


@engines.post(
    "", response_model=EngineRead, status_code=status.HTTP_201_CREATED, operation_id="create_engine"
)
async def create_engine(
    body: EngineCreate, actor: Manager, uow: Uow, session: ReadSession, response: Response
):
    engine = await service.create_engine(uow, **body.model_dump(), actor=actor)
    created(response, f"/api/v1/engines/{engine.id}", engine.version)
    return await queries.get_engine(session, engine.id)


@engines.get("/{engine_id}", response_model=EngineRead, operation_id="get_engine")
async def get_engine(engine_id: uuid.UUID, _: Viewer, session: ReadSession, response: Response):
    engine = await queries.get_engine(session, engine_id)
    set_etag(response, engine.version)
    return engine


@engines.patch("/{engine_id}", response_model=EngineRead, operation_id="update_engine")
async def update_engine(
    engine_id: uuid.UUID,
    body: EngineUpdate,
    actor: Manager,
    uow: Uow,
    session: ReadSession,
    response: Response,
    expected: ExpectedVersion,
):
    engine = await service.update_engine(
        uow, engine_id, body.model_dump(exclude_unset=True), actor=actor, expected_version=expected
    )
    set_etag(response, engine.version)
    return await queries.get_engine(session, engine_id)


@engines.delete(
    "/{engine_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="delete_engine"
)
async def delete_engine(engine_id: uuid.UUID, actor: Admin, uow: Uow):
    await service.delete_engine(uow, engine_id, actor=actor)


@items.get("", response_model=Page[ItemRead], operation_id="list_items")
async def list_items(
    _: Viewer,
    engine: ReadEngine,
    paging: Paging,
    q: str | None = Query(None, description="matches sku, name or barcode"),
    engine_id: uuid.UUID | None = None,
    active: bool | None = None,
    low_stock: bool | None = None,
    barcode: str | None = None,
    sku: str | None = None,
):
    page = await queries.list_items(
        engine,
        paging,
        q=q,
        engine_id=engine_id,
        active=active,
        low_stock=low_stock,
        barcode=barcode,
        sku=sku,
    )
    return json_response(page)


@items.post(
    "", response_model=ItemRead, status_code=status.HTTP_201_CREATED, operation_id="create_item"
)
async def create_item(
    body: ItemCreate, actor: Manager, uow: Uow, session: ReadSession, response: Response
):
    item = await service.create_item(uow, **body.model_dump(), actor=actor)
    created(response, f"/api/v1/items/{item.id}", item.version)
    return await queries.get_item(session, item.id)


@items.get("/{item_id}", response_model=ItemRead, operation_id="get_item")
async def get_item(item_id: uuid.UUID, _: Viewer, session: ReadSession, response: Response):
    item = await queries.get_item(session, item_id)
    set_etag(response, item.version)
    return item


@items.patch("/{item_id}", response_model=ItemRead, operation_id="update_item")
async def update_item(
    item_id: uuid.UUID,
    body: ItemUpdate,
    actor: Manager,
    uow: Uow,
    session: ReadSession,
    response: Response,
    expected: ExpectedVersion,
):
    item = await service.update_item(
        uow, item_id, body.model_dump(exclude_unset=True), actor=actor, expected_version=expected
    )
    set_etag(response, item.version)
    return await queries.get_item(session, item_id)


@items.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="delete_item")
async def delete_item(item_id: uuid.UUID, actor: Admin, uow: Uow):
    await service.delete_item(uow, item_id, actor=actor)
