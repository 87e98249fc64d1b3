"""Use cases for warehouses."""

from __future__ import annotations

import uuid
from typing import Any

from erp_engine.errors import ConflictError, NotFoundError, field_error
from erp_engine.events.service import emit_event
from erp_engine.flows.service import record_flow
from erp_engine.kernel.changes import apply_changes, check_version
from erp_engine.kernel.principal import Principal
from erp_engine.ledger import service as ledger
from erp_engine.uow import UnitOfWork, transactional
from erp_engine.warehouses.model import Warehouse


def _data(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "id": warehouse.id,
        "code": warehouse.code,
        "name": warehouse.name,
        "active": warehouse.active,
    }


@transactional
async def create_warehouse(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    address: str | None = None,
    active: bool = True,
    actor: Principal,
) -> Warehouse:
    """Raises:
    ConflictError: the code is taken.
    """
    async with uow:
        code = code.upper()
        if await uow.warehouses.get_by_code(code):
            raise ConflictError(
                f"Warehouse code {code} is already taken.",
                errors=[field_error("code", "taken", "Already taken.")],
            )
        warehouse = Warehouse(id=uuid.uuid4(), code=code, name=name, address=address, active=active)
        uow.warehouses.add(warehouse)
        record_flow(
            uow,
            entity_type="warehouse",
            entity_id=warehouse.id,
            entity_number=code,
            action="created",
            actor=actor,
        )
        emit_event(
            uow,
            "warehouse.created",
            entity_type="warehouse",
            entity_id=warehouse.id,
            data=_data(warehouse),
        )
        await uow.commit()
        return warehouse


@transactional
async def update_warehouse(
    uow: UnitOfWork,
    warehouse_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    actor: Principal,
    expected_version: int | None = None,
) -> Warehouse:
    """Raises:
    NotFoundError, PreconditionFailedError, ConflictError.
    """
    async with uow:
        warehouse = await uow.warehouses.get(warehouse_id, for_update=True)
        if warehouse is None:
            raise NotFoundError("No warehouse with this id.")
        check_version(warehouse.version, expected_version)
        if "code" in changes:
            changes["code"] = changes["code"].upper()
            other = await uow.warehouses.get_by_code(changes["code"])
            if other and other.id != warehouse.id:
                raise ConflictError(
                    "Warehouse code is already taken.",
                    errors=[field_error("code", "taken", "Already taken.")],
                )
        if apply_changes(warehouse, changes):
            record_flow(
                uow,
                entity_type="warehouse",
                entity_id=warehouse.id,
                entity_number=warehouse.code,
                action="updated",
                actor=actor,
            )
            emit_event(
                uow,
                "warehouse.updated",
                entity_type="warehouse",
                entity_id=warehouse.id,
                data=_data(warehouse),
            )
        await uow.commit()
        return warehouse


@transactional
async def delete_warehouse(uow: UnitOfWork, warehouse_id: uuid.UUID, *, actor: Principal) -> None:
    """Raises:
    NotFoundError: no such warehouse. ConflictError: it holds stock or documents.
    """
    async with uow:
        warehouse = await uow.warehouses.get(warehouse_id, for_update=True)
        if warehouse is None:
            raise NotFoundError("No warehouse with this id.")
        if await ledger.warehouse_has_stock(uow, warehouse_id) or (
            await uow.documents.warehouse_has_documents(warehouse_id)
        ):
            raise ConflictError("The warehouse holds stock or documents; deactivate it instead.")
        record_flow(
            uow,
            entity_type="warehouse",
            entity_id=warehouse.id,
            entity_number=warehouse.code,
            action="deleted",
            actor=actor,
        )
        emit_event(
            uow,
            "warehouse.deleted",
            entity_type="warehouse",
            entity_id=warehouse.id,
            data=_data(warehouse),
        )
        await uow.warehouses.delete(warehouse)
        await uow.commit()
