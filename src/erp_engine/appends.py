"""The rows every change appends — audit entries, flows, outbox events — in one statement.

Every accepted change writes an audit row, most a flow and an event. These rows are only
ever inserted, have no foreign keys and are never changed by the transaction that writes
them, so the ORM's bookkeeping buys nothing for them: a `before_flush` hook on the unit of
work's session takes them out of the flush and writes them first, on PostgreSQL with one
statement for the three tables (each unnesting one array per column, so the statement is
built and prepared once whatever the rows), on SQLite with one statement per table.
Measured on a document action: 4 statements and about 1 ms of CPU become 2 statements.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    String,
    Table,
    Text,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from erp_engine.audit.model import AuditEntry
from erp_engine.db.engine import json_text
from erp_engine.events.model import OutboxEvent
from erp_engine.events.repository import CURRENT_TXID
from erp_engine.flows.model import Flow

APPENDED = (AuditEntry, Flow, OutboxEvent)


def _written(table: Table) -> list:
    """The columns a row brings; the outbox's position and txid come from the database."""
    return [c for c in table.columns if c.key not in ("position", "txid")]


def _is_json(col) -> bool:
    return isinstance(col.type, JSON)


def _element_type(col):
    # Text, not VARCHAR(n): a cast to VARCHAR(n) would cut a long value where the INSERT
    # must refuse it. JSON travels as text too.
    return Text if _is_json(col) or isinstance(col.type, String) else col.type


def _insert_unnested(table: Table):
    """INSERT INTO table SELECT FROM unnest(one array per column)."""
    columns = _written(table)
    rows = (
        func.unnest(*(bindparam(_key(table, c), type_=ARRAY(_element_type(c))) for c in columns))
        .table_valued(*(column(c.key, _element_type(c)) for c in columns))
        .render_derived(name=f"new_{table.name}")
    )
    values = [cast(rows.c[c.key], JSON) if _is_json(c) else rows.c[c.key] for c in columns]
    names = [c.key for c in columns]
    if "txid" in table.c:
        values.append(CURRENT_TXID)
        names.append("txid")
    return insert(table).from_select(names, select(*values))


def _key(table: Table, col) -> str:
    return f"{table.name}_{col.key}"


_ALL_IN_ONE = (
    _insert_unnested(OutboxEvent.__table__)
    .add_cte(_insert_unnested(AuditEntry.__table__).cte("new_audit"))
    .add_cte(_insert_unnested(Flow.__table__).cte("new_flow"))
)


def _value(record: Any, col) -> Any:
    value = getattr(record, col.key)
    if value is None and col.default is not None:
        # A default the ORM would have applied at flush (an id, a time).
        value = col.default.arg(None) if col.default.is_callable else col.default.arg
    return value


def write_appends(session: Session, _flush_context, _instances) -> None:
    """`before_flush` hook: write the new audit, flow and outbox rows, then forget them."""
    by_table: dict[Table, list] = {model.__table__: [] for model in APPENDED}
    for record in list(session.new):
        if isinstance(record, APPENDED):
            by_table[type(record).__table__].append(record)
            session.expunge(record)
    if not any(by_table.values()):
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        params = {}
        for table, rows in by_table.items():
            for col in _written(table):
                values = [_value(row, col) for row in rows]
                params[_key(table, col)] = (
                    [json_text(v) for v in values] if _is_json(col) else values
                )
        connection.execute(_ALL_IN_ONE, params)
        return
    for table, rows in by_table.items():
        if rows:
            connection.execute(
                insert(table), [{c.key: _value(row, c) for c in _written(table)} for row in rows]
            )
