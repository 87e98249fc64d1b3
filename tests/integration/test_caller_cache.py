"""Each worker's copy of its callers (identity/callers.py) is never trusted past a change.

A running app on PostgreSQL with its lifespan (the listener), a database of its own and a
user of its own. Changes come from the three places they can: this worker's own API, another
process (plain SQL on another connection, as the CLI or another worker would), and while the
listening connection is down.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from erp_engine.api.app import create_app
from erp_engine.identity import service as identity
from erp_engine.identity.callers import CallerCache
from erp_engine.kernel.roles import Role
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from tests.conftest import PASSWORD, TEST_SECRET
from tests.support.postgres import migrated_database
from tests.support.statements import recorded_statements
from tests.support.waiting import wait_until

CALLER_CHECK = "FROM users WHERE users.id"


@pytest.fixture
def database_url():
    with migrated_database("erp_callers") as url:
        yield url


@pytest.fixture
async def app(database_url: str):
    settings = Settings(_env_file=None, database_url=database_url, jwt_secret=TEST_SECRET)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        await wait_until(lambda: application.state.callers.live, "the listener", within=10)
        yield application
    await application.state.db_engine.dispose()


@pytest.fixture
async def sql(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """Another process's connection: the CLI, another worker, an operator's psql."""
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    yield connection
    await connection.close()


async def client_of(app, role: Role) -> tuple[httpx.AsyncClient, uuid.UUID]:
    uow = lambda: UnitOfWork(app.state.write_sessions)  # noqa: E731
    email = f"{role}-{uuid.uuid4().hex[:6]}@callers.example"
    user = await identity.create_user(
        uow(), email=email, name="Caller", role=role, password=PASSWORD
    )
    pair = await identity.login(uow(), email, PASSWORD, settings=app.state.settings)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {pair.access_token}"},
    )
    return client, user.id


async def status_of(client: httpx.AsyncClient) -> int:
    return (await client.get("/api/v1/items")).status_code


async def test_a_known_caller_is_checked_without_a_statement(app):
    client, user_id = await client_of(app, Role.VIEWER)
    async with client:
        assert await status_of(client) == 200  # read once, kept
        with recorded_statements(app) as seen:
            assert await status_of(client) == 200
        assert not [s for s in seen if CALLER_CHECK in s]
        assert app.state.callers.get(user_id) is not None


async def test_a_change_from_another_process_reaches_the_worker(app, sql):
    client, user_id = await client_of(app, Role.MANAGER)
    async with client:
        warehouse = {"code": "EAST", "name": "East"}
        assert (await client.post("/api/v1/warehouses", json=warehouse)).status_code == 201
        await sql.execute("UPDATE users SET role = 'viewer' WHERE id = $1", user_id)
        # Heard within milliseconds; the deadline is only there to fail instead of hanging.
        await wait_until(lambda: app.state.callers.get(user_id) is None, "the notification")
        other = {"code": "WEST", "name": "West"}
        assert (await client.post("/api/v1/warehouses", json=other)).status_code == 403


async def test_this_workers_own_change_holds_from_its_answer_on(app, monkeypatch):
    """Without waiting for the notification: the commit itself clears the copy."""
    monkeypatch.setattr(app.state.callers, "_heard", lambda *_: None)  # notifications lost
    admin, _ = await client_of(app, Role.ADMIN)
    viewer, viewer_id = await client_of(app, Role.VIEWER)
    async with admin, viewer:
        assert await status_of(viewer) == 200
        changed = await admin.patch(f"/api/v1/users/{viewer_id}", json={"active": False})
        assert changed.status_code == 200
        assert await status_of(viewer) == 401


async def test_a_change_while_the_listener_is_down_is_not_missed(app, sql):
    client, user_id = await client_of(app, Role.VIEWER)
    async with client:
        assert await status_of(client) == 200
        assert app.state.callers.get(user_id) is not None
        killed = await sql.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'erp-engine callers' AND datname = current_database()"
        )
        assert killed == 1
        await wait_until(lambda: not app.state.callers.live, "the listener to notice")
        # Nobody hears this one; the copy must not be trusted again before it is rebuilt.
        await sql.execute("UPDATE users SET active = FALSE WHERE id = $1", user_id)
        assert await status_of(client) == 401
        await wait_until(lambda: app.state.callers.live, "the listener to come back")
        assert await status_of(client) == 401


async def test_a_login_is_no_news_to_the_callers(app, sql):
    """The trigger watches what the caller check reads, not last_login_at."""
    heard: list[str] = []
    await sql.add_listener("erp_users_changed", lambda *args: heard.append(args[-1]))
    client, user_id = await client_of(app, Role.VIEWER)  # created and logged in
    await client.aclose()
    await sql.execute("UPDATE users SET name = 'Renamed' WHERE id = $1", user_id)
    await wait_until(lambda: heard, "the rename's notification")
    assert heard == [str(user_id)]


def test_a_row_read_while_a_change_is_heard_is_not_kept():
    callers = CallerCache()
    callers._go_live()
    user_id = uuid.uuid4()
    before = callers.generation
    callers.forget(uuid.uuid4())  # heard while the read was on its way
    callers.keep(user_id, ("old",), before)
    assert callers.get(user_id) is None
    callers.keep(user_id, ("new",), callers.generation)
    assert callers.get(user_id) == ("new",)


def test_nothing_is_kept_or_served_while_the_listener_is_down():
    callers = CallerCache()
    user_id = uuid.uuid4()
    callers.keep(user_id, ("row",), callers.generation)
    assert callers.get(user_id) is None
    callers._go_live()
    callers.keep(user_id, ("row",), callers.generation)
    callers._go_dark()
    assert callers.get(user_id) is None
    callers._go_live()
    assert callers.get(user_id) is None  # rebuilt from nothing
