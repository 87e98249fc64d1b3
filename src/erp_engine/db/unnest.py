"""Many rows in one INSERT on PostgreSQL: INSERT … SELECT FROM unnest(one array per column).

One statement whatever the number of rows, so asyncpg prepares it once, and a statement-level
trigger (db/row_counts.py) fires once for all of them, where an executemany runs — and fires
it — once per row.
"""

from __future__ import annotations

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
from sqlalchemy.sql import Insert
from sqlalchemy.sql.elements import ColumnElement


def is_json(col) -> bool:
    return isinstance(col.type, JSON)


def _element_type(col):
    # Text, not VARCHAR(n): a cast to VARCHAR(n) would cut a long value where the INSERT
    # must refuse it. JSON travels as text too.
    return Text if is_json(col) or isinstance(col.type, String) else col.type


def array_key(table: Table, col) -> str:
    """The name of the array parameter that carries `col`'s values."""
    return f"{table.name}_{col.key}"


def insert_unnested(
    table: Table, columns: list, extra: dict[str, ColumnElement] | None = None
) -> Insert:
    """INSERT INTO table (columns, *extra) SELECT FROM unnest(one array per column), the
    arrays named by `array_key`, JSON columns given as text; `extra` columns take the SQL
    expression given for every row."""
    rows = (
        func.unnest(
            *(bindparam(array_key(table, c), type_=ARRAY(_element_type(c))) for c in columns)
        )
        .table_valued(*(column(c.key, _element_type(c)) for c in columns))
        .render_derived(name=f"new_{table.name}")
    )
    values = [cast(rows.c[c.key], JSON) if is_json(c) else rows.c[c.key] for c in columns]
    extra = extra or {}
    names = [c.key for c in columns] + list(extra)
    return insert(table).from_select(names, select(*values, *extra.values()))
