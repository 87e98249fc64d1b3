"""Every change of stock goes through here: reservations, ledger postings, counts, transfers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from erp_engine.errors import ConflictError, InsufficientStockError, ValidationError, field_error
from erp_engine.events.service import emit_event
from erp_engine.flows.service import record_flow
from erp_engine.insights.service import refresh_low_stock
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.quantity import ZERO, plain
from erp_engine.ledger.model import Adjustment, AdjustmentLine, MoveReason, Transfer, TransferLine
from erp_engine.numbering.service import next_number
from erp_engine.uow import UnitOfWork, transactional

MAX_LINES = 500


@dataclass(frozen=True, slots=True)
class StockLine:
    """One line of a request against stock; `index` names it in error messages."""

    index: int
    item_id: uuid.UUID
    warehouse_id: uuid.UUID
    quantity: Decimal

    @property
    def lock_key(self) -> tuple[str, str]:
        # Every writer takes stock rows in (warehouse, item) order: no lock cycles, no deadlock.
        return (str(self.warehouse_id), str(self.item_id))


@dataclass(frozen=True, slots=True)
class DocumentRef:
    type: str
    id: uuid.UUID
    number: str


def _sorted(lines: list[StockLine]) -> list[StockLine]:
    return sorted(lines, key=lambda line: line.lock_key)


def _rows(lines: list[StockLine]) -> list[tuple[uuid.UUID, uuid.UUID, Decimal]]:
    return [(line.item_id, line.warehouse_id, line.quantity) for line in lines]


async def _shortage(uow: UnitOfWork, line: StockLine, field: str) -> dict:
    level = (await uow.ledger.get_levels([(line.item_id, line.warehouse_id)])).get(
        (line.item_id, line.warehouse_id)
    )
    available = level.on_hand - level.reserved if level else ZERO
    shown = {"available": plain(available), "requested": plain(abs(line.quantity))}
    return {
        **field_error(
            f"lines[{line.index}].{field}",
            "only_available",
            "Only {available} available, {requested} requested.".format(**shown),
            **shown,
        ),
        "item_id": str(line.item_id),
        "warehouse_id": str(line.warehouse_id),
        "requested": abs(line.quantity),
        "available": available,
    }


def _line_order(error: dict) -> tuple[int, str]:
    """Errors in line order: lines[2] before lines[10]."""
    index = error["field"].split("[", 1)[1].split("]", 1)[0] if "[" in error["field"] else "0"
    return int(index), error["field"]


async def lock_items(uow: UnitOfWork, lines: list[StockLine]) -> None:
    """Lock the lines' item rows, in id order, before any stock row.

    The full lock order of every writer is: document → counter → items → stock rows. Item
    locks serialise changes to one item across warehouses, which keeps its low-stock alert
    and its moving-average cost exact.
    """
    await uow.items.get_many([line.item_id for line in lines], for_update=True)


async def reserve_stock(uow: UnitOfWork, lines: list[StockLine]) -> None:
    """Reserve every line, all or nothing.

    Raises:
        InsufficientStockError: listing every line whose available quantity is too small.
    """
    await lock_items(uow, lines)
    now = utcnow()
    ordered = _sorted(lines)
    held = await uow.ledger.reserve_many(_rows(ordered), now)
    short = []
    for line in ordered:
        if (line.item_id, line.warehouse_id) not in held:
            short.append(await _shortage(uow, line, "quantity"))
    if short:
        raise InsufficientStockError(
            f"{len(short)} line(s) lack available stock.",
            errors=sorted(short, key=_line_order),
        )
    await refresh_low_stock(uow, [line.item_id for line in lines])


async def release_stock(uow: UnitOfWork, lines: list[StockLine]) -> None:
    """Give back what `reserve_stock` reserved."""
    await lock_items(uow, lines)
    ordered = _sorted(lines)
    released = await uow.ledger.release_many(_rows(ordered), utcnow())
    if any((line.item_id, line.warehouse_id) not in released for line in ordered):
        raise ConflictError("The reservation to release is no longer there.")
    await refresh_low_stock(uow, [line.item_id for line in lines])


async def post_moves(
    uow: UnitOfWork,
    lines: list[StockLine],
    *,
    reason: MoveReason,
    document: DocumentRef,
    actor: Principal,
    from_reserved: bool = False,
    field: str = "quantity",
) -> None:
    """Apply signed quantities to on-hand and append one ledger move per line.

    With `from_reserved`, negative quantities consume the caller's earlier reservation.

    Raises:
        InsufficientStockError: a line would take on-hand below zero or below what is reserved.
    """
    await lock_items(uow, lines)
    now = utcnow()
    ordered = _sorted(lines)
    await uow.ledger.ensure_levels(
        [(line.item_id, line.warehouse_id) for line in ordered if line.quantity > 0], now
    )
    move = {
        "reason": reason,
        "document_type": document.type,
        "document_id": document.id,
        "document_number": document.number,
        "actor_id": actor.id,
    }
    held = await uow.ledger.post_many(_rows(ordered), now, move, from_reserved=from_reserved)
    short = [
        await _shortage(uow, line, field)
        for line in ordered
        if (line.item_id, line.warehouse_id) not in held
    ]
    if short:  # the moves of the lines that held go with the transaction's rollback
        raise InsufficientStockError(
            f"{len(short)} line(s) lack available stock.",
            errors=sorted(short, key=_line_order),
        )
    if not from_reserved:
        # Shipping what was reserved lowers on-hand and reserved together, so what is
        # available, and with it every item's low-stock judgement, stays what the approval
        # that reserved it left (judged then, under the same item locks).
        await refresh_low_stock(uow, [line.item_id for line in lines])


async def _require_warehouse(uow: UnitOfWork, warehouse_id: uuid.UUID, field: str):
    warehouse = await uow.warehouses.get(warehouse_id)
    if warehouse is None or not warehouse.active:
        raise ValidationError(
            "Unknown or inactive warehouse.",
            errors=[field_error(field, "no_active_warehouse", "No active warehouse with this id.")],
        )
    return warehouse


async def require_active_items(
    uow: UnitOfWork, item_ids: list[uuid.UUID], *, field: str = "item_id"
) -> dict:
    """Items by id, checked to exist, be active and appear once each.

    Raises:
        ValidationError: naming every offending line.
    """
    if not 1 <= len(item_ids) <= MAX_LINES:
        raise ValidationError(
            f"A document has 1 to {MAX_LINES} lines.",
            errors=[
                field_error("lines", "line_count", f"Give 1 to {MAX_LINES} lines.", max=MAX_LINES)
            ],
        )
    items = await uow.items.get_many(item_ids)
    errors = []
    seen: set[uuid.UUID] = set()
    for index, item_id in enumerate(item_ids):
        item = items.get(item_id)
        if item_id in seen:
            errors.append(
                field_error(f"lines[{index}].{field}", "item_twice", "Item listed twice.")
            )
        elif item is None or not item.active:
            errors.append(
                field_error(f"lines[{index}].{field}", "no_active_item", "No active item.")
            )
        seen.add(item_id)
    if errors:
        raise ValidationError("Some lines are invalid.", errors=errors)
    return items


@transactional
async def adjust_stock(
    uow: UnitOfWork,
    *,
    warehouse_id: uuid.UUID,
    reason: str,
    lines: list[tuple[uuid.UUID, Decimal]],
    actor: Principal,
) -> Adjustment:
    """Set on-hand to the counted quantities, one ledger move per changed line.

    Raises:
        ValidationError: unknown warehouse or items.
        ConflictError: a count below what is reserved for open shipments.
    """
    async with uow:
        await _require_warehouse(uow, warehouse_id, "warehouse_id")
        await require_active_items(uow, [item_id for item_id, _ in lines])
        adjustment = await count_stock(
            uow, warehouse_id=warehouse_id, reason=reason, lines=lines, actor=actor
        )
        await uow.commit()
        return adjustment


# Rows locked or read per statement: IN lists stay far below the drivers' parameter limits.
LOCK_CHUNK = 5000


async def count_stock(
    uow: UnitOfWork,
    *,
    warehouse_id: uuid.UUID,
    reason: str,
    lines: list[tuple[uuid.UUID, Decimal]],
    actor: Principal,
    number: str | None = None,
) -> Adjustment:
    """Record a count in the caller's open transaction (`adjust_stock`, spreadsheet imports).

    The caller has checked that the warehouse and items are active and each item is listed
    once; any number of lines is accepted. Large counts lock in chunks of ascending item id,
    which keeps the items → stock rows lock order of every other writer. A caller that
    counts several warehouses takes their `number`s first (counter before items).

    Raises:
        ConflictError: a count below what is reserved for open shipments.
    """
    now = utcnow()
    adjustment = Adjustment(
        id=uuid.uuid4(),
        number=number or await next_number(uow, "adjustment"),
        warehouse_id=warehouse_id,
        reason=reason,
        created_by=actor.id,
        created_at=now,
    )
    keys = sorted(((item_id, warehouse_id) for item_id, _ in lines), key=lambda k: str(k[0]))
    current = {}
    for start in range(0, len(keys), LOCK_CHUNK):
        chunk = keys[start : start + LOCK_CHUNK]
        await uow.items.get_many([item_id for item_id, _ in chunk], for_update=True)
        await uow.ledger.ensure_levels(chunk, now)
        current.update(await uow.ledger.get_levels(chunk, for_update=True))
    errors, changes, adjustment_lines = [], [], []
    for index, (item_id, counted) in enumerate(lines):
        level = current[(item_id, warehouse_id)]
        if counted < level.reserved:
            errors.append(
                {
                    **field_error(
                        f"lines[{index}].counted_quantity",
                        "below_reserved",
                        f"{plain(level.reserved)} is reserved for approved shipments.",
                        reserved=plain(level.reserved),
                    ),
                    "item_id": str(item_id),
                    "warehouse_id": str(warehouse_id),
                    "requested": counted,
                    "available": level.reserved,
                }
            )
        difference = counted - level.on_hand
        adjustment_lines.append(
            AdjustmentLine(
                line_no=index + 1,
                item_id=item_id,
                counted_quantity=counted,
                previous_quantity=level.on_hand,
                difference=difference,
            )
        )
        if difference:
            changes.append(StockLine(index, item_id, warehouse_id, difference))
    if errors:
        raise ConflictError("A count may not go below reserved stock.", errors=errors)
    adjustment.lines = adjustment_lines
    uow.session.add(adjustment)
    ref = DocumentRef("adjustment", adjustment.id, adjustment.number)
    ordered = sorted(changes, key=lambda change: str(change.item_id))
    for start in range(0, len(ordered), LOCK_CHUNK):
        await post_moves(
            uow,
            ordered[start : start + LOCK_CHUNK],
            reason=MoveReason.ADJUSTMENT,
            document=ref,
            actor=actor,
            field="counted_quantity",
        )
    record_flow(
        uow,
        entity_type="adjustment",
        entity_id=adjustment.id,
        entity_number=adjustment.number,
        action="adjusted",
        actor=actor,
        note=reason,
    )
    emit_event(
        uow,
        "stock.adjusted",
        entity_type="adjustment",
        entity_id=adjustment.id,
        data={
            "id": adjustment.id,
            "number": adjustment.number,
            "warehouse_id": warehouse_id,
            "lines": [{"item_id": c.item_id, "quantity": c.quantity} for c in changes],
        },
    )
    return adjustment


@transactional
async def transfer_stock(
    uow: UnitOfWork,
    *,
    from_warehouse_id: uuid.UUID,
    to_warehouse_id: uuid.UUID,
    lines: list[tuple[uuid.UUID, Decimal]],
    memo: str | None,
    actor: Principal,
) -> Transfer:
    """Move available stock between warehouses: all lines or none.

    Raises:
        ValidationError: same or unknown warehouses, unknown items.
        InsufficientStockError: listing every line the source cannot cover.
    """
    if from_warehouse_id == to_warehouse_id:
        raise ValidationError(
            "Source and destination must differ.",
            errors=[field_error("to_warehouse_id", "same_warehouse", "Same as from_warehouse_id.")],
        )
    async with uow:
        await _require_warehouse(uow, from_warehouse_id, "from_warehouse_id")
        await _require_warehouse(uow, to_warehouse_id, "to_warehouse_id")
        await require_active_items(uow, [item_id for item_id, _ in lines])
        transfer = Transfer(
            id=uuid.uuid4(),
            number=await next_number(uow, "transfer"),
            from_warehouse_id=from_warehouse_id,
            to_warehouse_id=to_warehouse_id,
            memo=memo,
            created_by=actor.id,
            created_at=utcnow(),
            lines=[
                TransferLine(line_no=i + 1, item_id=item_id, quantity=q)
                for i, (item_id, q) in enumerate(lines)
            ],
        )
        uow.session.add(transfer)
        stock_lines = [
            StockLine(i, item_id, from_warehouse_id, -q) for i, (item_id, q) in enumerate(lines)
        ]
        stock_lines += [
            StockLine(i, item_id, to_warehouse_id, q) for i, (item_id, q) in enumerate(lines)
        ]
        ref = DocumentRef("transfer", transfer.id, transfer.number)
        await post_moves(uow, stock_lines, reason=MoveReason.TRANSFER, document=ref, actor=actor)
        record_flow(
            uow,
            entity_type="transfer",
            entity_id=transfer.id,
            entity_number=transfer.number,
            action="transferred",
            actor=actor,
            note=memo,
        )
        emit_event(
            uow,
            "stock.transferred",
            entity_type="transfer",
            entity_id=transfer.id,
            data={
                "id": transfer.id,
                "number": transfer.number,
                "from_warehouse_id": from_warehouse_id,
                "to_warehouse_id": to_warehouse_id,
                "lines": [{"item_id": item_id, "quantity": q} for item_id, q in lines],
            },
        )
        await uow.commit()
        return transfer


async def item_has_moves(uow: UnitOfWork, item_id: uuid.UUID) -> bool:
    return await uow.ledger.item_has_moves(item_id)


async def warehouse_has_stock(uow: UnitOfWork, warehouse_id: uuid.UUID) -> bool:
    return await uow.ledger.warehouse_has_stock_rows(warehouse_id)


async def on_hand_totals(uow: UnitOfWork, item_ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    return await uow.ledger.on_hand_totals(item_ids)
