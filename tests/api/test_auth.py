"""Logging in, tokens that are refused, refresh rotation, logout, and what each role may do."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from erp_engine.identity import service as identity_service
from erp_engine.kernel.roles import Role
from tests.conftest import PASSWORD, TEST_SECRET

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


def assert_unauthorized(response: httpx.Response) -> dict:
    assert response.status_code == 401, (response.status_code, response.text)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "unauthorized"
    assert body["status"] == 401
    return body


def assert_forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "forbidden"


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict:
    response = await client.post(LOGIN, json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims_for(user_id: uuid.UUID, settings, **overrides) -> dict:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "typ": "access",
        "tv": 0,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def forge(user_id: uuid.UUID, settings, *, secret: str = TEST_SECRET, **overrides) -> str:
    return jwt.encode(claims_for(user_id, settings, **overrides), secret, algorithm="HS256")


# Login ------------------------------------------------------------------------------------


async def test_login_with_json_returns_a_working_token_pair(client, role_users, settings):
    pair = await login(client, role_users.emails[Role.STAFF])
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == settings.access_token_minutes * 60
    assert pair["refresh_token"]
    me = await client.get(ME, headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == role_users.emails[Role.STAFF]


async def test_login_with_the_oauth2_password_form_works(client, role_users):
    response = await client.post(
        LOGIN,
        data={
            "username": role_users.emails[Role.VIEWER],
            "password": PASSWORD,
            "grant_type": "password",
        },
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    me = await client.get(ME, headers=bearer(token))
    assert me.json()["id"] == str(role_users.ids[Role.VIEWER])


async def test_login_email_is_case_insensitive(client, role_users):
    pair = await login(client, role_users.emails[Role.MANAGER].upper())
    me = await client.get(ME, headers=bearer(pair["access_token"]))
    assert me.json()["role"] == "manager"


async def test_wrong_password_and_unknown_email_get_the_same_401(client, role_users):
    wrong_password = await client.post(
        LOGIN, json={"email": role_users.emails[Role.ADMIN], "password": "not-the-password"}
    )
    unknown_email = await client.post(
        LOGIN, json={"email": "nobody@test.example", "password": "not-the-password"}
    )
    wrong_form = await client.post(
        LOGIN, data={"username": role_users.emails[Role.ADMIN], "password": "nope"}
    )
    assert_unauthorized(wrong_password)
    assert_unauthorized(unknown_email)
    assert_unauthorized(wrong_form)
    assert wrong_password.json() == unknown_email.json() == wrong_form.json()
    assert "refresh_token" not in wrong_password.text


async def test_a_password_check_does_not_stall_other_requests(client, role_users, monkeypatch):
    # The check waits until another request has been answered: on the event loop it would
    # block that request instead, and time out.
    checking, other_answered = threading.Event(), threading.Event()
    waited: list[bool] = []
    real_verify = identity_service.verify_password

    def verify_once_another_request_is_answered(password: str, password_hash: str) -> bool:
        checking.set()
        waited.append(other_answered.wait(timeout=10))
        return real_verify(password, password_hash)

    monkeypatch.setattr(
        identity_service, "verify_password", verify_once_another_request_is_answered
    )
    login = asyncio.create_task(
        client.post(LOGIN, json={"email": role_users.emails[Role.VIEWER], "password": PASSWORD})
    )
    assert await asyncio.to_thread(checking.wait, 10)
    assert (await client.get("/livez")).status_code == 200
    other_answered.set()
    assert (await login).status_code == 200
    assert waited == [True]


async def test_login_without_credentials_is_a_validation_problem(client):
    response = await client.post(LOGIN, json={"email": "someone@test.example"})
    assert response.status_code == 422
    assert "password" in {e["field"] for e in response.json()["errors"]}
    form = await client.post(LOGIN, data={"username": "someone@test.example"})
    assert form.status_code == 422


async def test_login_refuses_unknown_fields(client, role_users):
    response = await client.post(
        LOGIN,
        json={"email": role_users.emails[Role.STAFF], "password": PASSWORD, "role": "admin"},
    )
    assert response.status_code == 422
    assert "role" in {e["field"] for e in response.json()["errors"]}


# Refused tokens ---------------------------------------------------------------------------


async def test_missing_token_is_401_with_www_authenticate(client):
    assert_unauthorized(await client.get("/api/v1/items"))
    assert_unauthorized(await client.get(ME))


@pytest.mark.parametrize(
    "authorization",
    ["Bearer garbage", "Bearer ", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "garbage", "Bearer erp_x"],
)
async def test_garbage_authorization_is_401(client, authorization):
    response = await client.get("/api/v1/items", headers={"Authorization": authorization})
    assert_unauthorized(response)


async def test_a_well_forged_token_is_accepted_so_the_refusals_below_mean_something(
    client, role_users, settings
):
    token = forge(role_users.ids[Role.VIEWER], settings)
    response = await client.get(ME, headers=bearer(token))
    assert response.status_code == 200
    assert response.json()["email"] == role_users.emails[Role.VIEWER]


async def test_expired_token_is_401(client, role_users, settings):
    now = datetime.now(UTC)
    token = forge(
        role_users.ids[Role.ADMIN],
        settings,
        iat=now - timedelta(hours=2),
        nbf=now - timedelta(hours=2),
        exp=now - timedelta(seconds=30),
    )
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_token_signed_with_another_secret_is_401(client, role_users, settings):
    token = forge(role_users.ids[Role.ADMIN], settings, secret="another-secret-" + "y" * 40)
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_tampered_token_is_401(client, role_users, settings, tokens):
    header, payload, signature = tokens[Role.VIEWER].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(role_users.ids[Role.ADMIN])
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    token = f"{header}.{forged}.{signature}"
    assert_unauthorized(await client.get(ME, headers=bearer(token)))
    assert_unauthorized(
        await client.post("/api/v1/engines", json={"code": "X", "name": "x"}, headers=bearer(token))
    )


async def test_unsigned_alg_none_token_is_401(client, role_users, settings):
    token = jwt.encode(claims_for(role_users.ids[Role.ADMIN], settings), None, algorithm="none")
    assert_unauthorized(await client.get(ME, headers=bearer(token)))
    assert_unauthorized(await client.get(ME, headers=bearer(token + "signature")))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_token_with_another_algorithm_is_401(client, role_users, settings):
    token = jwt.encode(
        claims_for(role_users.ids[Role.ADMIN], settings), TEST_SECRET, algorithm="HS512"
    )
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "someone-else"},
        {"iss": "someone-else"},
        {"aud": None},
        {"iss": None},
        {"exp": None},
        {"typ": "refresh"},
        {"sub": "not-a-uuid"},
        {"sub": str(uuid.uuid4())},
        {"tv": 1},
    ],
    ids=[
        "wrong-aud",
        "wrong-iss",
        "no-aud",
        "no-iss",
        "no-exp",
        "not-access",
        "bad-sub",
        "unknown-user",
        "old-token-version",
    ],
)
async def test_token_with_wrong_claims_is_401(client, role_users, settings, overrides):
    token = forge(role_users.ids[Role.ADMIN], settings, **overrides)
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_unauthenticated_write_is_401_and_creates_nothing(client, api):
    response = await client.post("/api/v1/engines", json={"code": "ANON", "name": "Anon"})
    assert_unauthorized(response)
    assert (await api.ok("GET", "/api/v1/engines"))["count"] == 0


# Refresh and logout -----------------------------------------------------------------------


async def test_refresh_rotates_the_pair(client, role_users):
    first = await login(client, role_users.emails[Role.STAFF])
    response = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["token_type"] == "bearer"
    me = await client.get(ME, headers=bearer(second["access_token"]))
    assert me.json()["email"] == role_users.emails[Role.STAFF]
    third = await client.post(REFRESH, json={"refresh_token": second["refresh_token"]})
    assert third.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client, role_users):
    first = await login(client, role_users.emails[Role.STAFF])
    second = (await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})).json()
    replay = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert_unauthorized(replay)
    newer = await client.post(REFRESH, json={"refresh_token": second["refresh_token"]})
    assert_unauthorized(newer)


async def test_reuse_in_one_session_leaves_other_sessions_alone(client, role_users):
    email = role_users.emails[Role.STAFF]
    stolen = await login(client, email)
    other = await login(client, email)
    await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})
    assert_unauthorized(await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]}))
    response = await client.post(REFRESH, json={"refresh_token": other["refresh_token"]})
    assert response.status_code == 200


@pytest.mark.parametrize("token", ["garbage", "x" * 64])
async def test_unknown_refresh_token_is_401(client, token):
    assert_unauthorized(await client.post(REFRESH, json={"refresh_token": token}))


async def test_a_refresh_token_is_not_an_access_token(client, role_users):
    pair = await login(client, role_users.emails[Role.VIEWER])
    assert_unauthorized(await client.get(ME, headers=bearer(pair["refresh_token"])))
    assert (await client.get(ME, headers=bearer(pair["access_token"]))).status_code == 200


async def test_an_access_token_is_not_a_refresh_token(client, tokens):
    response = await client.post(REFRESH, json={"refresh_token": tokens[Role.ADMIN]})
    assert_unauthorized(response)


async def test_logout_revokes_the_refresh_token(client, role_users):
    pair = await login(client, role_users.emails[Role.VIEWER])
    response = await client.post(
        LOGOUT,
        json={"refresh_token": pair["refresh_token"]},
        headers=bearer(pair["access_token"]),
    )
    assert response.status_code == 204
    assert_unauthorized(await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}))


async def test_logout_never_ends_someone_elses_session(client, role_users):
    theirs = await login(client, role_users.emails[Role.STAFF])
    mine = await login(client, role_users.emails[Role.VIEWER])
    response = await client.post(
        LOGOUT,
        json={"refresh_token": theirs["refresh_token"]},
        headers=bearer(mine["access_token"]),
    )
    assert response.status_code == 204  # as for an unknown token: nothing to learn here
    response = await client.post(REFRESH, json={"refresh_token": theirs["refresh_token"]})
    assert response.status_code == 200, response.text
    response = await client.post(REFRESH, json={"refresh_token": mine["refresh_token"]})
    assert response.status_code == 200, response.text


async def test_logout_needs_authentication(client, role_users):
    pair = await login(client, role_users.emails[Role.VIEWER])
    assert_unauthorized(await client.post(LOGOUT, json={"refresh_token": pair["refresh_token"]}))
    response = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 200


# The caller -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_me_returns_the_caller(api, role_users, role):
    me = await api.ok("GET", ME, role=role)
    assert me["id"] == str(role_users.ids[role])
    assert me["email"] == role_users.emails[role]
    assert me["role"] == role.value
    assert me["active"] is True
    assert "password_hash" not in me
    assert "password" not in json.dumps(me)


# Roles ------------------------------------------------------------------------------------


def _create_body(kind: str) -> dict:
    unique = uuid.uuid4().hex[:8].upper()
    if kind == "items":
        return {"sku": f"R-{unique}", "name": "Role test"}
    return {"code": f"R{unique}", "name": "Role test"}


KINDS = ["engines", "items", "warehouses"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", list(Role))
async def test_every_role_may_read_the_catalog(api, kind, role):
    page = await api.ok("GET", f"/api/v1/{kind}", role=role)
    assert "data" in page


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF])
async def test_viewers_and_staff_may_not_create_catalog_entries(api, kind, role):
    before = (await api.ok("GET", f"/api/v1/{kind}"))["count"]
    assert_forbidden(await api.post(f"/api/v1/{kind}", json=_create_body(kind), role=role))
    assert (await api.ok("GET", f"/api/v1/{kind}"))["count"] == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
async def test_managers_and_admins_may_create_catalog_entries(api, kind, role):
    response = await api.post(f"/api/v1/{kind}", json=_create_body(kind), role=role)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("kind", KINDS)
async def test_only_managers_and_up_may_edit_catalog_entries(api, kind):
    created = await api.ok("POST", f"/api/v1/{kind}", 201, json=_create_body(kind))
    path = f"/api/v1/{kind}/{created['id']}"
    for role in (Role.VIEWER, Role.STAFF):
        assert_forbidden(await api.patch(path, json={"name": f"by {role}"}, role=role))
    assert (await api.ok("GET", path))["name"] == "Role test"
    for role in (Role.MANAGER, Role.ADMIN):
        response = await api.patch(path, json={"name": f"by {role}"}, role=role)
        assert response.status_code == 200
        assert response.json()["name"] == f"by {role}"


@pytest.mark.parametrize("kind", KINDS)
async def test_only_admins_may_delete_catalog_entries(api, kind):
    created = await api.ok("POST", f"/api/v1/{kind}", 201, json=_create_body(kind))
    path = f"/api/v1/{kind}/{created['id']}"
    for role in (Role.VIEWER, Role.STAFF, Role.MANAGER):
        assert_forbidden(await api.delete(path, role=role))
        assert (await api.get(path)).status_code == 200
    assert (await api.delete(path, role=Role.ADMIN)).status_code == 204
    assert (await api.get(path)).status_code == 404


async def test_staff_may_create_documents_but_viewers_may_not(api):
    item = await api.item()
    warehouse = await api.main_warehouse()
    body = {"warehouse_id": warehouse["id"], "lines": [{"item_id": item["id"], "quantity": 1}]}
    assert_forbidden(await api.post("/api/v1/inbounds", json=body, role=Role.VIEWER))
    response = await api.post("/api/v1/inbounds", json=body, role=Role.STAFF)
    assert response.status_code == 201, response.text
    assert (await api.ok("GET", "/api/v1/inbounds"))["count"] == 1


async def test_viewers_may_read_the_flow_journal(api):
    await api.engine()
    flows = await api.ok("GET", "/api/v1/flows", role=Role.VIEWER)
    assert flows["count"] == 1
