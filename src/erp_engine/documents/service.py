"""Use cases for inbound and outbound documents: draft → approved → committed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from erp_engine.audit.service import add_created_entries
from erp_engine.catalog.model import Item
from erp_engine.db.plans import plans_once
from erp_engine.documents.model import (
    CREATE_ROLE,
    FLOW_ACTION,
    NOT_YET,
    DocumentKind,
    DocumentLine,
    DocumentStatus,
    StockDocument,
)
from erp_engine.errors import ForbiddenError, NotFoundError, ValidationError, field_error
from erp_engine.events.service import emit_event
from erp_engine.flows.model import Flow
from erp_engine.flows.service import new_flow, record_flow
from erp_engine.kernel.changes import apply_changes, check_version
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.quantity import moving_average_cost
from erp_engine.ledger import service as ledger
from erp_engine.ledger.model import MoveReason
from erp_engine.uow import UnitOfWork, transactional

HEADER_FIELDS = ("warehouse_id", "partner", "reference", "memo", "expected_at")


@dataclass(frozen=True, slots=True)
class DocumentView:
    """A document as its transaction left it, with what its detail view shows: the lines'
    items and the flow history. Taken inside the transaction, so answering a change needs
    no second read."""

    document: StockDocument
    items: dict[uuid.UUID, Item]
    history: list[Flow]


async def _view(uow: UnitOfWork, doc: StockDocument, history: list[Flow]) -> DocumentView:
    """The answer to a change, with `history` as the change leaves it: a new document's one
    "created" flow, or the flows loaded with the document (locked, so no other action can
    add one) and the one just recorded. Never read again after writing."""
    await uow.session.flush()
    items = await uow.items.get_known([line.item_id for line in doc.lines])
    return DocumentView(doc, items, history)


@dataclass(frozen=True, slots=True)
class LineInput:
    item_id: uuid.UUID
    quantity: Decimal
    unit_cost: Decimal | None = None


def _event_data(doc: StockDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "number": doc.number,
        "status": doc.status,
        "warehouse_id": doc.warehouse_id,
        "partner": doc.partner,
        "reference": doc.reference,
        "lines": [{"item_id": ln.item_id, "quantity": ln.quantity} for ln in doc.lines],
    }


def _stock_lines(doc: StockDocument, sign: int = 1) -> list[ledger.StockLine]:
    return [
        ledger.StockLine(index, line.item_id, doc.warehouse_id, sign * line.quantity)
        for index, line in enumerate(doc.lines)
    ]


async def _validated_lines(uow: UnitOfWork, lines: list[LineInput]) -> list[DocumentLine]:
    await ledger.require_active_items(uow, [line.item_id for line in lines])
    return [
        DocumentLine(
            line_no=n + 1, item_id=line.item_id, quantity=line.quantity, unit_cost=line.unit_cost
        )
        for n, line in enumerate(lines)
    ]


async def _check_warehouse(uow: UnitOfWork, warehouse_id: uuid.UUID) -> None:
    warehouse = await uow.warehouses.get(warehouse_id)
    if warehouse is None or not warehouse.active:
        raise ValidationError(
            "Unknown or inactive warehouse.",
            errors=[
                field_error(
                    "warehouse_id", "no_active_warehouse", "No active warehouse with this id."
                )
            ],
        )


async def _load(uow: UnitOfWork, kind: DocumentKind, document_id: uuid.UUID) -> StockDocument:
    doc = await uow.documents.get(kind, document_id, for_update=True)
    if doc is None:
        raise NotFoundError(f"No {kind} with this id.")
    return doc


async def _new_document(
    uow: UnitOfWork,
    kind: DocumentKind,
    *,
    warehouse_id: uuid.UUID,
    lines: list[DocumentLine],
    actor: Principal,
    **header: Any,
) -> tuple[StockDocument, Flow]:
    """A new draft with the next number, and its "created" flow.

    Written with Core statements (`insert_numbered`), not through the session, so the
    number is taken as late as it can be; so the audit rows are added here, not by the
    flush hook.
    """
    now = utcnow()
    doc_id = uuid.uuid4()
    for line in lines:
        line.id, line.document_id = uuid.uuid4(), doc_id
    doc = StockDocument(
        id=doc_id,
        kind=kind,
        status=DocumentStatus.DRAFT,
        warehouse_id=warehouse_id,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
        version=1,
        lines=lines,
        **{**dict.fromkeys(NOT_YET), **header},
    )
    created = new_flow(
        entity_type=kind,
        entity_id=doc.id,
        action="created",
        to_status=doc.status,
        actor=actor,
        note=header.get("memo"),
    )
    await uow.documents.insert_numbered(doc, created)
    add_created_entries(uow, [doc, *lines])
    emit_event(uow, f"{kind}.created", entity_type=kind, entity_id=doc.id, data=_event_data(doc))
    return doc, created


@transactional
@plans_once
async def create_document(
    uow: UnitOfWork,
    kind: DocumentKind,
    *,
    warehouse_id: uuid.UUID,
    lines: list[LineInput],
    actor: Principal,
    partner: str | None = None,
    reference: str | None = None,
    memo: str | None = None,
    expected_at: datetime | None = None,
) -> DocumentView:
    """Create a draft with a fresh gap-free number.

    Raises:
        ForbiddenError: viewers may not create documents.
        ValidationError: unknown or inactive warehouse or items, duplicate items.
    """
    if not actor.has(CREATE_ROLE):
        raise ForbiddenError("Your role may not create documents.")
    async with uow:
        await _check_warehouse(uow, warehouse_id)
        doc, created = await _new_document(
            uow,
            kind,
            warehouse_id=warehouse_id,
            lines=await _validated_lines(uow, lines),
            actor=actor,
            partner=partner,
            reference=reference,
            memo=memo,
            expected_at=expected_at,
        )
        view = await _view(uow, doc, [created])
        await uow.commit()
        return view


@transactional
@plans_once
async def update_document(
    uow: UnitOfWork,
    kind: DocumentKind,
    document_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    actor: Principal,
    expected_version: int | None = None,
) -> DocumentView:
    """Replace header fields and/or all lines of a draft.

    Raises:
        NotFoundError, PreconditionFailedError, ForbiddenError, InvalidTransitionError,
        ValidationError.
    """
    async with uow:
        doc = await _load(uow, kind, document_id)
        check_version(doc.version, expected_version)
        doc.check(actor, "update")
        header = {k: v for k, v in changes.items() if k in HEADER_FIELDS}
        if "warehouse_id" in header:
            await _check_warehouse(uow, header["warehouse_id"])
        apply_changes(doc, header)
        if changes.get("lines") is not None:
            new_lines = await _validated_lines(uow, changes["lines"])
            doc.lines.clear()
            # Old lines must be gone before new ones with the same items are inserted.
            await uow.session.flush()
            doc.lines.extend(new_lines)
        doc.updated_at = utcnow()  # also bumps `version` when only the lines changed
        updated = record_flow(
            uow,
            entity_type=kind,
            entity_id=doc.id,
            entity_number=doc.number,
            action="updated",
            from_status=doc.status,
            to_status=doc.status,
            actor=actor,
        )
        emit_event(
            uow, f"{kind}.updated", entity_type=kind, entity_id=doc.id, data=_event_data(doc)
        )
        view = await _view(uow, doc, [*doc.history, updated])
        await uow.commit()
        return view


async def _apply_stock_effect(
    uow: UnitOfWork, doc: StockDocument, action: str, actor: Principal
) -> None:
    """What each transition does to stock; the transition table says whether it may happen."""
    outbound = doc.document_kind is DocumentKind.OUTBOUND
    if outbound and action == "approve":
        await ledger.reserve_stock(uow, _stock_lines(doc))
    elif outbound and (
        action == "reopen" or (action == "cancel" and doc.state is DocumentStatus.APPROVED)
    ):
        await ledger.release_stock(uow, _stock_lines(doc))
    elif action == "commit":
        ref = ledger.DocumentRef(doc.kind, doc.id, doc.number)
        if outbound:
            await ledger.post_moves(
                uow,
                _stock_lines(doc, -1),
                reason=MoveReason.OUTBOUND,
                document=ref,
                actor=actor,
                from_reserved=True,
            )
        else:
            await _receive(uow, doc, ref, actor)


async def _receive(uow: UnitOfWork, doc: StockDocument, ref, actor: Principal) -> None:
    # Items are locked before stock rows so two receipts of one item update its average
    # cost one after the other; nothing else locks items after stock rows.
    items = await uow.items.get_many([line.item_id for line in doc.lines], for_update=True)
    before = await ledger.on_hand_totals(uow, list(items))
    await ledger.post_moves(
        uow, _stock_lines(doc), reason=MoveReason.INBOUND, document=ref, actor=actor
    )
    for line in doc.lines:
        if line.unit_cost is not None:
            item = items[line.item_id]
            item.unit_cost = moving_average_cost(
                before.get(line.item_id, Decimal(0)),
                item.unit_cost,
                line.quantity,
                line.unit_cost,
            )


@transactional
@plans_once
async def transition_document(
    uow: UnitOfWork,
    kind: DocumentKind,
    document_id: uuid.UUID,
    action: str,
    *,
    actor: Principal,
    expected_version: int | None = None,
    reason: str | None = None,
) -> DocumentView:
    """Approve, reopen, commit or cancel, with the stock effect, flow and event, at once.

    Raises:
        NotFoundError, PreconditionFailedError, ForbiddenError, InvalidTransitionError,
        InsufficientStockError.
    """
    async with uow:
        doc = await _load(uow, kind, document_id)
        check_version(doc.version, expected_version)
        target = doc.check(actor, action)
        source = doc.state
        await _apply_stock_effect(uow, doc, action, actor)
        now = utcnow()
        if action == "approve":
            doc.approved_by, doc.approved_at = actor.id, now
        elif action == "reopen":
            doc.approved_by, doc.approved_at = None, None
        elif action == "commit":
            doc.committed_by, doc.committed_at = actor.id, now
        elif action == "cancel":
            doc.cancelled_by, doc.cancelled_at, doc.cancel_reason = actor.id, now, reason
            if doc.reverses_id is not None:
                original = await uow.documents.get(kind.opposite, doc.reverses_id, for_update=True)
                if original is not None:
                    original.reversed_by_id = None  # the original may be reversed again
        doc.status = target
        doc.updated_at = now
        flow = record_flow(
            uow,
            entity_type=kind,
            entity_id=doc.id,
            entity_number=doc.number,
            action=FLOW_ACTION[action],
            from_status=source,
            to_status=target,
            actor=actor,
            note=reason,
        )
        emit_event(
            uow,
            f"{kind}.{FLOW_ACTION[action]}",
            entity_type=kind,
            entity_id=doc.id,
            data={**_event_data(doc), "action": action},
        )
        view = await _view(uow, doc, [*doc.history, flow])
        await uow.commit()
        return view


@transactional
@plans_once
async def reverse_document(
    uow: UnitOfWork,
    kind: DocumentKind,
    document_id: uuid.UUID,
    *,
    actor: Principal,
    reason: str,
    expected_version: int | None = None,
) -> DocumentView:
    """Create a draft of the opposite direction that, once committed, undoes `document_id`.

    Raises:
        NotFoundError, PreconditionFailedError, ForbiddenError, InvalidTransitionError.
    """
    async with uow:
        original = await _load(uow, kind, document_id)
        check_version(original.version, expected_version)
        original.check(actor, "reverse")
        lines = [
            DocumentLine(
                line_no=ln.line_no, item_id=ln.item_id, quantity=ln.quantity, unit_cost=ln.unit_cost
            )
            for ln in original.lines
        ]
        reversal, created = await _new_document(
            uow,
            kind.opposite,
            warehouse_id=original.warehouse_id,
            lines=lines,
            actor=actor,
            partner=original.partner,
            reference=original.number,
            memo=reason,
            reverses_id=original.id,
        )
        await uow.session.flush()
        original.reversed_by_id = reversal.id
        original.updated_at = utcnow()
        record_flow(
            uow,
            entity_type=kind,
            entity_id=original.id,
            entity_number=original.number,
            action="updated",
            from_status=original.status,
            to_status=original.status,
            actor=actor,
            note=f"Reversed by {reversal.number}: {reason}",
        )
        view = await _view(uow, reversal, [created])
        await uow.commit()
        return view
