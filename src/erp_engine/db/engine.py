"""Async engine and session factories; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from erp_engine.settings import Settings

READONLY_OPTION = "erp_readonly"


def create_engine(settings: Settings) -> AsyncEngine:
    """Build the engine for `settings.database_url`; creates the SQLite folder when needed."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(settings, url)
    return create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def _create_sqlite_engine(settings: Settings, url) -> AsyncEngine:
    database = url.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url)
    timeout = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection):
        # Writers take the write lock up front, so concurrent writers queue on busy_timeout
        # instead of failing with "database is locked" when a read lock must be upgraded.
        readonly = connection.get_execution_options().get(READONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def create_session_factories(engine: AsyncEngine):
    """Return (write, read) session factories; reads never take SQLite's write lock."""
    write = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    read = async_sessionmaker(
        engine.execution_options(**{READONLY_OPTION: True}),
        expire_on_commit=False,
        autoflush=False,
    )
    return write, read
