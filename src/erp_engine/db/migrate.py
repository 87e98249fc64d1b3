"""Schema revisions: apply them, and compare what a database has with what the code expects.

Compatibility across releases (blue-green): migrations run while the previous release still
serves, and a rollback sends traffic back to it, so "the schema this code expects" is not
only its own head. A migration module may declare the oldest code revision it stays
compatible with:

    compatible_with = "73266974d8f7"   # an expand migration: code at 73266974d8f7 still works

Without the declaration a migration is compatible only with its own code (the safe default:
a contract migration, or one nobody thought about). `upgrade` records, in the same
transaction as the migrations, the oldest code revision the resulting schema serves (the
newest declaration along the history, see `compatibility_floor`) in two extra columns of
`alembic_version`. Older code cannot read newer migration files, so that record is how it
learns whether a schema it has never heard of still suits it (see EngineInfo.schema_ok).
"""

from __future__ import annotations

import asyncio
from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

VERSION_TABLE = "alembic_version"
# `compatible_with` is the oldest code revision the schema serves; `compatible_as_of` is
# the revision that record was written for, so a record left behind by a plain `alembic`
# run (which moves version_num only) is never trusted.
COMPAT_COLUMNS = ("compatible_with", "compatible_as_of")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "erp_engine:migrations")
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` (blocking; runs its own event loop)."""
    _run(database_url, lambda config: command.upgrade(config, revision))


def _run(database_url: str, migrate) -> None:
    """Run `migrate(config)` and record the schema's compatibility in one transaction, so
    a colour probing the database never sees the new revision without its record."""
    from erp_engine.db.engine import create_engine
    from erp_engine.settings import Settings

    config = alembic_config(database_url)

    def work(connection: Connection) -> None:
        config.attributes["connection"] = connection  # env.py migrates on it, inside ours
        migrate(config)
        # The scripts as alembic just read them (not this process's cached view).
        _record_compatibility(connection, ScriptDirectory.from_config(config))

    async def run() -> None:
        engine = create_engine(Settings(database_url=database_url))
        try:
            # Adding the columns locks alembic_version: do it in a short transaction of its
            # own, not for as long as the migrations take (running colours read it).
            async with engine.begin() as connection:
                await connection.run_sync(_add_compat_columns)
            async with engine.begin() as connection:
                await connection.run_sync(work)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _add_compat_columns(connection: Connection) -> None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return  # an empty database: alembic creates the table, then _record_compatibility
    present = {column["name"] for column in inspect(connection).get_columns(VERSION_TABLE)}
    for name in COMPAT_COLUMNS:
        if name not in present:
            connection.execute(text(f"ALTER TABLE {VERSION_TABLE} ADD COLUMN {name} VARCHAR(32)"))


def _record_compatibility(connection: Connection, script: ScriptDirectory) -> None:
    _add_compat_columns(connection)
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is not None:
        connection.execute(
            text("UPDATE alembic_version SET compatible_with = :floor, compatible_as_of = :rev"),
            {"floor": floor_of(script, revision), "rev": revision},
        )


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(""))


def _chain(script: ScriptDirectory) -> tuple[str, ...]:
    return tuple(reversed([revision.revision for revision in script.walk_revisions()]))


@cache
def code_revisions() -> tuple[str, ...]:
    """This code's revisions, oldest first (the history is linear: one head)."""
    return _chain(_script())


def compatibility_floor(revision: str) -> str:
    """The oldest code revision that can serve a database at `revision` (see floor_of)."""
    return floor_of(_script(), revision)


def floor_of(script: ScriptDirectory, revision: str) -> str:
    """The oldest code revision that can serve a database at `revision`: the newest
    `compatible_with` declared by `revision` or any migration before it (each defaults to
    its own revision, so one strict migration makes every older code incompatible)."""
    chain = _chain(script)
    order = {rev: index for index, rev in enumerate(chain)}
    floor = chain[0]
    for rev in chain[: order[revision] + 1]:
        module = script.get_revision(rev).module
        declared = getattr(module, "compatible_with", rev)
        if declared not in order or order[declared] > order[rev]:
            raise ValueError(f"migration {rev}: compatible_with {declared!r} is not before it")
        if order[declared] > order[floor]:
            floor = declared
    return floor


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


async def recorded_compatibility(connection: AsyncConnection, revision: str) -> str | None:
    """The oldest code revision the database at `revision` says it serves, or None when
    it has no record for that revision (older tooling, or a plain `alembic` run)."""
    rows = (await connection.execute(text("SELECT * FROM alembic_version"))).mappings().all()
    if len(rows) != 1 or rows[0].get("compatible_as_of") != revision:
        return None
    return rows[0].get("compatible_with")


def downgrade(database_url: str, revision: str) -> None:
    """Revert migrations down to `revision` (blocking)."""
    _run(database_url, lambda config: command.downgrade(config, revision))
