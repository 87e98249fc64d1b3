"""Schema revisions: apply them, and compare what a database has with what the code expects."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "erp_engine:migrations")
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` (blocking; runs its own event loop)."""
    command.upgrade(alembic_config(database_url), revision)


@cache
def head_revision() -> str:
    """The revision this code expects the database to have."""
    script = ScriptDirectory.from_config(alembic_config(""))
    return script.get_current_head() or "base"


async def current_revision(connection: AsyncConnection) -> str | None:
    """The revision applied to the database, or None when it was never migrated."""

    def _read(sync_connection) -> str | None:
        return MigrationContext.configure(sync_connection).get_current_revision()

    return await connection.run_sync(_read)


def downgrade(database_url: str, revision: str) -> None:
    """Revert migrations down to `revision` (blocking)."""
    command.downgrade(alembic_config(database_url), revision)
