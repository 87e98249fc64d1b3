"""Shared fixtures: a migrated database per backend, an app, users of every role, a client.

Every API and integration test runs twice, on SQLite and on PostgreSQL. Each test starts
from the state the migrations leave (MAIN warehouse, zeroed counters) plus the fixture users;
tables are emptied between tests rather than rolled back, so services commit for real.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from erp_engine.api.app import create_app
from erp_engine.db.migrate import upgrade
from erp_engine.db.models import Base
from erp_engine.identity import service as identity
from erp_engine.kernel.roles import Role
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from tests.support.api import Api
from tests.support.postgres import migrated_database

BACKENDS = ["sqlite", "postgresql"]
PASSWORD = "correct-horse-battery-9"
TEST_SECRET = "test-secret-" + "x" * 40
# Rows the tests keep between cases: fixture users, and what the migrations seed (the row
# counts' rows stay; TRUNCATE zeroes them through their triggers).
KEPT_TABLES = {"users", "alembic_version", "row_counts"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "postgres_only" in item.keywords and "backend" in getattr(item, "fixturenames", ()):
            item.add_marker(
                pytest.mark.skipif(
                    getattr(item, "callspec", None) is not None
                    and item.callspec.params.get("backend") == "sqlite",
                    reason="PostgreSQL-only",
                )
            )


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory) -> AsyncIterator[str]:
    """A fresh, migrated database for this test session (and xdist worker)."""
    if backend == "sqlite":
        path = Path(tmp_path_factory.mktemp("db")) / "erp.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        yield url
        return
    with migrated_database("erp_test") as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        jwt_secret=TEST_SECRET,
        access_token_minutes=600,
        database_pool_size=5,
        rate_limit_default="100000/minute",
        rate_limit_login_ip="100000/minute",
        rate_limit_anonymous_ip="100000/minute",
    )


@pytest.fixture(scope="session")
async def app(settings: Settings):
    application = create_app(settings)
    yield application
    await application.state.db_engine.dispose()


def new_uow(app) -> UnitOfWork:
    return UnitOfWork(app.state.write_sessions)


@dataclass
class RoleUsers:
    ids: dict[Role, uuid.UUID]
    emails: dict[Role, str]


@pytest.fixture(scope="session")
async def role_users(app) -> RoleUsers:
    """One user per role, created once per session (argon2 hashing is slow on purpose)."""
    ids, emails = {}, {}
    for role in Role:
        email = f"{role}@test.example"
        user = await identity.create_user(
            new_uow(app), email=email, name=f"Test {role}", role=role, password=PASSWORD
        )
        ids[role], emails[role] = user.id, email
    return RoleUsers(ids, emails)


@pytest.fixture(scope="session")
async def tokens(app, role_users: RoleUsers, settings: Settings) -> dict[Role, str]:
    result = {}
    for role, email in role_users.emails.items():
        pair = await identity.login(new_uow(app), email, PASSWORD, settings=settings)
        result[role] = pair.access_token
    return result


async def reset_database(app) -> None:
    """Empty every table but the kept ones, and restore what the migrations seeded."""
    engine = app.state.db_engine
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text(
                    f"TRUNCATE {', '.join(t for t in tables if t != 'warehouses')} RESTART IDENTITY"
                )
            )
        else:
            for table in tables:
                if table != "warehouses":
                    # Table names come from our own metadata, never from input.
                    await connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608
        await connection.execute(text("DELETE FROM warehouses WHERE code <> 'MAIN'"))
        await connection.execute(
            text(
                "UPDATE warehouses SET name = 'Main warehouse', address = NULL, active = TRUE, "
                "version = 1"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO document_counters (kind, last_value) VALUES "
                "('inbound', 0), ('outbound', 0), ('adjustment', 0), ('transfer', 0)"
            )
        )


@pytest.fixture
async def clean(app, role_users):
    await reset_database(app)


@pytest.fixture
async def client(app, clean) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def api(client: httpx.AsyncClient, tokens: dict[Role, str]) -> Api:
    """Helpers that drive the HTTP API as a given role (manager by default)."""
    return Api(client, tokens)


@pytest.fixture
def uow_factory(app, clean):
    return lambda: new_uow(app)


def pytest_configure(config):
    os.environ.setdefault("ERP_TEST_RUN", "1")
