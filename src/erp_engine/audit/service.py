"""The audit trail: every accepted change, with who, what (before → after), whence.

Changes made through the ORM are collected by a `before_flush` hook on every unit of work's
session, so they are written in the same transaction as the change itself and no service
can forget them. Security events (failed logins, refused requests) are written on their own.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from erp_engine.audit.model import AuditEntry
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.context import current_actor, current_request
from erp_engine.kernel.jsonable import jsonable
from erp_engine.kernel.principal import Principal

# Tables whose rows are business records, and the entity type their audit rows name.
# Ledger moves, flows, events and tokens are records of changes themselves, not audited again.
ENTITY_TYPES = {
    "engines": "engine",
    "items": "item",
    "warehouses": "warehouse",
    "document_lines": "document_line",
    "stock_adjustments": "adjustment",
    "stock_transfers": "transfer",
    "users": "user",
    "api_keys": "api_key",
    "webhooks": "webhook",
    "alerts": "alert",
}
SECRET_COLUMNS = frozenset({"password_hash", "key_hash", "token_hash", "secret"})
MASK = "***"


def _entity_type(obj: Any) -> str | None:
    table = getattr(obj, "__tablename__", None)
    if table == "documents":
        return obj.kind
    return ENTITY_TYPES.get(table)


def _value(key: str, value: Any) -> Any:
    return MASK if key in SECRET_COLUMNS and value is not None else jsonable(value)


def _changes(obj: Any, mode: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes = {}
    for attribute in state.mapper.column_attrs:
        key = attribute.key
        if mode == "created":
            value = getattr(obj, key)
            if value is not None:
                changes[key] = [None, _value(key, value)]
        elif mode == "deleted":
            changes[key] = [_value(key, state.attrs[key].loaded_value), None]
        else:
            history = state.attrs[key].history
            if history.has_changes():
                before = history.deleted[0] if history.deleted else None
                after = history.added[0] if history.added else None
                if before != after:
                    changes[key] = [_value(key, before), _value(key, after)]
    # The audit row has its own time; the version is in the record.
    for key in ("created_at", "updated_at", "version"):
        changes.pop(key, None)
    return changes


def _entry(
    actor: Principal,
    action: str,
    entity_type: str | None,
    entity_id: uuid.UUID | None,
    changes: dict[str, Any] | None,
) -> AuditEntry:
    request = current_request.get()
    return AuditEntry(
        id=uuid.uuid4(),
        created_at=utcnow(),
        actor_id=actor.id,
        actor_type=actor.kind,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=changes,
        ip=request.ip,
        user_agent=(request.user_agent or "")[:512] or None,
        request_id=request.request_id,
    )


def collect_changes(session: Session, _flush_context, _instances) -> None:
    """`before_flush` hook: add one audit row per created, updated or deleted record."""
    actor = current_actor.get()
    for mode, objects in (
        ("created", session.new),
        ("updated", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in list(objects):
            entity_type = _entity_type(obj)
            if entity_type is None:
                continue
            if mode == "updated" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, mode)
            if mode == "updated" and not changes:
                continue
            session.add(_change_entry(actor, obj, entity_type, mode, changes))


def _change_entry(actor, obj: Any, entity_type: str, mode: str, changes: dict) -> AuditEntry:
    return _entry(actor, f"{entity_type}.{mode}", entity_type, obj.id, changes)


def add_created_entries(uow, records: list[Any]) -> None:
    """Audit rows for records written with Core statements, as the flush hook adds them
    for records the session inserts."""
    actor = current_actor.get()
    for record in records:
        if (entity_type := _entity_type(record)) is not None:
            changes = _changes(record, "created")
            uow.session.add(_change_entry(actor, record, entity_type, "created", changes))


def add_event(
    uow,
    action: str,
    *,
    actor: Principal | None = None,
    entity_type: str | None = None,
    entity_id: uuid.UUID | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit row for something that is not a record change, to the open transaction.

    Without an `actor` it is the request's caller, or `system` when nobody is authenticated
    (a failed login: the server records what it saw, the attempt is in `changes`).
    """
    entry = _entry(
        actor or current_actor.get(),
        action,
        entity_type,
        entity_id,
        jsonable(changes) if changes else None,
    )
    uow.session.add(entry)
    return entry


async def record_event(uow, action: str, **fields: Any) -> None:
    """Write one audit row in its own transaction (for events whose request fails)."""
    async with uow:
        add_event(uow, action, **fields)
        await uow.commit()


_PLAIN = frozenset({str, int, bool, float, type(None)})
_TEXT = {uuid.UUID: str, Decimal: str, datetime: datetime.isoformat}


def _fast(key: str, value: Any) -> Any:
    # `_value` for many rows: the common types skip jsonable's chain of checks.
    kind = type(value)
    if key in SECRET_COLUMNS or (kind not in _PLAIN and kind not in _TEXT):
        return _value(key, value)
    return value if kind in _PLAIN else _TEXT[kind](value)


async def add_entries_bulk(
    uow,
    entries: list[tuple[str, str, uuid.UUID, dict[str, Any] | None]],
    *,
    actor: Principal | None = None,
) -> None:
    """Insert (action, entity_type, entity_id, changes) audit rows with one statement.

    For Core bulk writes (imports), which the `before_flush` hook never sees.
    """
    if not entries:
        return
    actor = actor or current_actor.get()
    request = current_request.get()
    now = utcnow()
    user_agent = (request.user_agent or "")[:512] or None
    rows = [
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "actor_id": actor.id,
            "actor_type": actor.kind,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "changes": {key: [_fast(key, a), _fast(key, b)] for key, (a, b) in changes.items()}
            if changes
            else None,
            "ip": request.ip,
            "user_agent": user_agent,
            "request_id": request.request_id,
        }
        for action, entity_type, entity_id, changes in entries
    ]
    await uow.session.execute(insert(AuditEntry.__table__), rows)
