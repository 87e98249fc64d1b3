"""Pooled PostgreSQL connections: an idle one is checked before use, a busy one is not."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import text

from erp_engine.db import engine as db_engine
from erp_engine.settings import Settings
from tests.support.postgres import ADMIN_DSN, create_database, drop_database

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def database():
    name = f"erp_ping_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


async def _backend_pid(engine) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(text("SELECT pg_backend_pid()"))


async def _terminate(pid: int) -> None:
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def test_a_dead_idle_connection_is_replaced_before_use(database, monkeypatch):
    monkeypatch.setattr(db_engine, "PING_IDLE_AFTER_S", 0.0)
    engine = db_engine.create_engine(
        Settings(_env_file=None, database_url=database, database_pool_size=1)
    )
    try:
        dead = await _backend_pid(engine)
        await _terminate(dead)
        replacement = await _backend_pid(engine)  # would raise if handed the dead connection
        assert replacement != dead
    finally:
        await engine.dispose()


async def test_a_recently_used_connection_is_not_pinged(database, monkeypatch):
    """Three round trips per checkout saved: under load every connection is recently used."""
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

    pings = []
    original = AsyncAdapt_asyncpg_connection.ping
    monkeypatch.setattr(
        AsyncAdapt_asyncpg_connection, "ping", lambda self: pings.append(1) or original(self)
    )
    monkeypatch.setattr(db_engine, "PING_IDLE_AFTER_S", 3600.0)
    engine = db_engine.create_engine(
        Settings(_env_file=None, database_url=database, database_pool_size=1)
    )
    try:
        first = await _backend_pid(engine)
        assert await _backend_pid(engine) == first
        assert pings == []
        monkeypatch.setattr(db_engine, "PING_IDLE_AFTER_S", 0.0)
        assert await _backend_pid(engine) == first
        assert pings == [1]
    finally:
        await engine.dispose()
