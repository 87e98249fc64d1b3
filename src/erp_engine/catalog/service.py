"""Use cases for engines and items."""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, update

from erp_engine.audit.service import add_entries_bulk
from erp_engine.catalog.model import Engine, EngineStatus, Item
from erp_engine.errors import ConflictError, NotFoundError, ValidationError, field_error
from erp_engine.events.service import emit_event, emit_events_bulk
from erp_engine.flows.service import record_flow, record_flows_bulk
from erp_engine.insights.service import refresh_low_stock
from erp_engine.kernel.changes import apply_changes, check_version
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.quantity import ZERO
from erp_engine.ledger import service as ledger
from erp_engine.uow import UnitOfWork, transactional


def _engine_data(engine: Engine) -> dict[str, Any]:
    return {"id": engine.id, "code": engine.code, "name": engine.name, "status": engine.status}


def _item_data(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "sku": item.sku,
        "name": item.name,
        "engine_id": item.engine_id,
        "active": item.active,
        "reorder_point": item.reorder_point,
    }


async def _get_engine(uow: UnitOfWork, engine_id: uuid.UUID, *, for_update=False) -> Engine:
    engine = await uow.engines.get(engine_id, for_update=for_update)
    if engine is None:
        raise NotFoundError("No engine with this id.")
    return engine


@transactional
async def create_engine(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    description: str | None = None,
    status: EngineStatus = EngineStatus.ACTIVE,
    actor: Principal,
) -> Engine:
    """Raises:
    ConflictError: the code is taken.
    """
    async with uow:
        code = code.upper()
        if await uow.engines.get_by_code(code):
            raise ConflictError(
                f"Engine code {code} is already taken.",
                errors=[field_error("code", "taken", "Already taken.")],
            )
        engine = Engine(
            id=uuid.uuid4(), code=code, name=name, description=description, status=status
        )
        uow.engines.add(engine)
        record_flow(
            uow,
            entity_type="engine",
            entity_id=engine.id,
            entity_number=code,
            action="created",
            to_status=status,
            actor=actor,
        )
        emit_event(
            uow,
            "engine.created",
            entity_type="engine",
            entity_id=engine.id,
            data=_engine_data(engine),
        )
        await uow.commit()
        return engine


@transactional
async def update_engine(
    uow: UnitOfWork,
    engine_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    actor: Principal,
    expected_version: int | None = None,
) -> Engine:
    """Raises:
    NotFoundError, PreconditionFailedError, ConflictError: as the names say.
    """
    async with uow:
        engine = await _get_engine(uow, engine_id, for_update=True)
        check_version(engine.version, expected_version)
        if "code" in changes:
            changes["code"] = changes["code"].upper()
            other = await uow.engines.get_by_code(changes["code"])
            if other and other.id != engine.id:
                raise ConflictError(
                    "Engine code is already taken.",
                    errors=[field_error("code", "taken", "Already taken.")],
                )
        before_status = engine.status
        diff = apply_changes(engine, changes)
        if diff:
            record_flow(
                uow,
                entity_type="engine",
                entity_id=engine.id,
                entity_number=engine.code,
                action="updated",
                from_status=before_status,
                to_status=engine.status,
                actor=actor,
            )
            emit_event(
                uow,
                "engine.updated",
                entity_type="engine",
                entity_id=engine.id,
                data={**_engine_data(engine), "changed": sorted(diff)},
            )
        await uow.commit()
        return engine


@transactional
async def delete_engine(uow: UnitOfWork, engine_id: uuid.UUID, *, actor: Principal) -> None:
    """Raises:
    NotFoundError: no such engine. ConflictError: items still belong to it.
    """
    async with uow:
        engine = await _get_engine(uow, engine_id, for_update=True)
        if await uow.engines.has_items(engine_id):
            raise ConflictError("Items still belong to this engine; move or delete them first.")
        record_flow(
            uow,
            entity_type="engine",
            entity_id=engine.id,
            entity_number=engine.code,
            action="deleted",
            from_status=engine.status,
            actor=actor,
        )
        emit_event(
            uow,
            "engine.deleted",
            entity_type="engine",
            entity_id=engine.id,
            data=_engine_data(engine),
        )
        await uow.engines.delete(engine)
        await uow.commit()


async def _check_item_references(
    uow: UnitOfWork, fields: dict[str, Any], *, item_id: uuid.UUID | None = None
) -> None:
    if fields.get("engine_id") is not None:
        engine = await uow.engines.get(fields["engine_id"])
        if engine is None:
            raise ValidationError(
                "Unknown engine.",
                errors=[field_error("engine_id", "unknown_engine", "No engine with this id.")],
            )
    if "sku" in fields:
        other = await uow.items.get_by_sku(fields["sku"])
        if other and other.id != item_id:
            raise ConflictError(
                f"SKU {fields['sku']} is already taken.",
                errors=[field_error("sku", "taken", "Already taken.")],
            )
    if fields.get("barcode"):
        other = await uow.items.get_by_barcode(fields["barcode"])
        if other and other.id != item_id:
            raise ConflictError(
                f"Barcode {fields['barcode']} is already taken.",
                errors=[field_error("barcode", "taken", "Already taken.")],
            )


@transactional
async def create_item(
    uow: UnitOfWork,
    *,
    sku: str,
    name: str,
    engine_id: uuid.UUID | None = None,
    unit: str = "EA",
    barcode: str | None = None,
    unit_cost: Decimal = ZERO,
    reorder_point: Decimal = ZERO,
    active: bool = True,
    actor: Principal,
) -> Item:
    """Raises:
    ValidationError: unknown engine. ConflictError: sku or barcode taken.
    """
    fields = {"sku": sku, "engine_id": engine_id, "barcode": barcode or None}
    async with uow:
        await _check_item_references(uow, fields)
        item = Item(
            id=uuid.uuid4(),
            sku=sku,
            sku_key=sku.lower(),
            name=name,
            engine_id=engine_id,
            unit=unit,
            barcode=barcode or None,
            unit_cost=unit_cost,
            reorder_point=reorder_point,
            active=active,
        )
        uow.items.add(item)
        record_flow(
            uow,
            entity_type="item",
            entity_id=item.id,
            entity_number=sku,
            action="created",
            actor=actor,
        )
        emit_event(
            uow, "item.created", entity_type="item", entity_id=item.id, data=_item_data(item)
        )
        # Born with no stock, an item with a reorder point is already low: its alert opens
        # now. The new row is this transaction's alone, so no lock is needed.
        await uow.session.flush()
        await refresh_low_stock(uow, [item.id])
        await uow.commit()
        return item


@transactional
async def update_item(
    uow: UnitOfWork,
    item_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    actor: Principal,
    expected_version: int | None = None,
) -> Item:
    """Raises:
    NotFoundError, PreconditionFailedError, ValidationError, ConflictError.
    """
    async with uow:
        item = await uow.items.get(item_id, for_update=True)
        if item is None:
            raise NotFoundError("No item with this id.")
        check_version(item.version, expected_version)
        if "barcode" in changes:
            changes["barcode"] = changes["barcode"] or None
        await _check_item_references(uow, changes, item_id=item.id)
        if "sku" in changes:
            changes["sku_key"] = changes["sku"].lower()
        diff = apply_changes(item, changes)
        if "reorder_point" in diff:
            await uow.session.flush()  # the alert check reads the new reorder point
            await refresh_low_stock(uow, [item.id])
        if diff:
            record_flow(
                uow,
                entity_type="item",
                entity_id=item.id,
                entity_number=item.sku,
                action="updated",
                actor=actor,
            )
            emit_event(
                uow,
                "item.updated",
                entity_type="item",
                entity_id=item.id,
                data={**_item_data(item), "changed": sorted(diff)},
            )
        await uow.commit()
        return item


@transactional
async def delete_item(uow: UnitOfWork, item_id: uuid.UUID, *, actor: Principal) -> None:
    """Raises:
    NotFoundError: no such item. ConflictError: the item has stock moves or documents.
    """
    async with uow:
        item = await uow.items.get(item_id, for_update=True)
        if item is None:
            raise NotFoundError("No item with this id.")
        if await ledger.item_has_moves(uow, item_id):
            raise ConflictError("The item has stock moves; deactivate it instead.")
        record_flow(
            uow,
            entity_type="item",
            entity_id=item.id,
            entity_number=item.sku,
            action="deleted",
            actor=actor,
        )
        emit_event(
            uow, "item.deleted", entity_type="item", entity_id=item.id, data=_item_data(item)
        )
        await uow.items.delete(item)
        await uow.commit()


@transactional
async def create_items_bulk(
    uow: UnitOfWork, rows: list[dict[str, Any]], *, actor: Principal
) -> list[uuid.UUID]:
    """Create many items in one transaction (demo data, tests), all or none.

    Checks each row like `create_item`, then writes them set-based with `insert_items`.

    Raises:
        ValidationError: unknown engine. ConflictError: a sku or barcode is taken.
    """
    defaults = {
        "engine_id": None,
        "unit": "EA",
        "barcode": None,
        "unit_cost": ZERO,
        "reorder_point": ZERO,
        "active": True,
    }
    rows = [{**defaults, **row} for row in rows]
    async with uow:
        for row in rows:
            await _check_item_references(uow, row)
        ids = await insert_items(uow, rows, actor=actor)
        await uow.commit()
        return ids


IMPORTED_FIELDS = (
    "sku",
    "name",
    "engine_id",
    "unit",
    "barcode",
    "unit_cost",
    "reorder_point",
    "active",
)
_BULK_CHUNK = 5000


async def insert_items(
    uow: UnitOfWork, rows: list[dict[str, Any]], *, actor: Principal
) -> list[uuid.UUID]:
    """Insert validated items with bulk statements, in the caller's open transaction.

    For imports: the caller has checked sku and barcode uniqueness and the engines. Each item
    gets the flow row, `item.created` event, audit row and (when born low) low-stock alert
    that `create_item` writes. Rows go
    in chunks, so the statements' parameters never pile up in memory.
    """
    now = utcnow()
    hidden = ("updated_at", "version")
    ids: list[uuid.UUID] = []
    for start in range(0, len(rows), _BULK_CHUNK):
        records = [
            {
                "id": uuid.uuid4(),
                **{name: row[name] for name in IMPORTED_FIELDS},
                "sku_key": row["sku"].lower(),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for row in rows[start : start + _BULK_CHUNK]
        ]
        await uow.items.insert_many(records)
        await record_flows_bulk(
            uow,
            [
                {
                    "entity_type": "item",
                    "entity_id": r["id"],
                    "entity_number": r["sku"],
                    "action": "created",
                }
                for r in records
            ],
            actor=actor,
        )
        await emit_events_bulk(
            uow,
            [("item.created", "item", r["id"], _item_data(SimpleNamespace(**r))) for r in records],
        )
        await add_entries_bulk(
            uow,
            [
                (
                    "item.created",
                    "item",
                    r["id"],
                    {k: (None, v) for k, v in r.items() if v is not None and k not in hidden},
                )
                for r in records
            ],
            actor=actor,
        )
        # As in create_item: items born at or below their reorder point open their alerts.
        await refresh_low_stock(uow, [r["id"] for r in records])
        ids += [r["id"] for r in records]
    return ids


async def update_items(
    uow: UnitOfWork,
    changes: list[tuple[uuid.UUID, dict[str, Any], dict[str, Any]]],
    *,
    actor: Principal,
) -> int:
    """Apply validated (item id, before, after) values with bulk statements; return how many
    items changed. In the caller's open transaction, which holds the items' row locks.

    Each changed item gets the flow row, `item.updated` event and audit row of `update_item`,
    and its low-stock alert follows a new reorder point.
    """
    changed = []
    for item_id, before, after in changes:
        diff = sorted(name for name in IMPORTED_FIELDS if before[name] != after[name])
        if diff:
            changed.append((item_id, before, after, diff))
    items = Item.__table__
    stmt = (
        update(items)
        .where(items.c.id == bindparam("b_id"))
        .values(
            {name: bindparam(f"b_{name}") for name in (*IMPORTED_FIELDS, "sku_key")}
            | {"version": items.c.version + 1, "updated_at": utcnow()}
        )
    )
    for start in range(0, len(changed), _BULK_CHUNK):
        chunk = changed[start : start + _BULK_CHUNK]
        await uow.session.execute(
            stmt,
            [
                {"b_id": item_id, "b_sku_key": after["sku"].lower()}
                | {f"b_{name}": after[name] for name in IMPORTED_FIELDS}
                for item_id, _, after, _ in chunk
            ],
        )
        await record_flows_bulk(
            uow,
            [
                {
                    "entity_type": "item",
                    "entity_id": item_id,
                    "entity_number": after["sku"],
                    "action": "updated",
                }
                for item_id, _, after, _ in chunk
            ],
            actor=actor,
        )
        await emit_events_bulk(
            uow,
            [
                (
                    "item.updated",
                    "item",
                    item_id,
                    {**_item_data(SimpleNamespace(id=item_id, **after)), "changed": diff},
                )
                for item_id, _, after, diff in chunk
            ],
        )
        await add_entries_bulk(
            uow,
            [
                ("item.updated", "item", item_id, {k: (before[k], after[k]) for k in diff})
                for item_id, before, after, diff in chunk
            ],
            actor=actor,
        )
        # Callers hold the item locks the alert check needs.
        reordered = [item_id for item_id, _, _, diff in chunk if "reorder_point" in diff]
        await refresh_low_stock(uow, reordered)
    return len(changed)
