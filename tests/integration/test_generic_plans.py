"""PostgreSQL plans a statement once inside a transaction, per run outside one (db/plans.py)."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import ARRAY, Uuid, bindparam, text

from erp_engine.db.engine import create_engine, create_session_factories
from erp_engine.settings import Settings
from tests.support.postgres import migrated_database

pytestmark = pytest.mark.postgres_only

SETTING = text("SELECT current_setting('plan_cache_mode')")
# An array parameter: left to itself, PostgreSQL plans this again on every run.
BY_IDS = text("SELECT count(*) FROM items WHERE id = ANY(:ids)").bindparams(
    bindparam("ids", type_=ARRAY(Uuid))
)
PLANS = text(
    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
    " WHERE statement LIKE 'SELECT count(*) FROM items%'"
)


@pytest.fixture
def database():
    with migrated_database("erp_plans") as url:
        yield url


@asynccontextmanager
async def one_connection(url: str):
    """Write and read sessions on one pooled connection: a setting that outlived its
    transaction would show in the next session."""
    engine = create_engine(Settings(_env_file=None, database_url=url, database_pool_size=1))
    try:
        yield create_session_factories(engine)
    finally:
        await engine.dispose()


async def test_a_transaction_forces_generic_plans_and_leaves_the_connection_as_it_was(database):
    async with one_connection(database) as (write, read):
        async with write() as session, session.begin():
            assert await session.scalar(SETTING) == "force_generic_plan"
        async with read() as session, session.begin():
            assert await session.scalar(SETTING) == "auto"
        async with write() as session:
            await session.begin()
            assert await session.scalar(SETTING) == "force_generic_plan"
            await session.rollback()
        async with read() as session, session.begin():
            assert await session.scalar(SETTING) == "auto"


async def test_a_keyed_statement_is_planned_once_in_a_transaction_and_per_run_outside(database):
    ids = [uuid.uuid4() for _ in range(3)]

    async def plans_after_seven_runs(sessions) -> tuple[int, int]:
        for _ in range(7):
            async with sessions() as session, session.begin():
                assert await session.scalar(BY_IDS, {"ids": ids}) == 0
        async with read() as session, session.begin():
            return tuple((await session.execute(PLANS)).one())

    async with one_connection(database) as (write, read):
        assert await plans_after_seven_runs(write) == (7, 0)  # (generic, custom)
        _, custom = await plans_after_seven_runs(read)
    # PostgreSQL's own choice: custom plans first (at least five); forced generic ones never.
    assert custom >= 5
