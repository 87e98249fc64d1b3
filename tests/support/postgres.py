"""Create and drop throwaway PostgreSQL databases on the local server (127.0.0.1:5432)."""

from __future__ import annotations

import asyncio
import os

import asyncpg

ADMIN_DSN = os.environ.get("ERP_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _url_for(name: str) -> str:
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_database(name: str) -> str:
    """Create database `name` and return its SQLAlchemy URL."""
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return _url_for(name)


def drop_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
