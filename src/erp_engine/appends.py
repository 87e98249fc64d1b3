"""The rows every change appends — audit entries, flows, outbox events — in one statement.

Every accepted change writes an audit row, most a flow and an event. These rows are only
ever inserted, have no foreign keys and are never changed by the transaction that writes
them, so the ORM's bookkeeping buys nothing for them: a `before_flush` hook on the unit of
work's session takes them out of the flush and writes them first, on PostgreSQL with one
statement for the three tables (each unnesting one array per column, so the statement is
built and prepared once whatever the rows), on SQLite with one statement per table.
Measured on a document action: 4 statements and about 1 ms of CPU become 2 statements.

A table may ask for more (`UPDATED_WITH_APPENDS` in its info): its one changed row of the
flush, versioned, is updated by the same statement on PostgreSQL — a document's action
changes the document and appends its audit row, flow and event, in one round trip instead
of two, without the ORM's flush of the UPDATE.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Table,
    bindparam,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from erp_engine.audit.model import AuditEntry
from erp_engine.db.base import UPDATED_WITH_APPENDS
from erp_engine.db.engine import json_text
from erp_engine.db.unnest import array_key, insert_unnested, is_json
from erp_engine.events.model import OutboxEvent
from erp_engine.events.repository import CURRENT_TXID
from erp_engine.flows.model import Flow

APPENDED = (AuditEntry, Flow, OutboxEvent)


def _written(table: Table) -> list:
    """The columns a row brings; the outbox's position and txid come from the database."""
    return [c for c in table.columns if c.key not in ("position", "txid")]


def _insert_unnested(table: Table):
    """INSERT INTO table SELECT FROM unnest(one array per column); the outbox's txid is the
    writing transaction's."""
    extra = {"txid": CURRENT_TXID} if "txid" in table.c else None
    return insert_unnested(table, _written(table), extra)


_ALL_IN_ONE = (
    _insert_unnested(OutboxEvent.__table__)
    .add_cte(_insert_unnested(AuditEntry.__table__).cte("new_audit"))
    .add_cte(_insert_unnested(Flow.__table__).cte("new_flow"))
)


def _default(default) -> Any:
    return default.arg(None) if default.is_callable else default.arg


def _value(record: Any, col) -> Any:
    value = getattr(record, col.key)
    if value is None and col.default is not None:
        value = _default(col.default)  # as the ORM would have applied it at flush (an id, a time)
    return value


@functools.cache
def _with_update(table: Table, columns: tuple[str, ...], version: str):
    """The appends and the UPDATE of one row of `table` (its `columns` and its `version`,
    checked against the version it had): the statement answers how many rows it updated."""
    changed = (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c[version] == bindparam("row_version"))
        .values(
            {
                **{name: bindparam(f"row_{name}", type_=table.c[name].type) for name in columns},
                version: bindparam("row_new_version"),
            }
        )
        .returning(table.c.id)
        .cte(f"changed_{table.name}")
    )
    return (
        select(func.count())
        .select_from(changed)
        .add_cte(_insert_unnested(AuditEntry.__table__).cte("new_audit"))
        .add_cte(_insert_unnested(Flow.__table__).cte("new_flow"))
        .add_cte(_insert_unnested(OutboxEvent.__table__).cte("new_outbox"))
    )


def _row_to_update(session: Session) -> tuple[Any, dict[str, Any]] | None:
    """The one changed record of a table that asks for it, with its changed columns (and
    the columns the ORM would set on update); None when there is not exactly one."""
    records = [r for r in session.dirty if r.__table__.info.get(UPDATED_WITH_APPENDS)]
    if len(records) != 1:
        return None
    state = inspect(records[0])
    values = {}
    for attribute in state.mapper.column_attrs:
        history = state.attrs[attribute.key].history
        if history.added and history.added != history.deleted:
            values[attribute.key] = history.added[0]
    if not values:
        return None
    for col in state.mapper.local_table.columns:
        if col.onupdate is not None and col.key not in values:
            values[col.key] = _default(col.onupdate)
    return records[0], values


def _update_with_appends(connection, record, values: dict[str, Any], params: dict) -> None:
    """Write the appends and `record`'s change, then tell the ORM it is written.

    Raises:
        StaleDataError: the row's version was not the one loaded (as the ORM's flush would).
    """
    mapper = inspect(record).mapper
    version = mapper.version_id_col.key
    loaded = getattr(record, version)
    new_version = mapper.version_id_generator(loaded)
    statement = _with_update(mapper.local_table, tuple(sorted(values)), version)
    params.update({f"row_{name}": value for name, value in values.items()})
    params.update(row_id=record.id, row_version=loaded, row_new_version=new_version)
    if connection.execute(statement, params).scalar_one() != 1:
        raise StaleDataError(f"{mapper.local_table} {record.id} was not at version {loaded}")
    for name, value in {**values, version: new_version}.items():
        set_committed_value(record, name, value)


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
                params[array_key(table, col)] = (
                    [json_text(v) for v in values] if is_json(col) else values
                )
        if (changed := _row_to_update(session)) is not None:
            _update_with_appends(connection, *changed, params)
            return
        connection.execute(_ALL_IN_ONE, params)
        return
    for table, rows in by_table.items():
        if rows:
            connection.execute(
                insert(table), [{c.key: _value(row, c) for c in _written(table)} for row in rows]
            )
