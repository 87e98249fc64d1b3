"""Row counts that PostgreSQL keeps exact, so a list's total need not count every row.

An unfiltered list page answers with the total number of rows; `count(*)` over 10,000 items
was three quarters of the items page's time in PostgreSQL, and grows with the catalog.
Triggers (migration c81e4f2a7d35) add each INSERT's and subtract each DELETE's rows from the
table's row here, and zero it on TRUNCATE. Read in the page's own statement, the count comes
from the same snapshot as the rows, so it is exact under concurrent writes.

SQLite has no statement-level triggers, and its batch migrations rebuild a table without its
triggers, so there the table stays empty and lists count their rows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Select, String, Table, func, select

from erp_engine.db.base import Base

row_counts = Table(
    "row_counts",
    Base.metadata,
    Column("table_name", String(63), primary_key=True),
    Column("row_count", BigInteger, nullable=False),
)

# The tables whose rows the triggers count; the migration creates their rows and triggers.
COUNTED_TABLES = ("items",)


def count_of_all(table: Table) -> Select:
    """The number of rows in `table` (PostgreSQL), kept by the triggers.

    Falls back to counting when the table's row is missing (a database restored without it):
    the fallback is a separate subquery that PostgreSQL runs only when the first is NULL.
    """
    assert table.name in COUNTED_TABLES, f"no trigger counts {table.name}"
    kept = (
        select(row_counts.c.row_count)
        .where(row_counts.c.table_name == table.name)
        .scalar_subquery()
    )
    counted = select(func.count()).select_from(table).scalar_subquery()
    return select(func.coalesce(kept, counted))
