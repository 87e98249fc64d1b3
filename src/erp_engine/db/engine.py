"""Async engine and session factories; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from erp_engine.db.plans import PlansOnceConnection
from erp_engine.settings import Settings

READONLY_OPTION = "erp_readonly"


def json_text(value) -> str:
    # JSON columns (audit changes, outbox events) are written in every change; orjson is
    # several times faster than the standard library's encoder and writes the same JSON.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def connections_per_worker(pool_size: int) -> int:
    """What one worker may hold at once on PostgreSQL: its pool, as many again under a burst
    (`max_overflow` below), and the connection that listens for changes to users
    (identity/callers.py)."""
    return 2 * pool_size + 1


def create_engine(settings: Settings) -> AsyncEngine:
    """Build the engine for `settings.database_url`; creates the SQLite folder when needed."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(settings, url)
    engine = create_async_engine(
        url,
        json_serializer=json_text,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_recycle=1800,
        connect_args={"connection_class": PlansOnceConnection},
    )
    _ping_idle_connections(engine)
    return engine


# A pooled connection idle for longer than this is pinged before it is handed out. SQLAlchemy's
# pool_pre_ping pings on every checkout, which on asyncpg is BEGIN, a query and ROLLBACK: three
# round trips per checkout, a third of all round trips of a commit under load.
PING_IDLE_AFTER_S = 10.0


def _ping_idle_connections(engine: AsyncEngine) -> None:
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _idle_from(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since > PING_IDLE_AFTER_S:
            try:
                dbapi_connection.ping()
            except Exception as error:
                # The pool drops this connection and retries the checkout with a new one.
                raise DisconnectionError("a pooled connection no longer answers") from error


def _create_sqlite_engine(settings: Settings, url) -> AsyncEngine:
    database = url.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, json_serializer=json_text)
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


# Options SQLAlchemy's asyncpg adapter takes for itself; asyncpg.connect would refuse them.
_ADAPTER_OPTIONS = ("prepared_statement_cache_size", "prepared_statement_name_func")


def driver_connector(engine: AsyncEngine, application_name: str):
    """A function that opens a plain asyncpg connection to `engine`'s PostgreSQL database,
    outside its pool (a connection kept for LISTEN, named `application_name`)."""
    import asyncpg

    _args, options = engine.dialect.create_connect_args(engine.url)
    for option in _ADAPTER_OPTIONS:
        options.pop(option, None)
    settings = {**options.pop("server_settings", {}), "application_name": application_name}

    async def connect():
        return await asyncpg.connect(**options, server_settings=settings)

    return connect


def create_session_factories(engine: AsyncEngine, *, callers=None):
    """Return (write, read) session factories; reads never take SQLite's write lock.

    `callers` (identity/callers.py) goes into every write session's info: a commit that
    changed a user clears this worker's copy of the callers at once.
    """
    write = async_sessionmaker(
        engine, expire_on_commit=False, autoflush=False, info={"callers": callers}
    )
    read = async_sessionmaker(reading(engine), expire_on_commit=False, autoflush=False)
    return write, read


def reading(engine: AsyncEngine) -> AsyncEngine:
    """`engine` for reads: they never take SQLite's write lock, and on PostgreSQL run
    without a transaction of their own. Under READ COMMITTED each statement sees its own
    snapshot either way, so nothing changes for the reader, and BEGIN and ROLLBACK were two
    of a small request's four round trips."""
    read_engine = engine.execution_options(**{READONLY_OPTION: True})
    if engine.dialect.name == "postgresql":
        read_engine = read_engine.execution_options(isolation_level="AUTOCOMMIT")
    return read_engine
