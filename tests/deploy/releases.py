"""A release whose code carries one more migration than this checkout: the next release.

Copies src/erp_engine into RELEASE/src and adds an expand migration on top of the current
head. A process started with PYTHONPATH=RELEASE/src runs that code instead of the checkout
(PYTHONPATH comes before the editable install's path), so the tests can migrate a database
past what the checkout knows and see whether the checkout's code still serves it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from erp_engine.db.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]
NEXT_REVISION = "d3p10yexpand"

MIGRATION = '''"""deploy test: an expand migration (a nullable column)

Revision ID: {revision}
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None
{declaration}

def upgrade() -> None:
    op.add_column("items", sa.Column("deploy_test_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("deploy_test_note")
'''


def next_release_code(release: Path, *, compatible: bool = True) -> Path:
    """Write RELEASE/src with the next release's code; return the PYTHONPATH entry.

    compatible: the migration declares that the current head's code still works with it
    (an expand migration); otherwise it declares nothing, which means "only my own code".
    """
    source = release / "src"
    shutil.copytree(
        ROOT / "src" / "erp_engine",
        source / "erp_engine",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    head = head_revision()
    declaration = f'compatible_with = "{head}"\n' if compatible else ""
    migration = MIGRATION.format(revision=NEXT_REVISION, down=head, declaration=declaration)
    versions = source / "erp_engine" / "migrations" / "versions"
    (versions / f"20990101_{NEXT_REVISION}_deploy_test_expand.py").write_text(migration)
    return source
