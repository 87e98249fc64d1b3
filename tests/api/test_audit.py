"""The audit trail: every accepted mutation, every refusal and failed login, and nothing else.

Each mutating operation of the OpenAPI document is called once, successfully, by the lowest
role that may call it; its audit rows are then read by the response's `X-Request-ID`. They
name the caller, hold before/after values, mask secrets, and creates are included (ASVS
16.2.1, 16.3.1, 16.3.2, 16.4.2; test plan S-L1).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from erp_engine.kernel.principal import SYSTEM
from erp_engine.kernel.roles import Role
from tests.support.operations import (
    ANONYMOUS,
    MUTATING,
    PUBLIC,
    World,
    api_without_reset,
    audit_rows,
    documented_operations,
    permissions,
    self_service_password_change,
    throwaway_user,
)

OPERATIONS = permissions()["operations"]
MUTATIONS = sorted(op.id for op in documented_operations().values() if op.method in MUTATING)
SECRET_FIELDS = ("password_hash", "key_hash", "token_hash", "secret")
SECRET_INPUTS = ("password", "new_password", "current_password", "refresh_token")
USER_AGENT = "audit-test/1.0"
AUDIT = "/api/v1/audit"


@pytest.fixture
async def api(app, tokens):
    """Without a database reset: these tests look only at what they make themselves."""
    async with api_without_reset(app, tokens) as value:
        yield value


def assert_no_secrets(rows, *secrets: str) -> None:
    for row in rows:
        text = json.dumps(row.changes or {})
        assert "$argon2" not in text, row.action
        for secret in secrets:
            assert secret not in text, (row.action, "secret in the audit trail")
        for field in SECRET_FIELDS:
            if row.changes and field in row.changes:
                assert set(row.changes[field]) <= {None, "***"}, (row.action, field)


def is_record_change(row) -> bool:
    """A row of the ORM hook (`<entity>.created|updated|deleted`), not an event such as
    `auth.login` or `items.imported`, whose `changes` hold what the event was about."""
    return row.action.rsplit(".", 1)[1] in ("created", "updated", "deleted")


def assert_before_after(row) -> None:
    """ORM rows carry {field: [before, after]}: creates from None, deletes to None."""
    mode = row.action.rsplit(".", 1)[1]
    assert row.changes, row.action
    for field, change in row.changes.items():
        assert isinstance(change, list), (row.action, field, change)
        assert len(change) == 2, (row.action, field, change)
        before, after = change
        if mode == "created":
            assert before is None, (row.action, field)
        elif mode == "deleted":
            assert after is None, (row.action, field)
        elif field not in SECRET_FIELDS:  # both sides of a changed secret read "***"
            assert before != after, (row.action, field)


@pytest.mark.parametrize("operation_id", MUTATIONS)
async def test_every_accepted_mutation_is_audited_with_its_request_id(
    app, api, role_users, operation_id
):
    operation = documented_operations()[operation_id]
    rule = OPERATIONS[operation_id]
    world = World(api, app)
    if operation_id == "change_password":
        prepared = await self_service_password_change(world)
    else:
        prepared = await world.prepare(operation_id)
    principal = ANONYMOUS if rule["min"] == PUBLIC else rule["min"]
    headers = prepared.headers or ({} if principal == ANONYMOUS else api.headers(principal))
    url = prepared.url(operation.path)
    started = datetime.now(UTC) - timedelta(seconds=1)
    response = await prepared.send(
        api.client, operation.method, operation.path, {**headers, "User-Agent": USER_AGENT}
    )
    assert 200 <= response.status_code < 300, (url, response.status_code, response.text)

    request_id = response.headers["x-request-id"]
    rows = await audit_rows(app, request_id)
    assert rows, f"{operation.method} {url} answered {response.status_code} without an audit row"
    actor = prepared.actor_id or role_users.ids[Role(principal)]
    for row in rows:
        assert row.request_id == request_id
        assert row.actor_id == actor, (row.action, row.actor_id, actor)
        assert row.actor_type == "user", row.action
        assert row.ip == "127.0.0.1", row.action
        assert row.user_agent == USER_AGENT, row.action
        assert started <= row.created_at <= datetime.now(UTC), row.action
        assert row.created_at.utcoffset() == timedelta(0)
        if is_record_change(row):
            assert_before_after(row)

    body = response.json() if response.content else {}
    sent = prepared.json or {}
    secrets = [sent[k] for k in SECRET_INPUTS if k in sent]
    secrets += [body[k] for k in ("secret", "access_token", "refresh_token") if k in body]
    assert_no_secrets(rows, *secrets)

    record_rows = [row for row in rows if is_record_change(row)]
    targets = {str(row.entity_id) for row in record_rows}
    if response.status_code == 201 and "id" in body:
        created = [
            r
            for r in record_rows
            if r.action.endswith(".created") and str(r.entity_id) == body["id"]
        ]
        assert created, ("the create is not in the audit trail", [r.action for r in rows])
    for value in prepared.path_params.values():
        if operation.method in ("PATCH", "DELETE"):
            assert value in targets, ("the changed record is not in the audit trail", rows)
    if operation.method == "PATCH":
        row = next(r for r in record_rows if str(r.entity_id) in prepared.path_params.values())
        for field, value in prepared.json.items():
            assert row.changes[field][1] == value, (field, row.changes)


async def test_an_api_key_is_named_as_the_actor_of_its_changes(app, api):
    created = await api.ok(
        "POST", "/api/v1/api-keys", 201, role=Role.ADMIN, json={"name": "robot", "role": "manager"}
    )
    response = await api.client.post(
        "/api/v1/items",
        json={"sku": "BOT-1", "name": "Made by a robot"},
        headers={"Authorization": f"Bearer {created['secret']}"},
    )
    assert response.status_code == 201, response.text
    rows = await audit_rows(app, response.headers["x-request-id"])
    assert [(r.action, r.actor_type, str(r.actor_id)) for r in rows] == [
        ("item.created", "api_key", created["id"])
    ]


async def test_a_refused_request_is_audited_as_forbidden(app, api, role_users):
    response = await api.post(
        "/api/v1/items", role=Role.VIEWER, json={"sku": "NOPE-1", "name": "Not allowed"}
    )
    assert response.status_code == 403
    rows = await audit_rows(app, response.headers["x-request-id"])
    assert [(r.action, r.actor_id, r.actor_type) for r in rows] == [
        ("auth.forbidden", role_users.ids[Role.VIEWER], "user")
    ]
    assert rows[0].changes["method"] == "POST"
    assert rows[0].changes["path"] == "/api/v1/items"
    # Managers find refusals through the API.
    page = await api.ok(
        "GET",
        AUDIT,
        params={"action": "auth.forbidden", "actor_id": str(role_users.ids[Role.VIEWER])},
    )
    assert response.headers["x-request-id"] in [row["request_id"] for row in page["data"]]
    items = await api.ok("GET", "/api/v1/items", params={"q": "NOPE-1"})
    assert items["count"] == 0


async def test_failed_logins_are_audited_without_the_password(app, api, role_users):
    known = role_users.emails[Role.STAFF]
    wrong = await api.client.post(
        "/api/v1/auth/login", json={"email": known.upper(), "password": "wrong-password-77"}
    )
    unknown = await api.client.post(
        "/api/v1/auth/login",
        json={"email": "nobody-here@test.example", "password": "wrong-password-78"},
    )
    # A password typed into the email field (it happens) is not kept either.
    mistyped = await api.client.post(
        "/api/v1/auth/login", json={"email": "my-Secret-pass-80", "password": "x"}
    )
    assert wrong.status_code == unknown.status_code == mistyped.status_code == 401
    (known_row,) = await audit_rows(app, wrong.headers["x-request-id"])
    (unknown_row,) = await audit_rows(app, unknown.headers["x-request-id"])
    (mistyped_row,) = await audit_rows(app, mistyped.headers["x-request-id"])
    rows = [known_row, unknown_row, mistyped_row]
    assert {row.action for row in rows} == {"auth.login_failed"}
    assert known_row.entity_id == role_users.ids[Role.STAFF]
    assert unknown_row.entity_id is mistyped_row.entity_id is None
    assert known_row.changes == {"email": known}
    assert unknown_row.changes == {"email": "nobody-here@test.example"}
    assert mistyped_row.changes == {"email": "(not an email)"}
    for row in rows:
        # Nobody is authenticated: the server itself records the attempt (API.md allows
        # user, api_key and system), never the caller of an earlier request.
        assert (row.actor_type, row.actor_id) == ("system", SYSTEM.id)
    assert_no_secrets(rows, "wrong-password-77", "wrong-password-78", "my-secret-pass-80")


async def test_a_failed_login_after_an_authenticated_request_names_no_actor(app, api):
    # The same client (and context) just made an authenticated request.
    assert (await api.get("/api/v1/auth/me", role=Role.ADMIN)).status_code == 200
    response = await api.client.post(
        "/api/v1/auth/login",
        json={"email": "someone@test.example", "password": "wrong-password-79"},
    )
    assert response.status_code == 401
    (row,) = await audit_rows(app, response.headers["x-request-id"])
    assert (row.action, row.actor_id, row.actor_type) == ("auth.login_failed", SYSTEM.id, "system")


async def test_logins_refreshes_and_logouts_are_audited(app, api):
    user = await throwaway_user(app)
    login = await api.client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": user.password}
    )
    assert login.status_code == 200
    pair = login.json()
    refresh = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert refresh.status_code == 200
    logout = await api.client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": refresh.json()["refresh_token"]},
        headers={"Authorization": f"Bearer {refresh.json()['access_token']}"},
    )
    assert logout.status_code == 204
    for response, action in (
        (login, "auth.login"),
        (refresh, "auth.refresh"),
        (logout, "auth.logout"),
    ):
        rows = await audit_rows(app, response.headers["x-request-id"])
        events = [r for r in rows if r.action == action]
        assert len(events) == 1, (action, [r.action for r in rows])
        assert events[0].actor_id == user.id
        assert events[0].entity_id == user.id
        assert_no_secrets(rows, user.password, pair["refresh_token"], pair["access_token"])


async def test_the_audit_api_finds_a_change_by_entity_and_shows_before_and_after(api, role_users):
    item = await api.item(name="Before")
    patched = await api.client.patch(
        f"/api/v1/items/{item['id']}", json={"name": "After"}, headers=api.headers(Role.MANAGER)
    )
    assert patched.status_code == 200
    page = await api.ok("GET", AUDIT, params={"entity_id": item["id"], "sort": "created_at"})
    assert [row["action"] for row in page["data"]] == ["item.created", "item.updated"]
    update = page["data"][1]
    assert update["changes"]["name"] == ["Before", "After"]
    assert update["request_id"] == patched.headers["x-request-id"]
    assert update["actor_id"] == str(role_users.ids[Role.MANAGER])
    assert update["actor_type"] == "user"
    assert update["entity_type"] == "item"
    assert update["created_at"].endswith("Z")


async def test_every_reader_of_the_log_sees_the_actors_by_name(api, role_users):
    """Managers may read the log but not list users: the rows name the actors themselves."""
    item = await api.item(name="Named")
    key = await api.ok(
        "POST",
        "/api/v1/api-keys",
        201,
        role=Role.ADMIN,
        json={"name": "Shelf robot", "role": "staff"},
    )
    by_key = await api.client.patch(
        f"/api/v1/items/{item['id']}",
        json={"name": "Renamed by a key"},
        headers={"Authorization": f"Bearer {key['secret']}"},
    )
    assert by_key.status_code == 403  # staff may not edit items: a refusal, audited too
    failed = await api.client.post(
        "/api/v1/auth/login", json={"email": "nobody@test.example", "password": "wrong-pass-81"}
    )
    assert failed.status_code == 401
    assert (await api.get("/api/v1/users", role=Role.MANAGER)).status_code == 403

    page = await api.ok("GET", AUDIT, role=Role.MANAGER, params={"entity_id": item["id"]})
    (created,) = page["data"]
    assert (created["actor_id"], created["actor_name"]) == (
        str(role_users.ids[Role.MANAGER]),
        "Test manager",
    )
    refused = await api.ok(
        "GET", AUDIT, role=Role.MANAGER, params={"action": "auth.forbidden", "actor_id": key["id"]}
    )
    assert [(r["actor_type"], r["actor_name"]) for r in refused["data"]] == [
        ("api_key", "Shelf robot")
    ]
    logins = await api.ok("GET", AUDIT, role=Role.MANAGER, params={"action": "auth.login_failed"})
    row = next(r for r in logins["data"] if r["request_id"] == failed.headers["x-request-id"])
    assert (row["actor_type"], row["actor_name"]) == ("system", None)


async def test_no_endpoint_changes_or_deletes_audit_rows(app, api):
    item = await api.item()
    page = await api.ok("GET", AUDIT, params={"entity_id": item["id"]})
    row = page["data"][0]
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in (AUDIT, f"{AUDIT}/"):
            response = await api.request(method, path, role=Role.ADMIN, json={"action": "x"})
            assert response.status_code == 405, (method, path, response.status_code)
        for path in (f"{AUDIT}/{row['id']}", f"{AUDIT}/{row['id']}/"):
            response = await api.request(method, path, role=Role.ADMIN, json={"action": "x"})
            assert response.status_code in (404, 405), (method, path, response.status_code)
    assert (await api.ok("GET", AUDIT, params={"entity_id": item["id"]}))["data"] == [row]
    # The OpenAPI document offers nothing but reading it.
    audit_ops = [
        (m, p) for p, ops in app.openapi()["paths"].items() if p.startswith(AUDIT) for m in ops
    ]
    assert audit_ops == [("get", AUDIT)]


async def test_read_requests_write_no_audit_rows(app, api):
    item = await api.item()
    for path in ("/api/v1/items", f"/api/v1/items/{item['id']}", AUDIT, "/api/v1/auth/me"):
        response = await api.get(path)
        assert response.status_code == 200
        assert await audit_rows(app, response.headers["x-request-id"]) == []


async def test_a_patch_that_changes_nothing_writes_no_audit_row(app, api):
    engine = await api.engine(name="Same")
    response = await api.patch(f"/api/v1/engines/{engine['id']}", json={"name": "Same"})
    assert response.status_code == 200
    assert await audit_rows(app, response.headers["x-request-id"]) == []


async def test_sent_request_ids_are_recorded(app, api):
    request_id = f"client-{uuid.uuid4().hex}"
    response = await api.post(
        "/api/v1/engines", json={"code": "RID", "name": "Rid"}, headers={"X-Request-ID": request_id}
    )
    assert response.status_code == 201
    assert response.headers["x-request-id"] == request_id
    assert [r.action for r in await audit_rows(app, request_id)] == ["engine.created"]


async def test_the_password_change_is_audited_with_the_hash_masked(app, api):
    prepared = await self_service_password_change(World(api, app))
    response = await api.client.post(
        "/api/v1/auth/password", json=prepared.json, headers=prepared.headers
    )
    assert response.status_code == 200
    (row,) = [
        r
        for r in await audit_rows(app, response.headers["x-request-id"])
        if r.action == "user.updated"
    ]
    assert row.changes["password_hash"] == ["***", "***"]
    assert_no_secrets([row], *prepared.json.values())


@pytest.mark.postgres_only
async def test_appended_rows_too_long_for_their_column_are_refused_not_cut(app, backend):
    """Audit, flow and event rows travel as arrays of text (appends.py): a value longer than
    its column fails the transaction as a plain INSERT would, instead of being cut short."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import DBAPIError

    from erp_engine.flows.model import Flow
    from erp_engine.flows.service import record_flow
    from tests.conftest import new_uow

    entity = uuid.uuid4()
    async with new_uow(app) as uow:
        record_flow(uow, entity_type="item", entity_id=entity, action="x" * 17, actor=SYSTEM)
        with pytest.raises(DBAPIError, match="too long"):
            await uow.commit()
    async with new_uow(app) as uow:
        flows = select(func.count()).select_from(Flow).where(Flow.entity_id == entity)
        assert await uow.session.scalar(flows) == 0
