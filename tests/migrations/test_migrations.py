"""Migrations build the whole schema on an empty database, and match the models exactly."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from erp_engine.db import migrate
from erp_engine.db.engine import create_engine
from erp_engine.db.models import Base
from erp_engine.settings import Settings
from tests.support.postgres import create_database, drop_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path: Path):
    """The URL of a database nothing has touched yet."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"erp_mig_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


def _run_on(url: str, work):
    async def run():
        engine = create_engine(Settings(_env_file=None, database_url=url))
        try:
            async with engine.connect() as connection:
                return await work(connection)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _fetch(url: str, sql: str) -> list[tuple]:
    async def query(connection):
        return [tuple(row) for row in (await connection.execute(text(sql))).all()]

    return _run_on(url, query)


def _drift(url: str) -> list:
    def compare(sync_connection):
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async def run(connection):
        return await connection.run_sync(compare)

    return _run_on(url, run)


def test_upgrade_head_on_an_empty_database_seeds_main_and_counters(empty_database):
    migrate.upgrade(empty_database)
    assert _fetch(empty_database, "SELECT code FROM warehouses") == [("MAIN",)]
    counters = dict(_fetch(empty_database, "SELECT kind, last_value FROM document_counters"))
    assert counters == {"inbound": 0, "outbound": 0, "adjustment": 0, "transfer": 0}


def test_models_and_migrations_do_not_drift(empty_database):
    migrate.upgrade(empty_database)
    assert _drift(empty_database) == []


def test_downgrade_to_base_and_upgrade_again(empty_database):
    migrate.upgrade(empty_database)
    migrate.downgrade(empty_database, "base")
    assert _fetch(empty_database, "SELECT count(*) FROM alembic_version") == [(0,)]
    migrate.upgrade(empty_database)
    assert _fetch(empty_database, "SELECT version_num FROM alembic_version") == [
        (migrate.head_revision(),)
    ]
