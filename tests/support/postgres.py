"""Create and drop throwaway PostgreSQL databases on the local server (127.0.0.1:5432)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from erp_engine.db.migrate import upgrade

ADMIN_DSN = os.environ.get("ERP_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _url_for(name: str) -> str:
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


# The admin database as the app names it: for checks that only need the server.
ADMIN_URL = _url_for(ADMIN_DSN.rsplit("/", 1)[1])


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


@contextmanager
def migrated_database(prefix: str) -> Iterator[str]:
    """A fresh database named `prefix` plus a random suffix, migrated to head, dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    try:
        upgrade(url)
        yield url
    finally:
        drop_database(name)
