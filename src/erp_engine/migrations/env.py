"""Alembic environment: async engine, the app's own SQLite pragmas, plain types in scripts."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.types import TypeDecorator

from erp_engine.db.engine import create_engine
from erp_engine.db.models import Base
from erp_engine.settings import Settings

config = context.config
target_metadata = Base.metadata


def _render_item(kind, obj, autogen_context):
    # Migrations must not depend on application code, so custom types are written as their
    # storage type (a scaled decimal is a BIGINT in the database).
    if kind == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance if hasattr(obj, "impl_instance") else obj.impl
        return f"sa.{impl!r}"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    url = config.attributes.get("database_url") or Settings().database_url
    engine = create_engine(Settings(database_url=url))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _configure(connection)
else:
    asyncio.run(_run_online())
