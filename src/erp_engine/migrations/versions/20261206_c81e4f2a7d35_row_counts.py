"""row counts kept by triggers, for the totals of unfiltered lists

Revision ID: c81e4f2a7d35
Revises: 3c7e5d1b9a24
Create Date: 2026-12-06 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c81e4f2a7d35"
down_revision: str | Sequence[str] | None = "3c7e5d1b9a24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# A new table and triggers: the previous release never reads them, and the triggers keep
# the counts right while it writes.
compatible_with = "3c7e5d1b9a24"

# The tables counted (erp_engine/db/row_counts.py COUNTED_TABLES, repeated: a migration
# must not change when the code does).
COUNTED = ("items",)


def upgrade() -> None:
    op.create_table(
        "row_counts",
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_row_counts")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite counts its rows (see row_counts.py).
    # Statement-level: one UPDATE per statement whatever its number of rows (an import of
    # 30,000 items adds once per chunk). The counter row's lock is taken last in any
    # transaction that writes items, after the item rows' own locks.
    op.execute(
        """
        CREATE FUNCTION row_counts_track() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            delta bigint;
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                UPDATE row_counts SET row_count = 0 WHERE table_name = TG_TABLE_NAME;
                RETURN NULL;
            ELSIF TG_OP = 'INSERT' THEN
                SELECT count(*) INTO delta FROM inserted_rows;
            ELSE
                SELECT -count(*) INTO delta FROM deleted_rows;
            END IF;
            -- An INSERT … ON CONFLICT DO NOTHING may add nothing: no need for the row lock.
            IF delta <> 0 THEN
                UPDATE row_counts SET row_count = row_count + delta
                WHERE table_name = TG_TABLE_NAME;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    for table in COUNTED:
        # Writers wait from here to the migration's commit, so no row is counted twice or
        # missed between the count and the triggers.
        op.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        counted = f"SELECT '{table}', count(*) FROM {table}"  # noqa: S608 (names from COUNTED)
        op.execute(f"INSERT INTO row_counts (table_name, row_count) {counted}")
        op.execute(
            f"""
            CREATE TRIGGER {table}_count_inserts AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS inserted_rows
            FOR EACH STATEMENT EXECUTE FUNCTION row_counts_track()
            """
        )
        op.execute(
            f"""
            CREATE TRIGGER {table}_count_deletes AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS deleted_rows
            FOR EACH STATEMENT EXECUTE FUNCTION row_counts_track()
            """
        )
        op.execute(
            f"""
            CREATE TRIGGER {table}_count_truncates AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION row_counts_track()
            """
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in COUNTED:
            for event in ("inserts", "deletes", "truncates"):
                op.execute(f"DROP TRIGGER {table}_count_{event} ON {table}")
        op.execute("DROP FUNCTION row_counts_track()")
    op.drop_table("row_counts")
