"""A `@plans_once` use case's transactions plan a statement once; others per run (db/plans.py)."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from decimal import Decimal

import pytest
from sqlalchemy import ARRAY, Uuid, bindparam, text

from erp_engine.catalog import service as catalog
from erp_engine.db.engine import create_engine, create_session_factories
from erp_engine.db.plans import plans_once
from erp_engine.documents import service as documents
from erp_engine.documents.model import DocumentKind
from erp_engine.kernel.principal import SYSTEM
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from erp_engine.warehouses import service as warehouses
from tests.support.postgres import migrated_database

pytestmark = pytest.mark.postgres_only

SETTING = text("SELECT current_setting('plan_cache_mode')")
# An array parameter: left to itself, PostgreSQL plans this again on every run.
BY_IDS = text("SELECT count(*) FROM items WHERE id = ANY(:ids)").bindparams(
    bindparam("ids", type_=ARRAY(Uuid))
)
PLANS = text(
    "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)"
    " FROM pg_prepared_statements WHERE statement LIKE :statement"
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


async def _setting(sessions) -> str:
    async with sessions() as session, session.begin():
        return await session.scalar(SETTING)


async def _plans(read, statement: str) -> tuple[int, int]:
    """(generic, custom) plans made so far on the connection for statements like `statement`."""
    async with read() as session, session.begin():
        row = (await session.execute(PLANS, {"statement": statement})).one()
    return int(row[0]), int(row[1])


@plans_once
async def _rolled_back_setting(sessions) -> str:
    async with sessions() as session:
        await session.begin()
        setting = await session.scalar(SETTING)
        await session.rollback()
        return setting


async def test_only_a_marked_use_case_forces_generic_plans_and_only_for_its_transaction(database):
    async with one_connection(database) as (write, read):
        assert await plans_once(_setting)(write) == "force_generic_plan"
        assert await _setting(write) == "auto"  # not marked
        assert await _setting(read) == "auto"  # reads run outside transactions
        assert await _rolled_back_setting(write) == "force_generic_plan"
        assert await _setting(write) == "auto"


async def test_a_keyed_statement_is_planned_once_in_a_marked_use_case_and_per_run_outside(
    database,
):
    ids = [uuid.uuid4() for _ in range(3)]

    async def run_seven_times(sessions) -> None:
        for _ in range(7):
            async with sessions() as session, session.begin():
                assert await session.scalar(BY_IDS, {"ids": ids}) == 0

    async with one_connection(database) as (write, read):
        await plans_once(run_seven_times)(write)
        assert await _plans(read, "SELECT count(*) FROM items%") == (7, 0)  # (generic, custom)
        await run_seven_times(write)
        _, custom = await _plans(read, "SELECT count(*) FROM items%")
    # PostgreSQL's own choice: custom plans first (at least five); forced generic ones never.
    assert custom >= 5


async def test_a_document_is_written_with_generic_plans(database):
    """The mark is on the document use cases: the items they look up by id never get a
    custom plan, however many documents are written."""
    item_lookups = "SELECT items.%WHERE items.id = ANY%"
    async with one_connection(database) as (write, read):
        warehouse = await warehouses.create_warehouse(
            UnitOfWork(write), code="PLANS", name="Plans", actor=SYSTEM
        )
        item = await catalog.create_item(UnitOfWork(write), sku="A-1", name="A", actor=SYSTEM)
        generic_before, custom_before = await _plans(read, item_lookups)
        for _ in range(7):
            await documents.create_document(
                UnitOfWork(write),
                DocumentKind.INBOUND,
                warehouse_id=warehouse.id,
                lines=[documents.LineInput(item_id=item.id, quantity=Decimal(1))],
                actor=SYSTEM,
            )
        generic, custom = await _plans(read, item_lookups)
    assert (generic - generic_before, custom - custom_before) == (7, 0)
