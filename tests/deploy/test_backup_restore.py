"""The documented backup (pg_dump) restores into a working database with the same ledger,
owned by the application's own (non-superuser) role, which can read and write it."""

from __future__ import annotations

import asyncio
import subprocess
import uuid

import asyncpg
from sqlalchemy import text

from erp_engine.db.engine import create_engine, create_session_factories
from erp_engine.db.migrate import upgrade
from erp_engine.demo import load_demo
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from tests.support.postgres import ADMIN_DSN, create_database, drop_database
from tests.support.server import erp

# No skip when pg_dump is missing: the PostgreSQL the tests need ships it.
LEDGER = """SELECT (SELECT count(*) FROM stock_moves), (SELECT count(*) FROM documents),
                  (SELECT coalesce(sum(on_hand), 0) FROM stock_levels),
                  (SELECT count(*) FROM stock_levels l WHERE l.on_hand <>
                     (SELECT coalesce(sum(m.quantity), 0) FROM stock_moves m
                      WHERE m.item_id = l.item_id AND m.warehouse_id = l.warehouse_id))"""
# Tables, sequences and views of the restored schema that the app role does not own.
NOT_OWNED = """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v', 'm', 'p')
                 AND pg_get_userbyid(c.relowner) <> current_user"""


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _as_role(url: str, role: str, password: str) -> str:
    """`url` (the superuser's) with the app role's credentials instead."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{role}:{password}@{rest.split('@', 1)[1]}"


async def _admin(*statements: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(Settings(_env_file=None, database_url=url))
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def _load(url: str) -> None:
    engine = create_engine(Settings(_env_file=None, database_url=url))
    write, _ = create_session_factories(engine)
    try:
        await load_demo(lambda: UnitOfWork(write))
    finally:
        await engine.dispose()


def test_pg_dump_and_restore_keep_the_ledger_and_the_app_roles_ownership(tmp_path):
    suffix = uuid.uuid4().hex[:8]
    role, password = f"erp_app_{suffix}", uuid.uuid4().hex
    source, target = f"erp_bak_{suffix}", f"erp_res_{suffix}"
    # As in the guide: a login role that is not a superuser, owning its database.
    asyncio.run(_admin(f"CREATE ROLE {role} LOGIN NOSUPERUSER PASSWORD '{password}'"))
    try:
        source_url = create_database(source)
        asyncio.run(_admin(f'ALTER DATABASE "{source}" OWNER TO {role}'))
        app_source = _as_role(source_url, role, password)
        upgrade(app_source)
        asyncio.run(_load(app_source))
        dump = tmp_path / "erp.dump"
        # The nightly dump (docs/operations/backups.md), taken by the postgres superuser.
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(source_url)],
            check=True,
        )
        # The restore: a new database owned by the app role, objects created as that role.
        target_url = create_database(target)
        asyncio.run(_admin(f'ALTER DATABASE "{target}" OWNER TO {role}'))
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                f"--role={role}",
                "--exit-on-error",
                f"--dbname={_libpq(target_url)}",
                str(dump),
            ],
            check=True,
        )
        app_target = _as_role(target_url, role, password)
        assert asyncio.run(_query(app_target, NOT_OWNED)) == []
        before = asyncio.run(_query(app_source, LEDGER))
        after = asyncio.run(_query(app_target, LEDGER))
        assert after == before
        assert after[0][0] > 0
        assert after[0][3] == 0  # every stock row still equals the sum of its moves
        # The app, connected as its role, finds the schema current and can write.
        erp("migrate", "--check", env={"DATABASE_URL": app_target})
        erp(
            "user",
            "create",
            "--email",
            "restored@test.example",
            "--name",
            "Restored",
            "--role",
            "staff",
            "--password",
            "restored-pass-1",
            env={"DATABASE_URL": app_target},
        )
        assert asyncio.run(
            _query(app_target, "SELECT count(*) FROM users WHERE email = 'restored@test.example'")
        ) == [(1,)]
    finally:
        drop_database(source)
        drop_database(target)
        asyncio.run(_admin(f"DROP ROLE IF EXISTS {role}"))
