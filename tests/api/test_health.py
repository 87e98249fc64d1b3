"""Health, liveness and readiness probes: public, honest about the database and the schema."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from erp_engine.api.app import create_app
from erp_engine.db.migrate import alembic_config
from erp_engine.settings import Settings
from tests.conftest import TEST_SECRET

ENGINE_HEADERS = ("x-engine-name", "x-engine-commit", "x-engine-schema", "x-engine-env")


def migration_head() -> str:
    """The newest revision among the migration scripts, read independently of the app."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client for an app of its own, for settings the shared app does not have."""
    application = create_app(settings)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
    finally:
        await application.state.db_engine.dispose()


def settings_for(database_url: str, **overrides) -> Settings:
    return Settings(_env_file=None, database_url=database_url, jwt_secret=TEST_SECRET, **overrides)


@pytest.mark.parametrize("path", ["/healthz", "/health"])
async def test_health_reports_a_healthy_database_and_the_applied_schema(client, backend, app, path):
    response = await client.get(path)
    assert response.status_code == 200
    body = response.json()
    async with app.state.db_engine.connect() as connection:
        applied = (
            await connection.execute(text("SELECT version_num FROM alembic_version"))
        ).scalar()
    assert applied == migration_head()
    assert body["status"] == "healthy"
    assert body["app"] == "ERP Engine API"
    assert body["version"] == "1.0.0"
    assert body["database"] == "ok"
    assert body["database_backend"] == backend
    assert body["engine"]["schema"] == applied
    assert body["engine"]["name"] == "erp-engine"
    assert body["engine"]["env"] == "development"
    assert body["engine"]["commit"]
    assert body["schema_ok"] is True
    assert isinstance(body["uptime_s"], int)
    assert body["uptime_s"] >= 0


async def test_health_alias_answers_like_healthz(client):
    healthz = (await client.get("/healthz")).json()
    health = (await client.get("/health")).json()
    healthz.pop("uptime_s")
    health.pop("uptime_s")
    assert health == healthz


async def test_probes_are_public(client):
    for path in ("/healthz", "/health", "/livez", "/readyz"):
        response = await client.get(path)
        assert response.status_code == 200, path


async def test_livez_says_alive(client):
    response = await client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


async def test_readyz_is_200_when_database_and_schema_are_right(client, backend):
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["schema_ok"] is True
    assert body["database"] == "ok"
    assert body["database_backend"] == backend
    assert body["engine"]["schema"] == migration_head()


async def test_probe_responses_carry_engine_identity_headers(client):
    await client.get("/healthz")
    for path in ("/healthz", "/health", "/livez", "/readyz"):
        response = await client.get(path)
        for header in ENGINE_HEADERS:
            assert response.headers.get(header), (path, header)
        assert response.headers["x-engine-schema"] == migration_head()
        assert response.headers["x-engine-name"] == "erp-engine"
        assert response.headers["x-engine-env"] == "development"


async def test_engine_commit_comes_from_the_setting(database_url):
    async with serve(settings_for(database_url, engine_commit_sha="abc123f")) as c:
        response = await c.get("/healthz")
    assert response.json()["engine"]["commit"] == "abc123f"
    assert response.headers["x-engine-commit"] == "abc123f"


async def test_engine_headers_can_be_turned_off(database_url):
    async with serve(settings_for(database_url, engine_headers=False)) as c:
        for path in ("/healthz", "/livez", "/api/v1/items", "/no-such-page"):
            response = await c.get(path)
            for header in ENGINE_HEADERS:
                assert header not in response.headers, (path, header)
            assert "x-request-id" in response.headers


async def test_unmigrated_database_is_healthy_but_not_ready(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}"
    async with serve(settings_for(url)) as c:
        health = await c.get("/healthz")
        ready = await c.get("/readyz")
    assert health.status_code == 200
    assert health.json()["status"] == "healthy"
    assert health.json()["schema_ok"] is False
    assert health.json()["engine"]["schema"] is None
    assert ready.status_code == 503
    assert ready.json()["schema_ok"] is False
    assert ready.json()["status"] != "ready"


async def test_unreachable_database_is_unhealthy_while_the_process_stays_alive(tmp_path: Path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database file, it is just text" * 100)
    async with serve(settings_for(f"sqlite+aiosqlite:///{broken}")) as c:
        health = await c.get("/healthz")
        ready = await c.get("/readyz")
        live = await c.get("/livez")
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "unhealthy"
    assert body["database"] != "ok"
    assert body["database"]
    assert ready.status_code == 503
    assert live.status_code == 200
    assert live.json() == {"status": "alive"}


async def test_database_failure_message_reveals_no_secrets():
    url = "postgresql+asyncpg://erp:hunter2-secret@127.0.0.1:1/erp"
    async with serve(settings_for(url)) as c:
        response = await c.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert "hunter2-secret" not in response.text
    assert "127.0.0.1" not in response.json()["database"]


async def test_api_requests_during_a_database_outage_get_503_not_500():
    url = "postgresql+asyncpg://erp:hunter2-secret@127.0.0.1:1/erp"
    async with serve(settings_for(url)) as c:
        response = await c.post(
            "/api/v1/auth/login", json={"email": "a@example.com", "password": "x" * 12}
        )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unavailable"
    assert response.headers["retry-after"] == "1"
    assert "hunter2-secret" not in response.text


async def test_schema_header_names_the_applied_revision_from_startup_on(settings):
    application = create_app(settings)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as c,
    ):
        # No probe has run yet: the first API response must already name the schema.
        response = await c.get("/api/v1/items")
        assert response.status_code == 401
        assert response.headers["x-engine-schema"] == migration_head()


async def test_a_running_app_keeps_what_it_built_out_of_the_collectors_way(settings):
    """A full garbage collection no longer walks the modules, routes and schemas a worker
    built at startup (about 90 ms a pass, the tail of every latency); an app stopped in
    this process gives them back to the collector."""
    application = create_app(settings)
    frozen_before = gc.get_freeze_count()
    async with application.router.lifespan_context(application):
        assert gc.get_freeze_count() > frozen_before + 10_000
    assert gc.get_freeze_count() == 0
    await application.state.db_engine.dispose()
