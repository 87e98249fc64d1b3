"""Role × operation matrix over 100% of the API, from the data file permissions.toml.

Every operation of the OpenAPI document — on its own path, its trailing-slash twin and its
legacy alias — is called with a real id and a valid body as anonymous, viewer, staff,
manager and admin. Below the declared minimum: 401 (no token) or 403, and the refused call
leaves no trace but its `auth.forbidden` audit row. At or above it: the call succeeds.
An operation or a hidden route without a declaration fails the suite (ASVS 8.2.1, API5).
Object-level rules (staff and its own drafts) are checked with a second staff user (API1).
"""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from erp_engine.api.app import create_app
from erp_engine.kernel.roles import Role
from tests.support.operations import (
    ANONYMOUS,
    PRINCIPALS,
    PUBLIC,
    Prepared,
    World,
    access_token,
    allowed,
    api_without_reset,
    audit_rows,
    permissions,
    schema_operations,
    served_routes,
    throwaway_user,
    variants,
)

OPERATIONS = permissions()["operations"]
OUTSIDE_SCHEMA = permissions()["outside_schema"]
PROBLEM_JSON = "application/problem+json"


@pytest.fixture
async def api(app, tokens):
    """Without a database reset: these tests look only at what they make themselves."""
    async with api_without_reset(app, tokens) as value:
        yield value


def credentials(api, principal: str) -> dict[str, str]:
    return {} if principal == ANONYMOUS else api.headers(principal)


async def call(api, method: str, path: str, principal: str, prepared: Prepared) -> httpx.Response:
    return await prepared.send(api.client, method, path, credentials(api, principal))


async def assert_refused(app, response: httpx.Response, principal: str, what: str) -> None:
    """401 without a token, 403 with one; either way nothing but the refusal is recorded."""
    expected = 401 if principal == ANONYMOUS else 403
    assert response.status_code == expected, (what, response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM_JSON), what
    body = response.json()
    assert body["code"] == ("unauthorized" if expected == 401 else "forbidden"), what
    if expected == 401:
        assert response.headers["www-authenticate"].startswith("Bearer"), what
    actions = [row.action for row in await audit_rows(app, response.headers["x-request-id"])]
    assert actions == ([] if expected == 401 else ["auth.forbidden"]), (what, actions)


# The data file and the application agree ---------------------------------------------------------


def test_every_operation_in_the_openapi_document_has_a_declared_permission(app):
    documented = set(schema_operations(app))
    declared = set(OPERATIONS)
    assert documented - declared == set(), "operations without a line in permissions.toml"
    assert declared - documented == set(), "permissions.toml names operations that are gone"


def test_declarations_use_known_roles():
    roles = {str(role) for role in Role}
    for operation_id, rule in [*OPERATIONS.items(), *OUTSIDE_SCHEMA.items()]:
        assert rule["min"] in roles | {PUBLIC}, operation_id
        if "owner" in rule:
            assert Role(rule["owner"]).rank < Role(rule["min"]).rank, operation_id


@pytest.fixture(scope="module")
async def app_with_ui(settings, tmp_path_factory):
    """The app with a (tiny) built web UI, so that every route it can serve is served."""
    dist = tmp_path_factory.mktemp("web-dist")
    (dist / "index.html").write_text("<!doctype html><title>ERP</title>")
    application = create_app(settings.model_copy(update={"web_dist": dist}))
    yield application
    await application.state.db_engine.dispose()


def test_every_route_outside_the_schema_is_a_twin_an_alias_or_declared(app_with_ui):
    app = app_with_ui
    documented = {(op.method, op.path) for op in schema_operations(app).values()}
    undeclared, served = [], set()
    for route in served_routes(app):
        key = f"{route.method} {route.path}"
        served.add(key)
        if (route.method, route.path) in documented:
            continue
        if route.operation_id in OPERATIONS:
            continue  # a trailing-slash twin or a legacy alias of a documented operation
        if key not in OUTSIDE_SCHEMA:
            undeclared.append(key)
    assert undeclared == [], "served but neither documented nor declared in permissions.toml"
    missing = [key for key in OUTSIDE_SCHEMA if key not in served]
    assert missing == [], "declared in permissions.toml but not served"


def test_every_api_operation_also_answers_on_its_trailing_slash_twin(app):
    for operation in schema_operations(app).values():
        if operation.path.startswith("/api/"):
            twins = variants(app, operation)
            assert operation.path + "/" in twins, operation.id


def test_the_legacy_aliases_serve_every_engine_and_flow_operation(app):
    for operation in schema_operations(app).values():
        for v1, legacy in (("/api/v1/engines", "/api/engines"), ("/api/v1/flows", "/api/flows")):
            if operation.path.startswith(v1):
                aliases = variants(app, operation)
                expected = legacy + operation.path.removeprefix(v1)
                assert expected in aliases, operation.id
                assert expected + "/" in aliases, operation.id


# The matrix ----------------------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
async def test_role_matrix(app, api, operation_id):
    rule = OPERATIONS[operation_id]
    operation = schema_operations(app)[operation_id]
    world = World(api, app)
    outcomes: dict[str, list[int]] = {}
    # Allowed calls get a fresh target each (they may consume it); refused calls share one,
    # since a refusal changes nothing (checked through the audit trail below).
    shared: Prepared | None = None
    for path in variants(app, operation):
        statuses = []
        for principal in PRINCIPALS:
            if allowed(rule, principal):
                prepared = await world.prepare(operation_id)
            else:
                shared = shared or await world.prepare(operation_id)
                prepared = shared
            what = f"{principal} {operation.method} {prepared.url(path)}"
            response = await call(api, operation.method, path, principal, prepared)
            if allowed(rule, principal):
                assert response.status_code not in (401, 403), (what, response.text)
                assert response.status_code == prepared.expect, (what, response.text)
            else:
                await assert_refused(app, response, principal, what)
            statuses.append(response.status_code)
        outcomes[path] = statuses
    # Twins and aliases answer exactly as the documented path, principal by principal.
    assert len(set(map(tuple, outcomes.values()))) == 1, outcomes


@pytest.mark.parametrize("route", sorted(OUTSIDE_SCHEMA))
async def test_routes_outside_the_schema_answer_as_declared(app_with_ui, api, route):
    rule = OUTSIDE_SCHEMA[route]
    assert rule["min"] == PUBLIC, "only public routes may stay out of the OpenAPI document"
    url = rule.get("probe", route.split(" ", 1)[1])
    transport = httpx.ASGITransport(app=app_with_ui, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for principal in PRINCIPALS:
            response = await client.get(url, headers=credentials(api, principal))
            assert response.status_code == 200, (principal, url, response.status_code)


# Object-level authorization (BOLA) ----------------------------------------------------------

OWNER_RULES = sorted(op for op, rule in OPERATIONS.items() if "owner" in rule)


@pytest.fixture
async def second_staff(app):
    """Another staff user with its own token (the fixture staff user is the first)."""
    user = await throwaway_user(app, Role.STAFF)
    return {"Authorization": f"Bearer {await access_token(app, user.id)}"}


@pytest.mark.parametrize("operation_id", OWNER_RULES)
async def test_owner_may_act_on_its_own_draft_but_not_on_another_staff_users(
    app, api, second_staff, operation_id
):
    rule = OPERATIONS[operation_id]
    owner = Role(rule["owner"])
    operation = schema_operations(app)[operation_id]
    world = World(api, app)
    kind = operation_id.rsplit("_", 1)[1]
    prepared = await world.prepare(operation_id)

    # A draft of the other staff user: refused, and unchanged.
    body = {
        "warehouse_id": await world.main(),
        "lines": [{"item_id": await world.item(), "quantity": 1}],
    }
    theirs = (await api.ok("POST", f"/api/v1/{kind}s", 201, json=body, headers=second_staff))["id"]
    before = await api.ok("GET", f"/api/v1/{kind}s/{theirs}", role=owner)
    on_theirs = replace(prepared, path_params={"document_id": theirs})
    for path in variants(app, operation):
        response = await call(api, operation.method, path, str(owner), on_theirs)
        what = f"{owner} {on_theirs.url(path)} (another's draft)"
        await assert_refused(app, response, str(owner), what)
    after = await api.ok("GET", f"/api/v1/{kind}s/{theirs}", role=owner)
    assert after == before
    assert after["allowed_actions"] == []

    # Its own drafts: allowed, on every path.
    for path in variants(app, operation):
        on_mine = replace(
            prepared, path_params={"document_id": await world.fresh_document(kind, "draft", owner)}
        )
        response = await call(api, operation.method, path, str(owner), on_mine)
        assert response.status_code == 200, (on_mine.url(path), response.text)
        assert response.json()["created_by"] == str(
            (await api.ok("GET", "/api/v1/auth/me", role=owner))["id"]
        )


@pytest.mark.parametrize("kind", ["inbound", "outbound"])
async def test_staff_cannot_approve_or_reverse_even_its_own_documents(app, api, kind):
    world = World(api, app)
    mine = await world.fresh_document(kind, "draft", role=Role.STAFF)
    for action in ("approve", "commit", "reopen", "reverse"):
        response = await api.post(
            f"/api/v1/{kind}s/{mine}/{action}",
            role=Role.STAFF,
            json={"reason": "mine"} if action == "reverse" else None,
        )
        await assert_refused(app, response, "staff", f"staff {action} own {kind}")
    assert (await api.ok("GET", f"/api/v1/{kind}s/{mine}"))["status"] == "draft"
