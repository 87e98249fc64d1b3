"""Users and API keys: the last admin, access that ends now, password policy, key secrets.

The fixture users are shared by the whole session, so every change of role, activity or
password here is made on a throwaway user (ASVS 6.2, 7.4.2, 8.3.2, 11.5.1, 14.2.1; test plan
S-Z6, S-A3, S-A4).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from erp_engine.identity import service as identity_service
from erp_engine.identity.model import ApiKey, User
from erp_engine.kernel.roles import Role
from erp_engine.ops.model import IdempotencyRecord
from tests.conftest import PASSWORD, new_uow
from tests.support.operations import (
    access_token,
    api_without_reset,
    refresh_token,
    throwaway_user,
)

USERS = "/api/v1/users"
KEYS = "/api/v1/api-keys"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/auth/me"
PROBLEM_JSON = "application/problem+json"


@pytest.fixture
async def api(app, tokens):
    """Without a database reset: these tests look only at what they make themselves."""
    async with api_without_reset(app, tokens) as value:
        yield value


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["code"] == code
    return body


def fields(body: dict) -> list[str]:
    return [error["field"] for error in body.get("errors", [])]


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict:
    response = await client.post(LOGIN, json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


async def session(app, user) -> dict:
    """What a login would return, without spending an argon2 verification on it."""
    return {
        "access_token": await access_token(app, user.id),
        "refresh_token": await refresh_token(app, user.id),
    }


async def still_works(client: httpx.AsyncClient, token: str) -> bool:
    response = await client.get(ME, headers=bearer(token))
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


async def refresh_works(client: httpx.AsyncClient, refresh_token: str) -> bool:
    response = await client.post(REFRESH, json={"refresh_token": refresh_token})
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


# The last active admin --------------------------------------------------------------------------


async def test_the_last_active_admin_cannot_be_demoted_deactivated_or_deleted(app, api, role_users):
    admin_id = str(role_users.ids[Role.ADMIN])
    # Other tests make throwaway admins, and one that has acted cannot be deleted: retire any
    # left active, so the fixture admin is the last one here whatever ran before.
    async with new_uow(app) as uow:
        for user in (await uow.session.scalars(select(User).where(User.role == "admin"))).all():
            if str(user.id) != admin_id:
                user.active = False
        await uow.commit()
    admins = await api.ok(
        "GET", USERS, role=Role.ADMIN, params={"role": "admin", "active": "true", "limit": 200}
    )
    assert [u["id"] for u in admins["data"]] == [admin_id]
    before = await api.ok("GET", f"{USERS}/{admin_id}", role=Role.ADMIN)

    for change in (
        {"role": "manager"},
        {"role": "viewer"},
        {"active": False},
        {"role": "staff", "active": False},
    ):
        response = await api.patch(f"{USERS}/{admin_id}", role=Role.ADMIN, json=change)
        problem(response, 409, "conflict")
    problem(await api.delete(f"{USERS}/{admin_id}", role=Role.ADMIN), 409, "conflict")

    assert await api.ok("GET", f"{USERS}/{admin_id}", role=Role.ADMIN) == before
    assert await still_works(api.client, api.tokens[Role.ADMIN])


async def test_an_admin_may_demote_and_deactivate_another_admin(app, api):
    other = await throwaway_user(app, Role.ADMIN)
    url = f"{USERS}/{other.id}"
    demoted = await api.ok("PATCH", url, role=Role.ADMIN, json={"role": "manager"})
    assert demoted["role"] == "manager"
    await api.ok("PATCH", url, role=Role.ADMIN, json={"role": "admin"})
    deactivated = await api.ok(
        "PATCH", url, role=Role.ADMIN, json={"active": False, "role": "viewer"}
    )
    assert (deactivated["active"], deactivated["role"]) == (False, "viewer")


# Access that ends on the next request -----------------------------------------------------------


async def test_a_demoted_user_loses_its_rights_on_the_next_request_with_the_same_token(app, api):
    manager = await throwaway_user(app, Role.MANAGER)
    pair = await session(app, manager)
    assert (
        await api.client.get("/api/v1/audit", headers=bearer(pair["access_token"]))
    ).status_code == 200

    await api.ok("PATCH", f"{USERS}/{manager.id}", role=Role.ADMIN, json={"role": "viewer"})

    problem(
        await api.client.get("/api/v1/audit", headers=bearer(pair["access_token"])),
        401,
        "unauthorized",
    )
    assert not await still_works(api.client, pair["access_token"])
    assert not await refresh_works(api.client, pair["refresh_token"])
    # A new session has the new, lower rights.
    again = await session(app, manager)
    problem(
        await api.client.get("/api/v1/audit", headers=bearer(again["access_token"])),
        403,
        "forbidden",
    )
    assert (
        await api.client.get("/api/v1/items", headers=bearer(again["access_token"]))
    ).status_code == 200


async def test_a_promotion_keeps_the_session(app, api):
    staff = await throwaway_user(app, Role.STAFF)
    pair = await session(app, staff)
    await api.ok("PATCH", f"{USERS}/{staff.id}", role=Role.ADMIN, json={"role": "manager"})
    response = await api.client.get("/api/v1/audit", headers=bearer(pair["access_token"]))
    assert response.status_code == 200, response.text


async def test_a_deactivated_user_loses_access_on_the_next_request(app, api):
    user = await throwaway_user(app, Role.STAFF)
    pair = await login(api.client, user.email, user.password)
    assert await still_works(api.client, pair["access_token"])

    await api.ok("PATCH", f"{USERS}/{user.id}", role=Role.ADMIN, json={"active": False})

    problem(
        await api.client.get("/api/v1/items", headers=bearer(pair["access_token"])),
        401,
        "unauthorized",
    )
    assert not await refresh_works(api.client, pair["refresh_token"])
    problem(
        await api.client.post(LOGIN, json={"email": user.email, "password": user.password}),
        401,
        "unauthorized",
    )
    # Reactivated, it may log in again (the old session stays ended).
    await api.ok("PATCH", f"{USERS}/{user.id}", role=Role.ADMIN, json={"active": True})
    assert not await still_works(api.client, pair["access_token"])
    assert await still_works(
        api.client, (await login(api.client, user.email, user.password))["access_token"]
    )


# Passwords --------------------------------------------------------------------------------------


def weak_passwords(email: str) -> list[tuple[str, str]]:
    return [
        ("short", "Sh0rt!x"),
        ("common", "password123"),
        ("common, any case", "Password123"),
        ("the email", email),
        ("the email, other case", email.upper()),
        ("the email's local part", email.split("@")[0]),
    ]


async def test_user_creation_refuses_weak_passwords_naming_the_field(api):
    email = f"policy-{uuid.uuid4().hex[:8]}@test.example"
    for reason, password in weak_passwords(email):
        response = await api.post(
            USERS,
            role=Role.ADMIN,
            json={"email": email, "name": "Policy", "role": "viewer", "password": password},
        )
        body = problem(response, 422, "validation_error")
        assert fields(body) == ["password"], (reason, body)
    found = await api.ok("GET", USERS, role=Role.ADMIN, params={"q": email})
    assert found["count"] == 0


async def test_user_search_treats_wildcards_literally(app, api):
    user = await throwaway_user(app)

    async def emails(q):
        found = await api.ok("GET", USERS, role=Role.ADMIN, params={"q": q})
        return [row["email"] for row in found["data"]]

    assert await emails(user.email.upper()) == [user.email]
    assert await emails(user.email.replace("-", "_", 1)) == []  # `_` is not a wildcard


async def test_a_password_reset_refuses_weak_passwords_and_keeps_the_old_one(app, api):
    user = await throwaway_user(app)
    for reason, password in weak_passwords(user.email):
        response = await api.post(
            f"{USERS}/{user.id}/password", role=Role.ADMIN, json={"new_password": password}
        )
        assert fields(problem(response, 422, "validation_error")) == ["new_password"], reason
    await login(api.client, user.email, user.password)


async def test_a_password_change_refuses_weak_passwords_and_a_wrong_current_one(app, api):
    user = await throwaway_user(app)
    pair = await session(app, user)
    # One of each kind (each costs a password check; user creation tries all of them).
    checks = [w for w in weak_passwords(user.email) if w[0] in ("short", "common", "the email")]
    for reason, password in checks:
        response = await api.client.post(
            "/api/v1/auth/password",
            headers=bearer(pair["access_token"]),
            json={"current_password": user.password, "new_password": password},
        )
        assert fields(problem(response, 422, "validation_error")) == ["new_password"], reason
    response = await api.client.post(
        "/api/v1/auth/password",
        headers=bearer(pair["access_token"]),
        json={"current_password": "not-my-password-1", "new_password": "a-fine-new-password-2"},
    )
    assert fields(problem(response, 422, "validation_error")) == ["current_password"]
    # Nothing changed: the session and the password are as they were.
    assert await still_works(api.client, pair["access_token"])
    await login(api.client, user.email, user.password)


async def test_an_admin_reset_ends_every_session_of_the_user(app, api):
    user = await throwaway_user(app)
    sessions = [await session(app, user) for _ in range(2)]
    new_password = "reset-by-the-admin-42"

    reset = await api.ok(
        "POST", f"{USERS}/{user.id}/password", role=Role.ADMIN, json={"new_password": new_password}
    )
    assert reset["id"] == str(user.id)

    for pair in sessions:
        assert not await still_works(api.client, pair["access_token"])
        assert not await refresh_works(api.client, pair["refresh_token"])
    problem(
        await api.client.post(LOGIN, json={"email": user.email, "password": user.password}),
        401,
        "unauthorized",
    )
    await login(api.client, user.email, new_password)


async def test_changing_ones_password_ends_the_other_sessions(app, api):
    user = await throwaway_user(app)
    this, other = [await session(app, user) for _ in range(2)]
    new_password = "my-own-new-password-7"

    response = await api.client.post(
        "/api/v1/auth/password",
        headers=bearer(this["access_token"]),
        json={"current_password": user.password, "new_password": new_password},
    )
    assert response.status_code == 200, response.text
    fresh = response.json()

    assert not await still_works(api.client, other["access_token"])
    assert not await refresh_works(api.client, other["refresh_token"])
    assert not await still_works(api.client, this["access_token"])  # replaced by `fresh`
    assert await still_works(api.client, fresh["access_token"])
    assert await refresh_works(api.client, fresh["refresh_token"])
    problem(
        await api.client.post(LOGIN, json={"email": user.email, "password": user.password}),
        401,
        "unauthorized",
    )
    await login(api.client, user.email, new_password)


# Deleting users ---------------------------------------------------------------------------------


async def test_a_user_who_has_acted_cannot_be_deleted_but_may_be_deactivated(app, api):
    staff = await throwaway_user(app, Role.STAFF)
    token = await access_token(app, staff.id)
    item = await api.item()
    warehouse = await api.warehouse()
    draft = await api.client.post(
        "/api/v1/inbounds",
        headers=bearer(token),
        json={"warehouse_id": warehouse["id"], "lines": [{"item_id": item["id"], "quantity": 1}]},
    )
    assert draft.status_code == 201, draft.text

    problem(await api.delete(f"{USERS}/{staff.id}", role=Role.ADMIN), 409, "conflict")
    kept = await api.ok("GET", f"{USERS}/{staff.id}", role=Role.ADMIN)
    assert kept["active"] is True
    deactivated = await api.ok(
        "PATCH", f"{USERS}/{staff.id}", role=Role.ADMIN, json={"active": False}
    )
    assert deactivated["active"] is False
    assert (await api.ok("GET", f"/api/v1/inbounds/{draft.json()['id']}"))["created_by"] == str(
        staff.id
    )


async def test_a_user_who_only_logged_in_cannot_be_deleted(app, api):
    user = await throwaway_user(app)
    await login(api.client, user.email, user.password)
    body = problem(await api.delete(f"{USERS}/{user.id}", role=Role.ADMIN), 409, "conflict")
    assert "deactivate" in body["detail"]
    assert (await api.ok("GET", f"{USERS}/{user.id}", role=Role.ADMIN))["active"] is True


async def test_an_admin_who_made_keys_and_users_is_kept_and_its_keys_stay_independent(app, api):
    admin = await throwaway_user(app, Role.ADMIN)
    token = bearer(await access_token(app, admin.id))  # no login: only what it made counts
    key = await api.client.post(KEYS, headers=token, json={"name": "made by", "role": "viewer"})
    assert key.status_code == 201, key.text
    made = await api.client.post(
        USERS,
        headers=token,
        json={
            "email": f"made-{uuid.uuid4().hex[:8]}@test.example",
            "name": "Made",
            "role": "viewer",
            "password": "made-by-an-admin-3",
        },
    )
    assert made.status_code == 201, made.text

    problem(await api.delete(f"{USERS}/{admin.id}", role=Role.ADMIN), 409, "conflict")
    await api.ok("PATCH", f"{USERS}/{admin.id}", role=Role.ADMIN, json={"active": False})
    # The audit trail still names an existing (deactivated) user.
    rows = await api.ok("GET", "/api/v1/audit", params={"actor_id": str(admin.id)})
    assert {row["action"] for row in rows["data"]} >= {"api_key.created", "user.created"}
    assert (await api.ok("GET", f"{USERS}/{admin.id}", role=Role.ADMIN))["active"] is False
    # Keys are principals of their own (docs/api.md): the maker's leaving does not revoke
    # them; revoking is a separate, explicit step.
    secret = key.json()["secret"]
    assert (await api.client.get("/api/v1/items", headers=bearer(secret))).status_code == 200


async def test_a_user_who_never_acted_is_deleted(app, api):
    user = await throwaway_user(app)
    response = await api.delete(f"{USERS}/{user.id}", role=Role.ADMIN)
    assert response.status_code == 204, response.text
    problem(await api.get(f"{USERS}/{user.id}", role=Role.ADMIN), 404, "not_found")
    problem(
        await api.client.post(LOGIN, json={"email": user.email, "password": user.password}),
        401,
        "unauthorized",
    )


async def test_an_admin_cannot_delete_itself(api, role_users):
    admin_id = role_users.ids[Role.ADMIN]
    problem(await api.delete(f"{USERS}/{admin_id}", role=Role.ADMIN), 409, "conflict")
    assert (await api.ok("GET", f"{USERS}/{admin_id}", role=Role.ADMIN))["active"] is True


async def test_users_are_never_shown_with_their_password_hash(app, api):
    user = await throwaway_user(app)
    for response in (
        await api.get(f"{USERS}/{user.id}", role=Role.ADMIN),
        await api.get(USERS, role=Role.ADMIN, params={"limit": 200}),
        await api.get(ME, role=Role.VIEWER),
    ):
        assert response.status_code == 200
        assert "password" not in response.text
        assert "$argon2" not in response.text
        assert "token_version" not in response.text


# API keys ---------------------------------------------------------------------------------------


async def create_key(api, role: str = "viewer", **fields) -> dict:
    return await api.ok(
        "POST",
        KEYS,
        201,
        role=Role.ADMIN,
        json={"name": f"key {uuid.uuid4().hex[:6]}", "role": role, **fields},
    )


async def test_a_key_secret_is_long_random_and_shown_only_once(app, api):
    first, second = await create_key(api), await create_key(api)
    for key in (first, second):
        assert re.fullmatch(r"erp_[A-Za-z0-9_-]+", key["secret"]), key["secret"]
        # ≥ 128 bits: at least 22 base64url characters (6 bits each) after the prefix.
        assert len(key["secret"]) - len("erp_") >= 22
        assert key["prefix"] == key["secret"][: len(key["prefix"])]
        assert len(key["prefix"]) < len(key["secret"]) - 16
    assert first["secret"] != second["secret"]
    assert first["secret"][4:12] != second["secret"][4:12]

    later = [
        await api.get(f"{KEYS}/{first['id']}", role=Role.ADMIN),
        await api.get(KEYS, role=Role.ADMIN, params={"limit": 200}),
    ]
    for response in later:
        assert response.status_code == 200
        assert first["secret"] not in response.text
        assert "secret" not in response.text
        assert first["prefix"] in response.text

    # The database keeps a hash and the prefix, never the secret.
    async with app.state.read_sessions() as session:
        row = (
            await session.execute(
                select(ApiKey.__table__).where(ApiKey.id == uuid.UUID(first["id"]))
            )
        ).one()
    assert all(first["secret"] not in str(value) for value in row)
    assert row.key_hash != first["secret"]


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            "viewer",
            ["GET /api/v1/items"],
            ["POST /api/v1/engines", "GET /api/v1/audit", "GET /api/v1/users"],
        ),
        ("staff", ["GET /api/v1/items"], ["POST /api/v1/engines", "GET /api/v1/audit"]),
        (
            "manager",
            ["POST /api/v1/engines", "GET /api/v1/audit"],
            ["GET /api/v1/users", "POST /api/v1/api-keys"],
        ),
        ("admin", ["GET /api/v1/users", "GET /api/v1/api-keys"], []),
    ],
)
async def test_a_key_is_a_bearer_token_with_its_own_role(api, role, allowed, refused):
    key = await create_key(api, role)
    for call in allowed + refused:
        method, path = call.split(" ")
        body = {"code": f"K{uuid.uuid4().hex[:6]}", "name": "By key"} if method == "POST" else None
        if path == KEYS:
            body = {"name": "minted by a key", "role": "admin"}
        response = await api.client.request(method, path, headers=bearer(key["secret"]), json=body)
        if call in allowed:
            assert response.status_code in (200, 201), (role, call, response.text)
        else:
            problem(response, 403, "forbidden")


async def test_a_key_has_no_password_and_no_session(api):
    key = await create_key(api, "admin")
    response = await api.client.post(
        "/api/v1/auth/password",
        headers=bearer(key["secret"]),
        json={"current_password": PASSWORD, "new_password": "whatever-new-pass-1"},
    )
    problem(response, 403, "forbidden")
    # A key is not a refresh token either.
    problem(
        await api.client.post(REFRESH, json={"refresh_token": key["secret"]}), 401, "unauthorized"
    )


@pytest.mark.parametrize(
    "expires_at",
    [
        lambda now: (now - timedelta(days=1)).isoformat(),
        lambda now: (now - timedelta(seconds=1)).isoformat(),
        lambda now: (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),  # naive means UTC
    ],
    ids=["yesterday", "a-second-ago", "naive-an-hour-ago"],
)
async def test_a_key_cannot_be_made_already_expired(app, api, expires_at):
    name = f"expired {uuid.uuid4().hex[:6]}"
    response = await api.post(
        KEYS,
        role=Role.ADMIN,
        json={"name": name, "role": "manager", "expires_at": expires_at(datetime.now(UTC))},
    )
    assert fields(problem(response, 422, "validation_error")) == ["expires_at"]
    async with app.state.read_sessions() as session:
        assert not (await session.execute(select(ApiKey.id).where(ApiKey.name == name))).all()


async def test_an_expired_key_is_refused(api, monkeypatch):
    expiry = datetime.now(UTC) + timedelta(hours=1)
    key = await create_key(api, "manager", expires_at=expiry.isoformat())
    # Two hours later, as the key check sees the time.
    monkeypatch.setattr(identity_service, "utcnow", lambda: expiry + timedelta(hours=1))
    problem(
        await api.client.get("/api/v1/items", headers=bearer(key["secret"])), 401, "unauthorized"
    )


async def test_a_key_works_until_its_expiry(api):
    expiry = datetime.now(UTC) + timedelta(hours=1)
    key = await create_key(api, "viewer", expires_at=expiry.isoformat())
    response = await api.client.get("/api/v1/items", headers=bearer(key["secret"]))
    assert response.status_code == 200, response.text
    shown = await api.ok("GET", f"{KEYS}/{key['id']}", role=Role.ADMIN)
    assert abs(datetime.fromisoformat(shown["expires_at"]) - expiry) < timedelta(seconds=1)


async def test_a_revoked_key_is_refused_on_the_next_request(api):
    key = await create_key(api, "manager")
    headers = bearer(key["secret"])
    assert (await api.client.get("/api/v1/items", headers=headers)).status_code == 200

    revoked = await api.delete(f"{KEYS}/{key['id']}", role=Role.ADMIN)
    assert revoked.status_code == 204

    problem(await api.client.get("/api/v1/items", headers=headers), 401, "unauthorized")
    shown = await api.ok("GET", f"{KEYS}/{key['id']}", role=Role.ADMIN)
    assert shown["revoked_at"] is not None
    listed = await api.ok("GET", KEYS, role=Role.ADMIN, params={"active": "false", "limit": 200})
    assert key["id"] in [k["id"] for k in listed["data"]]
    # Revoking again changes nothing; an unknown key is not found.
    assert (await api.delete(f"{KEYS}/{key['id']}", role=Role.ADMIN)).status_code == 204
    problem(await api.delete(f"{KEYS}/{uuid.uuid4()}", role=Role.ADMIN), 404, "not_found")


@pytest.mark.parametrize("parameter", ["api_key", "token", "access_token", "key"])
async def test_credentials_in_the_query_string_are_never_accepted(api, parameter):
    key = await create_key(api, "admin")
    for secret in (key["secret"], api.tokens[Role.ADMIN]):
        response = await api.client.get("/api/v1/users", params={parameter: secret})
        body = problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert secret not in str(body)


async def test_an_unknown_or_malformed_key_is_refused(api):
    key = await create_key(api, "admin")
    for secret in (
        "erp_",
        "erp_" + "A" * 43,
        key["secret"] + "x",
        key["secret"][:-1],
        key["prefix"],
    ):
        problem(await api.client.get("/api/v1/items", headers=bearer(secret)), 401, "unauthorized")


# Idempotent retries never keep or show a secret again -----------------------------------------


async def idempotency_rows(app) -> list:
    async with app.state.read_sessions() as session:
        return list((await session.execute(select(IdempotencyRecord.__table__))).all())


def assert_not_stored(rows: list, *secrets: str) -> None:
    for row in rows:
        text = " ".join(str(value) for value in row)  # bytes print as b'…', text as is
        for secret in secrets:
            assert secret not in text, "a secret is stored for replay"


async def test_an_idempotent_retry_of_a_key_creation_never_keeps_or_shows_the_secret(app, api):
    headers = {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    body = {"name": f"retried robot {uuid.uuid4().hex[:6]}", "role": "viewer"}
    first = await api.post(KEYS, role=Role.ADMIN, json=body, headers=headers)
    assert first.status_code == 201, first.text
    secret = first.json()["secret"]
    assert_not_stored(await idempotency_rows(app), secret)

    retry = await api.post(KEYS, role=Role.ADMIN, json=body, headers=headers)
    answer = problem(retry, 409, "idempotency_secret_withheld")
    assert retry.headers["location"] == first.headers["location"]
    assert first.headers["location"] in answer["detail"]
    assert secret not in retry.text
    # The retry created nothing, and the same key with another body is still refused.
    async with app.state.read_sessions() as session:
        made = (await session.execute(select(ApiKey.id).where(ApiKey.name == body["name"]))).all()
    assert len(made) == 1
    other = await api.post(KEYS, role=Role.ADMIN, json={**body, "role": "admin"}, headers=headers)
    problem(other, 422, "idempotency_key_reused")
    # The first secret still works: the retry revoked nothing.
    assert (await api.client.get("/api/v1/items", headers=bearer(secret))).status_code == 200


async def test_token_answers_and_passwords_are_never_stored_for_an_idempotent_retry(app, api):
    user = await throwaway_user(app)
    pair = await session(app, user)
    new_password = "idempotent-new-password-5"
    changed = await api.client.post(
        "/api/v1/auth/password",
        headers={**bearer(pair["access_token"]), "Idempotency-Key": "change-1"},
        json={"current_password": user.password, "new_password": new_password},
    )
    assert changed.status_code == 200, changed.text
    fresh = changed.json()
    # Login and refresh are recorded too when they carry a valid bearer token.
    with_token = bearer(fresh["access_token"])
    logged_in = await api.client.post(
        LOGIN,
        headers={**with_token, "Idempotency-Key": "login-1"},
        json={"email": user.email, "password": new_password},
    )
    refreshed = await api.client.post(
        REFRESH,
        headers={**with_token, "Idempotency-Key": "refresh-1"},
        json={"refresh_token": fresh["refresh_token"]},
    )
    assert logged_in.status_code == refreshed.status_code == 200
    issued = [
        token
        for answer in (fresh, logged_in.json(), refreshed.json())
        for token in (answer["access_token"], answer["refresh_token"])
    ]
    rows = [row for row in await idempotency_rows(app) if row.principal == f"user:{user.id}"]
    assert len(rows) == 3
    assert_not_stored(rows, *issued, user.password, new_password)
    # Bodies are compared through a keyed digest: a plain SHA-256 of a body holding a
    # password could be brute-forced by whoever reads the table.
    plain = hashlib.sha256(
        b"POST\0/api/v1/auth/password\0\0"
        + json.dumps(
            {"current_password": user.password, "new_password": new_password},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
    ).hexdigest()
    assert plain not in {row.fingerprint for row in rows}

    retry = await api.client.post(
        REFRESH,
        headers={**with_token, "Idempotency-Key": "refresh-1"},
        json={"refresh_token": fresh["refresh_token"]},
    )
    problem(retry, 409, "idempotency_secret_withheld")
    assert all(token not in retry.text for token in issued)
