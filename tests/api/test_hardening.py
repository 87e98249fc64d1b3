"""Hardening: mass assignment on every body, security headers, client IP, CORS, production.

Mass assignment: every request body of the OpenAPI document is sent valid but for `id`,
`version`, `created_at`, a made-up field and every privileged field the body does not
declare (`status`, `role`, `on_hand`, `password_hash`, …): 422 naming each one, and nothing
changes (ASVS 15.3.3, API3; test plan S-Z4). Headers, CORS and the production refusals follow
test plan S-H1, S-H2, S-H7 and S-A5.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from erp_engine import cli
from erp_engine.api.app import create_app
from erp_engine.db.migrate import upgrade
from erp_engine.db.models import Base
from erp_engine.identity.model import User
from erp_engine.kernel.roles import Role
from erp_engine.ops.startup import DEMO_ADMIN_EMAIL, UnsafeProductionError
from erp_engine.settings import Environment
from tests.support.operations import (
    ANONYMOUS,
    PUBLIC,
    World,
    access_token,
    api_without_reset,
    audit_rows,
    documented_operations,
    permissions,
    self_service_password_change,
    throwaway_user,
)
from tests.support.postgres import ADMIN_URL
from tests.support.server import erp, running_server

OPERATIONS = permissions()["operations"]
# JSON bodies; the two spreadsheet imports take a multipart upload (a file and form fields).
BODIES = sorted(op.id for op in documented_operations().values() if op.json_body)
ALWAYS_REFUSED = {
    "id": "00000000-0000-4000-8000-000000000001",
    "version": 99,
    "created_at": "2020-01-01T00:00:00Z",
    "is_superuser": True,
}
PRIVILEGED = {
    "status": "committed",
    "number": "IN-999999",
    "created_by": str(uuid.uuid4()),
    "approved_by": str(uuid.uuid4()),
    "committed_by": str(uuid.uuid4()),
    "on_hand": 1000,
    "reserved": 0,
    "available": 1000,
    "history": [],
    "updated_at": "2020-01-01T00:00:00Z",
    "role": "admin",
    "active": True,
    "password_hash": "x",
    "token_version": 0,
    "key_hash": "x",
    "prefix": "erp_x",
    "secret": "erp_x",
    "revoked_at": None,
    "item_count": 0,
    "allowed_actions": ["commit"],
}
SECURITY_HEADERS = (
    "x-content-type-options",
    "content-security-policy",
    "referrer-policy",
    "x-frame-options",
)


@pytest.fixture
async def api(app, tokens):
    """Without a database reset: these tests look only at what they make themselves."""
    async with api_without_reset(app, tokens) as value:
        yield value


# Mass assignment ---------------------------------------------------------------------------------


def body_properties(app, operation_id: str) -> set[str]:
    document = app.openapi()
    operation = documented_operations()[operation_id]
    schema = document["paths"][operation.path][operation.method.lower()]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    # `{"$ref": ...}`, an inline schema, or `anyOf: [{"$ref": ...}, {"type": "null"}]`
    # for an optional body.
    schema = next((s for s in schema.get("anyOf", []) if "$ref" in s), schema)
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return set(schema["properties"])


async def fingerprint(app) -> dict[str, tuple]:
    """Row counts and version sums of every table but the audit log: what a change moves."""
    result = {}
    async with app.state.read_sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_log":
                continue
            columns = [func.count()]
            if "version" in table.c:
                columns.append(func.sum(table.c.version))
            if "token_version" in table.c:
                columns.append(func.sum(table.c.token_version))
            result[table.name] = tuple(
                (await session.execute(select(*columns).select_from(table))).one()
            )
    return result


@pytest.mark.parametrize("operation_id", BODIES)
async def test_every_body_refuses_read_only_privileged_and_unknown_fields(app, api, operation_id):
    operation = documented_operations()[operation_id]
    world = World(api, app)
    if operation_id == "change_password":
        prepared = await self_service_password_change(world)
    else:
        prepared = await world.prepare(operation_id)
    declared = body_properties(app, operation_id)
    extras = {**{k: v for k, v in PRIVILEGED.items() if k not in declared}, **ALWAYS_REFUSED}
    assert set(prepared.json) <= declared, "the valid body is not valid"
    principal = (
        ANONYMOUS if OPERATIONS[operation_id]["min"] == PUBLIC else OPERATIONS[operation_id]["min"]
    )
    headers = prepared.headers or ({} if principal == ANONYMOUS else api.headers(principal))
    before = await fingerprint(app)

    response = await api.client.request(
        operation.method,
        prepared.url(operation.path),
        headers=headers,
        json={**prepared.json, **extras},
    )

    assert response.status_code == 422, (response.status_code, response.text)
    body = response.json()
    assert body["code"] == "validation_error"
    named = {error["field"] for error in body["errors"]}
    assert named == set(extras), named ^ set(extras)
    assert await fingerprint(app) == before
    assert await audit_rows(app, response.headers["x-request-id"]) == []
    # The control: the same body without the extra fields is accepted.
    response = await api.client.request(
        operation.method, prepared.url(operation.path), headers=headers, json=prepared.json
    )
    assert response.status_code == prepared.expect, response.text


# Security headers --------------------------------------------------------------------------------


def assert_security_headers(response: httpx.Response, what: str, *, api: bool) -> None:
    for header in SECURITY_HEADERS:
        assert response.headers.get(header), (what, header)
    assert response.headers["x-content-type-options"] == "nosniff", what
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"], what
    assert response.headers["x-frame-options"] == "DENY", what
    assert response.headers["referrer-policy"] in (
        "no-referrer",
        "strict-origin-when-cross-origin",
        "same-origin",
        "strict-origin",
    ), what
    assert response.headers.get("x-request-id"), what
    if api:
        assert response.headers["cache-control"] == "no-store", what
    assert "strict-transport-security" not in response.headers, (what, "HSTS over http")


@asynccontextmanager
async def app_with(settings, **update):
    application = create_app(settings.model_copy(update=update))
    try:
        yield application
    finally:
        await application.state.db_engine.dispose()


@asynccontextmanager
async def client_for(application, *, peer: str = "127.0.0.1", base_url="http://testserver"):
    transport = httpx.ASGITransport(
        app=application, raise_app_exceptions=False, client=(peer, 50000)
    )
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


@pytest.fixture
def web_dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>ERP</title>")
    (tmp_path / "assets" / "app-1a2b3c.js").write_text("console.log('erp')")
    return tmp_path


async def test_api_responses_and_errors_carry_the_security_headers(app, api):
    client = api.client  # no credentials of its own
    item = await api.item()
    responses = {
        "200 list": await api.get("/api/v1/items"),
        "200 one": await api.get(f"/api/v1/items/{item['id']}"),
        "201 create": await api.post("/api/v1/engines", json={"code": "HDR", "name": "H"}),
        "204 delete": await api.delete(f"/api/v1/items/{item['id']}", role=Role.ADMIN),
        "401": await client.get("/api/v1/items"),
        "403": await api.get("/api/v1/users", role=Role.VIEWER),
        "404 id": await api.get(f"/api/v1/items/{uuid.uuid4()}"),
        "404 route": await api.get("/api/v1/nothing-here"),
        "405": await api.request("PUT", "/api/v1/items"),
        "409": await api.post("/api/v1/engines", json={"code": "HDR", "name": "H"}),
        "412": await api.patch(
            f"/api/v1/engines/{(await api.engine())['id']}",
            json={"name": "x"},
            headers={"If-Match": '"99"'},
        ),
        "413": await api.post(
            "/api/v1/engines",
            content=b"x" * (1024 * 1024 + 1),
            headers={"Content-Type": "application/json"},
        ),
        "422": await api.post("/api/v1/engines", json={}),
        "healthz": await client.get("/healthz"),
        "openapi": await client.get("/api/v1/openapi.json"),
    }
    for what, response in responses.items():
        expected = what.split(" ")[0]
        if expected.isdigit():
            assert response.status_code == int(expected), (what, response.status_code)
        assert_security_headers(response, what, api=True)


async def test_unexpected_errors_and_rate_limit_answers_carry_the_security_headers(app, settings):
    user = await throwaway_user(app)
    headers = {"Authorization": f"Bearer {await access_token(app, user.id)}"}
    async with app_with(settings, rate_limit_default="1/minute") as limited:

        @limited.get("/api/v1/test-only-explode")
        async def explode():
            raise RuntimeError("boom")

        async with client_for(limited) as client:
            assert (await client.get("/api/v1/items", headers=headers)).status_code == 200
            throttled = await client.get("/api/v1/items", headers=headers)
            failed = await client.get("/api/v1/test-only-explode")
    assert throttled.status_code == 429
    assert failed.status_code == 500
    for what, response in (("429", throttled), ("500", failed)):
        assert_security_headers(response, what, api=True)


async def test_static_files_carry_the_security_headers_and_their_own_caching(settings, web_dist):
    async with (
        app_with(settings, web_dist=web_dist) as application,
        client_for(application) as client,
    ):
        responses = {
            "index": await client.get("/"),
            "spa route": await client.get("/inbounds/123"),
            "hashed asset": await client.get("/assets/app-1a2b3c.js"),
            "missing asset": await client.get("/assets/app-gone.js"),
            "docs": await client.get("/docs"),
            "docs asset": await client.get("/docs-assets/swagger-ui.css"),
        }
    assert responses["index"].text.startswith("<!doctype html>")
    assert responses["spa route"].text == responses["index"].text
    assert responses["hashed asset"].headers["cache-control"].endswith("immutable")
    assert responses["index"].headers["cache-control"] == "no-cache"
    assert responses["missing asset"].status_code == 404
    for what, response in responses.items():
        if what != "missing asset":
            assert response.status_code == 200, (what, response.status_code)
        assert_security_headers(response, what, api=False)


async def test_hsts_only_over_https_directly_or_from_a_trusted_proxy(app, settings):
    async with app_with(settings) as application:
        async with client_for(application) as plain:
            assert "strict-transport-security" not in (await plain.get("/livez")).headers
            proxied = await plain.get("/livez", headers={"X-Forwarded-Proto": "https"})
            refused = await plain.get("/api/v1/items", headers={"X-Forwarded-Proto": "https"})
        async with client_for(application, peer="198.51.100.20") as stranger:
            forged = await stranger.get("/livez", headers={"X-Forwarded-Proto": "https"})
        async with client_for(
            application, peer="198.51.100.21", base_url="https://testserver"
        ) as direct:
            tls = await direct.get("/livez")
    for what, response in (
        ("trusted proxy", proxied),
        ("error via proxy", refused),
        ("direct https", tls),
    ):
        hsts = response.headers.get("strict-transport-security", "")
        assert hsts.startswith("max-age="), (what, hsts)
        assert int(hsts.split("=")[1].split(";")[0]) >= 31536000, what
    assert refused.status_code == 401
    assert "strict-transport-security" not in forged.headers


# Client address ----------------------------------------------------------------------------------


async def test_the_client_address_is_believed_only_from_a_trusted_proxy(app, api, settings):
    user = await throwaway_user(app, Role.MANAGER)
    headers = {"Authorization": f"Bearer {await access_token(app, user.id)}"}
    async with app_with(settings) as application:
        recorded = {}
        for what, peer, forwarded in (
            ("through the local proxy", "127.0.0.1", "203.0.113.7"),
            ("proxy chain", "127.0.0.1", "203.0.113.7, 198.51.100.9"),
            ("forged by a stranger", "198.51.100.30", "203.0.113.8"),
        ):
            async with client_for(application, peer=peer) as client:
                response = await client.post(
                    "/api/v1/engines",
                    headers={**headers, "X-Forwarded-For": forwarded},
                    json={"code": f"IP{uuid.uuid4().hex[:6]}", "name": what},
                )
            assert response.status_code == 201, response.text
            (row,) = await audit_rows(app, response.headers["x-request-id"])
            recorded[what] = row.ip
    assert recorded == {
        "through the local proxy": "203.0.113.7",
        "proxy chain": "198.51.100.9",  # the nearest hop the proxy did not vouch for
        "forged by a stranger": "198.51.100.30",
    }


@pytest.mark.slow
@pytest.mark.xdist_group("servers")
@pytest.mark.parametrize(
    ("trusted_proxies", "believed"),
    [("10.9.9.9", False), ("127.0.0.1,::1", True)],
    ids=["peer-not-trusted", "peer-trusted"],
)
def test_erp_serve_believes_forwarded_headers_only_from_trusted_proxies(
    tmp_path, trusted_proxies, believed
):
    # uvicorn's own proxy handling trusts 127.0.0.1 whatever TRUSTED_PROXIES says: only a
    # real `erp serve` shows whether it is out of the way.
    url = f"sqlite+aiosqlite:///{tmp_path / 'proxy.db'}"
    env = {"DATABASE_URL": url, "TRUSTED_PROXIES": trusted_proxies}
    upgrade(url)
    credentials = {"email": "proxy@test.example", "password": "proxy-trust-password-4"}
    erp("user", "create", "--name", "Proxy", "--role", "manager",
        *(f"--{k}={v}" for k, v in credentials.items()), env=env)  # fmt: skip
    forwarded = {"X-Forwarded-For": "203.0.113.77", "X-Forwarded-Proto": "https"}
    with running_server(env, workers=1, log_dir=tmp_path) as base_url:
        login = httpx.post(f"{base_url}/api/v1/auth/login", json=credentials, headers=forwarded)
        assert login.status_code == 200, login.text
        rows = httpx.get(
            f"{base_url}/api/v1/audit",
            params={"action": "auth.login"},
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        ).json()["data"]
    assert [row["ip"] for row in rows] == ["203.0.113.77" if believed else "127.0.0.1"]
    assert ("strict-transport-security" in login.headers) is believed


# CORS --------------------------------------------------------------------------------------------


async def test_cors_answers_only_the_configured_origins(settings):
    allowed_origin, evil = "https://erp.example", "https://evil.example"
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    async with (
        app_with(settings, cors_origins=[allowed_origin]) as application,
        client_for(application) as client,
    ):
        ok = await client.options("/api/v1/items", headers={"Origin": allowed_origin, **preflight})
        bad = await client.options("/api/v1/items", headers={"Origin": evil, **preflight})
        simple_ok = await client.get("/healthz", headers={"Origin": allowed_origin})
        simple_bad = await client.get("/healthz", headers={"Origin": evil})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == allowed_origin
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert simple_ok.headers["access-control-allow-origin"] == allowed_origin
    for response in (bad, simple_bad):
        assert "access-control-allow-origin" not in response.headers
    for response in (ok, bad, simple_ok, simple_bad):
        assert response.headers.get("access-control-allow-origin") != "*"
        assert (
            response.headers.get("access-control-allow-credentials") != "true"
            or response.headers.get("access-control-allow-origin") == allowed_origin
        )


async def test_without_cors_origins_no_origin_is_allowed(api):
    client = api.client
    origin = "https://erp.example"
    preflight = await client.options(
        "/api/v1/items", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )
    simple = await client.get("/healthz", headers={"Origin": origin})
    for response in (preflight, simple):
        assert "access-control-allow-origin" not in response.headers
    assert preflight.status_code == 405


# Production refusals -----------------------------------------------------------------------------

LONG_SECRET = "production-secret-" + "z" * 40


async def starts(settings, **update) -> None:
    """Run the app's startup (lifespan) as a server would; raise what it raises."""
    async with (
        app_with(settings, engine_env=Environment.PRODUCTION, **update) as application,
        application.router.lifespan_context(application),
    ):
        pass


@pytest.mark.parametrize(
    "secret", ["short-secret", "dev-only-secret-change-me-in-production-0000000000", "x" * 31]
)
async def test_production_refuses_a_weak_jwt_secret(settings, secret):
    with pytest.raises(UnsafeProductionError, match="JWT_SECRET"):
        await starts(settings, jwt_secret=secret)


async def test_production_starts_with_a_strong_secret(settings):
    await starts(settings, jwt_secret=LONG_SECRET)


async def test_production_refuses_while_the_demo_admin_is_active(app, settings):
    demo = User(
        id=uuid.uuid4(),
        email=DEMO_ADMIN_EMAIL,
        name="Demo admin",
        role=Role.ADMIN,
        password_hash="not-a-hash",
        active=True,
    )
    async with app.state.write_sessions() as session:
        session.add(demo)
        await session.commit()
    try:
        with pytest.raises(UnsafeProductionError, match=DEMO_ADMIN_EMAIL):
            await starts(settings, jwt_secret=LONG_SECRET)
        # Deactivated, it no longer stands in the way.
        async with app.state.write_sessions() as session:
            (await session.get(User, demo.id)).active = False
            await session.commit()
        await starts(settings, jwt_secret=LONG_SECRET)
    finally:
        async with app.state.write_sessions() as session:
            await session.execute(delete(User).where(User.id == demo.id))
            await session.commit()


async def test_development_starts_even_with_the_defaults(settings):
    async with (
        app_with(settings, jwt_secret="short") as application,
        application.router.lifespan_context(application),
    ):
        pass


# Startup warnings (through the `erp serve` command, with uvicorn stubbed out) -------------------


def serve_output(monkeypatch, tmp_path, *args: str, **env: str) -> str:
    """What `erp serve` prints before it would hand over to uvicorn."""
    import uvicorn

    from erp_engine.ops import balanced_accept

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    monkeypatch.setattr(balanced_accept, "serve_balanced", lambda *a, **k: None)
    monkeypatch.chdir(tmp_path)  # its own .env, or none
    result = CliRunner().invoke(
        cli.app,
        ["serve", *args],
        env={
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
            "REDIS_URL": None,
            "ENGINE_ENV": None,
            "JWT_SECRET": None,
            # Several workers share metrics through this directory; never this process's.
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
            **env,
        },
    )
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_several_workers_without_redis_are_warned_about(monkeypatch, tmp_path):
    warned = serve_output(monkeypatch, tmp_path, "--workers", "3")
    assert "3 workers without REDIS_URL" in warned
    assert "up to 3× the configured limits" in warned
    for quiet in (
        serve_output(monkeypatch, tmp_path, "--workers", "1"),
        serve_output(
            monkeypatch, tmp_path, "--workers", "3", REDIS_URL="redis://127.0.0.1:6379/15"
        ),
    ):
        assert "REDIS_URL" not in quiet


def test_workers_that_postgresql_cannot_connect_are_warned_about(monkeypatch, tmp_path):
    warned = serve_output(monkeypatch, tmp_path, "--workers", "200", DATABASE_URL=ADMIN_URL)
    assert "200 workers × (2 × DATABASE_POOL_SIZE 5 + 1) may open 2200 connections" in warned
    assert "requests will fail with 503" in warned
    assert "max_connections" not in serve_output(
        monkeypatch, tmp_path, "--workers", "2", DATABASE_URL=ADMIN_URL
    )


@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o640, True), (0o600, False)])
def test_production_warns_when_env_is_readable_by_others(monkeypatch, tmp_path, mode, warned):
    env_file = tmp_path / ".env"
    env_file.write_text(f"ENGINE_ENV=production\nJWT_SECRET={LONG_SECRET}\n")
    env_file.chmod(mode)
    output = serve_output(monkeypatch, tmp_path)
    assert ("warning: .env is readable by other users" in output) is warned


# Nothing secret in the logs -----------------------------------------------------------------------

JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
LOGIN, REFRESH, KEYS = "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/api-keys"


async def test_logs_never_carry_passwords_tokens_or_key_secrets(app, api, caplog):
    user = await throwaway_user(app, Role.ADMIN)
    new_password = "logged-nowhere-password-2"
    caplog.set_level(logging.DEBUG)
    client = api.client
    login = await client.post(LOGIN, json={"email": user.email, "password": user.password})
    pair = login.json()
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    refreshed = (await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})).json()
    auth = {"Authorization": f"Bearer {refreshed['access_token']}"}
    key = (await client.post(KEYS, headers=auth, json={"name": "logs", "role": "viewer"})).json()
    await client.get("/api/v1/items", headers={"Authorization": f"Bearer {key['secret']}"})
    await client.get("/api/v1/items", params={"api_key": key["secret"]})  # refused, and logged
    await client.post(LOGIN, json={"email": user.email, "password": "a-wrong-password-9"})
    changed = await client.post(
        "/api/v1/auth/password",
        headers=auth,
        json={"current_password": user.password, "new_password": new_password},
    )
    await client.post(
        "/api/v1/auth/logout",
        headers={"Authorization": f"Bearer {changed.json()['access_token']}"},
        json={"refresh_token": changed.json()["refresh_token"]},
    )
    # Everything the server logged, at every level (the test client's own httpx lines,
    # which quote the URL it was asked to fetch, are not the server's).
    text = "\n".join(
        record.getMessage() + (record.exc_text or "")
        for record in caplog.records
        if not record.name.startswith("httpx")
    )
    assert "/api/v1/auth/logout" in text, "the flow was not logged at all"
    secrets = [
        user.password,
        new_password,
        "a-wrong-password-9",
        key["secret"],
        key["secret"][len(key["prefix"]) :],
        *pair.values(),
        *refreshed.values(),
        *changed.json().values(),
    ]
    for secret in (s for s in secrets if isinstance(s, str) and len(s) > 12):
        assert secret not in text, "a secret reached the logs"
    assert not JWT.search(text), "a token reached the logs"
