"""indexes for stock as-of, the dashboard and document status tabs

Revision ID: 9d3f1a6c2b70
Revises: 5b0c8e2f7a41
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d3f1a6c2b70"
down_revision: str | Sequence[str] | None = "5b0c8e2f7a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Only indexes: the previous release runs on this schema unchanged.
compatible_with = "5b0c8e2f7a41"


def upgrade() -> None:
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stock_moves_first",
            ["created_at"],
            unique=False,
            postgresql_where=sa.text("seq = 1"),
            sqlite_where=sa.text("seq = 1"),
        )
        batch_op.create_index(
            "ix_stock_moves_reason_created",
            ["reason", "created_at"],
            unique=False,
            postgresql_include=["quantity", "item_id"],
        )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_status_kind", ["status", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_status_kind")
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_moves_reason_created")
        batch_op.drop_index("ix_stock_moves_first")
