"""The documented backup (pg_dump) restores into a working database with the same ledger."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import text

from erp_engine.db.engine import create_engine, create_session_factories
from erp_engine.db.migrate import upgrade
from erp_engine.demo import load_demo
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from tests.support.postgres import create_database, drop_database
from tests.support.server import erp

pytestmark = pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
LEDGER = """SELECT (SELECT count(*) FROM stock_moves), (SELECT count(*) FROM documents),
                  (SELECT coalesce(sum(on_hand), 0) FROM stock_levels),
                  (SELECT count(*) FROM stock_levels l WHERE l.on_hand <>
                     (SELECT coalesce(sum(m.quantity), 0) FROM stock_moves m
                      WHERE m.item_id = l.item_id AND m.warehouse_id = l.warehouse_id))"""


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _ledger(url: str) -> tuple:
    engine = create_engine(Settings(_env_file=None, database_url=url))
    try:
        async with engine.connect() as connection:
            return tuple((await connection.execute(text(LEDGER))).one())
    finally:
        await engine.dispose()


async def _load(url: str) -> None:
    engine = create_engine(Settings(_env_file=None, database_url=url))
    write, _ = create_session_factories(engine)
    try:
        await load_demo(lambda: UnitOfWork(write))
    finally:
        await engine.dispose()


def test_pg_dump_and_restore_keep_the_ledger(tmp_path):
    source, target = f"erp_bak_{uuid.uuid4().hex[:8]}", f"erp_res_{uuid.uuid4().hex[:8]}"
    source_url = create_database(source)
    try:
        upgrade(source_url)
        asyncio.run(_load(source_url))
        dump = tmp_path / "erp.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(source_url)],
            check=True,
        )
        target_url = create_database(target)
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={_libpq(target_url)}",
                str(dump),
            ],
            check=True,
        )
        before, after = asyncio.run(_ledger(source_url)), asyncio.run(_ledger(target_url))
        assert after == before
        assert after[0] > 0
        assert after[3] == 0  # every stock row still equals the sum of its moves
        erp("migrate", "--check", env={"DATABASE_URL": target_url})
    finally:
        drop_database(source)
        drop_database(target)
