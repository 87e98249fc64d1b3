"""Rate limits: login per address and per account, and the general limit per caller.

Each test builds its own app from `create_app(Settings(...))` with small limits, sharing the
session's database, so the other tests keep their high limits. Every test runs with the
in-memory counters and with Redis (db 15); counters are keyed by throwaway users, random
addresses and fresh emails, so parallel sessions sharing Redis never meet (ASVS 6.3.1,
4.0.3 2.2.1, 15.3.4; test plan S-A2, S-R3).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from prometheus_client import REGISTRY

from erp_engine.api.app import create_app
from erp_engine.identity import service as identity_service
from erp_engine.kernel.roles import Role
from tests.support.operations import (
    access_token,
    api_without_reset,
    audit_rows,
    throwaway_user,
)
from tests.support.server import free_port  # nothing listens on it

REDIS_URL = "redis://127.0.0.1:6379/15"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
PASSWORD_CHANGE = "/api/v1/auth/password"
HIGH = {
    "rate_limit_default": "100000/minute",
    "rate_limit_login_ip": "100000/minute",
    "rate_limit_login_account": "100000/hour",
}


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(params=["memory", "redis"])
def storage(request) -> str:
    if request.param == "redis" and not redis_is_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    return request.param


def random_ip() -> str:
    # TEST-NET and benchmarking ranges: never a trusted proxy, never someone real.
    return str(
        ipaddress.ip_address(
            random.choice([0xC6120000, 0xC6130000])  # 198.18/15
            + random.randrange(1, 0x10000)
        )
    )


@asynccontextmanager
async def limited_app(settings, storage: str, **limits: object):
    update = {**HIGH, **limits}
    if storage == "redis":
        update["redis_url"] = REDIS_URL
    application = create_app(settings.model_copy(update=update))
    try:
        yield application
    finally:
        await application.state.db_engine.dispose()


@asynccontextmanager
async def client_for(application, peer: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(
        app=application, raise_app_exceptions=False, client=(peer, 50000)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def assert_rate_limited(response: httpx.Response, window_s: int) -> None:
    assert response.status_code == 429, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "rate_limited"
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), retry_after
    assert 1 <= int(retry_after) <= window_s, retry_after


@pytest.fixture
async def api(app, tokens):
    """Without a database reset: these tests look only at what they make themselves."""
    async with api_without_reset(app, tokens) as value:
        yield value


@pytest.fixture
def verified(monkeypatch) -> list[str]:
    """The passwords that reached the password check, in order."""
    checked: list[str] = []
    real_verify = identity_service.verify_password

    def counting_verify(password: str, password_hash: str) -> bool:
        checked.append(password)
        return real_verify(password, password_hash)

    monkeypatch.setattr(identity_service, "verify_password", counting_verify)
    return checked


def from_ip(ip: str) -> dict[str, str]:
    """Sent through the local proxy (a trusted peer), which names the client in X-F-F."""
    return {"X-Forwarded-For": ip}


# Login, per address ------------------------------------------------------------------------------


async def test_login_attempts_are_limited_per_client_address(app, settings, storage):
    user = await throwaway_user(app)
    attacker, neighbour = random_ip(), random_ip()
    async with (
        limited_app(settings, storage, rate_limit_login_ip="2/minute") as limited,
        client_for(limited) as client,
    ):
        for n in range(2):
            response = await client.post(
                LOGIN,
                headers=from_ip(attacker),
                json={
                    "email": f"guess-{n}-{attacker}@test.example",
                    "password": "wrong-password-1",
                },
            )
            assert response.status_code == 401, response.text
        # The address has spent its budget: even the right password is refused now.
        for body in (
            {"email": "guess-9@test.example", "password": "wrong-password-1"},
            {"email": user.email, "password": user.password},
        ):
            assert_rate_limited(await client.post(LOGIN, headers=from_ip(attacker), json=body), 60)
        # Another address is not affected.
        response = await client.post(
            LOGIN, headers=from_ip(neighbour), json={"email": user.email, "password": user.password}
        )
        assert response.status_code == 200, response.text


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_gains_nothing(app, settings, storage):
    peer = random_ip()
    async with (
        limited_app(settings, storage, rate_limit_login_ip="2/minute") as limited,
        client_for(limited, peer=peer) as client,
    ):
        statuses = []
        for n in range(4):
            response = await client.post(
                LOGIN,
                headers=from_ip(random_ip()),
                json={"email": f"spoof-{n}-{peer}@test.example", "password": "wrong-password-1"},
            )
            statuses.append(response.status_code)
        assert statuses == [401, 401, 429, 429]


# Login, per account ------------------------------------------------------------------------------


async def test_only_the_configured_number_of_failures_per_account_reach_the_password_check(
    app, settings, storage, verified
):
    user = await throwaway_user(app)
    async with (
        limited_app(settings, storage, rate_limit_login_account="2/hour") as limited,
        client_for(limited) as client,
    ):
        failures = []
        for n in range(2):  # from two addresses: the per-address limit is not what stops it
            response = await client.post(
                LOGIN,
                headers=from_ip(random_ip()),
                json={"email": user.email, "password": f"wrong-guess-{n}-x"},
            )
            assert response.status_code == 401, response.text
            failures.append(response.headers["x-request-id"])
        assert len(verified) == 2

        for password in ("wrong-guess-3-x", user.password):
            response = await client.post(
                LOGIN,
                headers=from_ip(random_ip()),
                json={"email": user.email.upper(), "password": password},
            )
            assert_rate_limited(response, 3600)
        assert len(verified) == 2, "a throttled guess reached the password check"

        # Every failure that was checked is in the audit trail; the throttled ones were not.
        for request_id in failures:
            assert [r.action for r in await audit_rows(app, request_id)] == ["auth.login_failed"]
        # Another account is not affected.
        other = await throwaway_user(app)
        response = await client.post(LOGIN, json={"email": other.email, "password": other.password})
        assert response.status_code == 200, response.text


async def test_parallel_guesses_never_bring_more_failures_to_the_password_check(
    app, settings, storage, verified
):
    user = await throwaway_user(app)
    async with (
        limited_app(settings, storage, rate_limit_login_account="3/hour") as limited,
        client_for(limited) as client,
    ):
        responses = await asyncio.gather(
            *(
                client.post(
                    LOGIN,
                    headers=from_ip(random_ip()),
                    json={"email": user.email, "password": f"parallel-guess-{n}-x"},
                )
                for n in range(12)
            )
        )
        statuses = [r.status_code for r in responses]
        assert 1 <= len(verified) <= 3, statuses
        assert statuses.count(401) == len(verified), statuses
        for response in responses:
            if response.status_code != 401:
                assert_rate_limited(response, 3600)
        # Sequential guesses top the budget up to exactly the limit, and no further.
        for n in range(3):
            await client.post(LOGIN, json={"email": user.email, "password": f"later-guess-{n}-x"})
        assert len(verified) == 3


async def test_successful_logins_do_not_spend_the_accounts_failure_budget(app, settings, storage):
    user = await throwaway_user(app)
    right = {"email": user.email, "password": user.password}
    wrong = {"email": user.email, "password": "wrong-password-x1"}
    async with (
        limited_app(settings, storage, rate_limit_login_account="1/hour") as limited,
        client_for(limited) as client,
    ):
        assert (await client.post(LOGIN, json=right)).status_code == 200
        assert (await client.post(LOGIN, json=right)).status_code == 200
        assert (await client.post(LOGIN, json=wrong)).status_code == 401
        assert_rate_limited(await client.post(LOGIN, json=right), 3600)


async def test_wrong_current_passwords_spend_the_same_budget_as_failed_logins(
    app, settings, storage, verified
):
    user = await throwaway_user(app)
    headers = {"Authorization": f"Bearer {await access_token(app, user.id)}"}
    new_password = "a-new-password-of-mine-6"
    async with (
        limited_app(settings, storage, rate_limit_login_account="2/hour") as limited,
        client_for(limited) as client,
    ):
        for n in range(2):
            response = await client.post(
                PASSWORD_CHANGE,
                headers=headers,
                json={"current_password": f"not-it-{n}-xxxx", "new_password": new_password},
            )
            assert response.status_code == 422, response.text
        # Spent: neither the right current password nor a login gets a check now.
        right = {"current_password": user.password, "new_password": new_password}
        assert_rate_limited(await client.post(PASSWORD_CHANGE, headers=headers, json=right), 3600)
        login = {"email": user.email, "password": user.password}
        assert_rate_limited(await client.post(LOGIN, json=login), 3600)
    assert verified == ["not-it-0-xxxx", "not-it-1-xxxx"]


# Requests without valid credentials, per address -------------------------------------------------


async def test_requests_with_bad_credentials_are_limited_per_client_address(
    app, api, settings, storage
):
    user = await throwaway_user(app, Role.VIEWER)
    token = {"Authorization": f"Bearer {await access_token(app, user.id)}"}
    key = await api.ok(
        "POST", "/api/v1/api-keys", 201, role=Role.ADMIN, json={"name": "k", "role": "viewer"}
    )
    bogus_key = {"Authorization": "Bearer erp_" + "A" * 43}
    attacker, neighbour = random_ip(), random_ip()
    async with (
        limited_app(settings, storage, rate_limit_anonymous_ip="3/minute") as limited,
        client_for(limited) as client,
    ):
        bad = [
            client.get("/api/v1/items", headers={**bogus_key, **from_ip(attacker)}),
            client.get("/api/v1/items", headers=from_ip(attacker)),
            client.post(REFRESH, headers=from_ip(attacker), json={"refresh_token": "forged-1"}),
        ]
        assert [(await request).status_code for request in bad] == [401, 401, 401]
        # Spent: whatever the address sends without a valid access token is refused unread.
        for response in (
            await client.get("/api/v1/items", headers={**bogus_key, **from_ip(attacker)}),
            await client.post(REFRESH, headers=from_ip(attacker), json={"refresh_token": "x"}),
            await client.get(
                "/api/v1/items",
                headers={"Authorization": f"Bearer {key['secret']}", **from_ip(attacker)},
            ),
        ):
            assert_rate_limited(response, 60)
        # A signed-in user behind the same address, and other addresses, are not affected.
        ok = await client.get("/api/v1/items", headers={**token, **from_ip(attacker)})
        assert ok.status_code == 200, ok.text
        other = await client.get("/api/v1/items", headers={**bogus_key, **from_ip(neighbour)})
        assert other.status_code == 401


# The general limit, per caller ------------------------------------------------------------------


async def test_each_caller_has_its_own_general_limit(app, settings, storage):
    first, second = await throwaway_user(app, Role.VIEWER), await throwaway_user(app, Role.VIEWER)
    first_auth = {"Authorization": f"Bearer {await access_token(app, first.id)}"}
    second_auth = {"Authorization": f"Bearer {await access_token(app, second.id)}"}
    async with (
        limited_app(settings, storage, rate_limit_default="5/minute") as limited,
        client_for(limited) as client,
    ):
        for _ in range(5):
            assert (await client.get("/api/v1/items", headers=first_auth)).status_code == 200
        for path in ("/api/v1/items", "/api/v1/auth/me", "/api/v1/warehouses"):
            assert_rate_limited(await client.get(path, headers=first_auth), 60)
        # Neither another caller nor the public probes are held back by it.
        assert (await client.get("/api/v1/items", headers=second_auth)).status_code == 200
        assert (await client.get("/livez")).status_code == 200


async def test_an_api_key_has_its_own_general_limit(app, api, settings, storage):
    key = await api.ok(
        "POST",
        "/api/v1/api-keys",
        201,
        role=Role.ADMIN,
        json={"name": "busy robot", "role": "viewer"},
    )
    headers = {"Authorization": f"Bearer {key['secret']}"}
    async with (
        limited_app(settings, storage, rate_limit_default="3/minute") as limited,
        client_for(limited) as client,
    ):
        statuses = [
            (await client.get("/api/v1/items", headers=headers)).status_code for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]


async def test_redis_counts_one_limit_across_workers(app, settings):
    if not redis_is_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    user = await throwaway_user(app)
    headers = {"Authorization": f"Bearer {await access_token(app, user.id)}"}
    async with (
        limited_app(settings, "redis", rate_limit_default="4/minute") as worker_1,
        limited_app(settings, "redis", rate_limit_default="4/minute") as worker_2,
        client_for(worker_1) as one,
        client_for(worker_2) as two,
    ):
        statuses = [
            (await client.get("/api/v1/items", headers=headers)).status_code
            for client in (one, two, one, two, one, two)
        ]
    assert statuses == [200, 200, 200, 200, 429, 429]


async def test_in_memory_counters_are_per_worker(app, settings):
    # Documented: without REDIS_URL each worker counts alone (`erp serve` warns about it).
    user = await throwaway_user(app)
    headers = {"Authorization": f"Bearer {await access_token(app, user.id)}"}
    async with (
        limited_app(settings, "memory", rate_limit_default="2/minute") as worker_1,
        limited_app(settings, "memory", rate_limit_default="2/minute") as worker_2,
        client_for(worker_1) as one,
        client_for(worker_2) as two,
    ):
        statuses = [
            (await client.get("/api/v1/items", headers=headers)).status_code
            for client in (one, two, one, two, one, two)
        ]
    assert statuses == [200, 200, 200, 200, 429, 429]


async def test_an_unreachable_redis_falls_back_to_limits_in_memory(app, settings, verified):
    user, other = await throwaway_user(app), await throwaway_user(app)
    headers = {"Authorization": f"Bearer {await access_token(app, user.id)}"}
    warnings: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = warnings.append
    logging.getLogger("erp_engine.ratelimit").addHandler(handler)
    failures_before = REGISTRY.get_sample_value("erp_rate_limit_storage_errors_total") or 0
    try:
        async with (
            limited_app(
                settings,
                "memory",
                redis_url=f"redis://127.0.0.1:{free_port()}/0",
                rate_limit_default="3/minute",
                rate_limit_login_account="2/hour",
            ) as limited,
            client_for(limited) as client,
        ):
            statuses = [
                (await client.get("/api/v1/items", headers=headers)).status_code for _ in range(4)
            ]
            assert statuses == [200, 200, 200, 429]
            # Logins are still throttled, and still work.
            guesses = [
                await client.post(LOGIN, json={"email": user.email, "password": f"guess-{n}-xx"})
                for n in range(3)
            ]
            assert [r.status_code for r in guesses] == [401, 401, 429]
            assert len(verified) == 2
            right = {"email": other.email, "password": other.password}
            assert (await client.post(LOGIN, json=right)).status_code == 200
    finally:
        logging.getLogger("erp_engine.ratelimit").removeHandler(handler)
    assert warnings, "the fallback is not logged"
    assert "memory" in warnings[0].getMessage()
    assert REGISTRY.get_sample_value("erp_rate_limit_storage_errors_total") > failures_before


async def test_limits_can_be_switched_off(app, settings):
    user = await throwaway_user(app)
    headers = {"Authorization": f"Bearer {await access_token(app, user.id)}"}
    async with (
        limited_app(
            settings, "memory", rate_limit_default="1/minute", rate_limit_enabled=False
        ) as limited,
        client_for(limited) as client,
    ):
        statuses = [
            (await client.get("/api/v1/items", headers=headers)).status_code for _ in range(3)
        ]
    assert statuses == [200, 200, 200]
