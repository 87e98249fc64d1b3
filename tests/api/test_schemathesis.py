"""Schemathesis against the OpenAPI document, once per role, on a live server.

For every operation Schemathesis generates a few requests from the document (positive data,
derandomized, `MAX_EXAMPLES` each). Path ids are those of real objects made beforehand, so
the requests reach business logic and real response bodies get validated (random ids would
only ever meet 404s). Every answer must conform: no server error, a documented status,
content type, headers and body schema (test plan F1).

Nothing is excluded. The operations that could take away the fixture users' access cannot
reach them: user operations receive a throwaway user's id, and `change_password` / `logout`
need the caller's current password or one of its refresh tokens, which the generator cannot
know. The test checks afterwards that every fixture token still works, and demotes and
deactivates every user created for or by the run (users are kept between tests)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select, update

from erp_engine.identity.model import User
from erp_engine.kernel.roles import Role
from tests.conftest import TEST_SECRET
from tests.support.operations import World, throwaway_user
from tests.support.server import running_server

pytestmark = [pytest.mark.slow]
MAX_EXAMPLES = 3
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPENAPI = "/api/v1/openapi.json"


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory) -> Iterator[str]:
    log_dir = tmp_path_factory.mktemp("schemathesis")
    env = {
        "DATABASE_URL": database_url,
        "JWT_SECRET": TEST_SECRET,
        "ACCESS_TOKEN_MINUTES": "600",
        "DATABASE_POOL_SIZE": "3",
        "ENGINE_COMMIT_SHA": "schemathesis",
        "RATE_LIMIT_DEFAULT": "1000000/minute",
        "RATE_LIMIT_LOGIN_IP": "1000000/minute",
        "RATE_LIMIT_LOGIN_ACCOUNT": "1000000/hour",
        "WEB_DIST": str(log_dir / "no-ui"),
        "LOG_LEVEL": "warning",
    }
    with running_server(env, workers=1, log_dir=log_dir) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def schema(server: str):
    return schemathesis.openapi.from_url(f"{server}{OPENAPI}")


async def real_ids(api, app) -> dict[str, str]:
    """An id of a real object for every path parameter of the document."""
    world = World(api, app)
    return {
        "engine_id": await world.engine(),
        "warehouse_id": await world.warehouse(),
        "item_id": await world.item(),
        "adjustment_id": await world.adjustment(),
        "transfer_id": await world.transfer(),
        "inbound": await world.draft("inbound"),
        "outbound": await world.draft("outbound"),
        "alert_id": await world.alert(),
        "user_id": str((await throwaway_user(app)).id),
        "key_id": await world.api_key(),
        "webhook_id": await world.webhook(),
    }


def path_parameters(operation, ids: dict[str, str]) -> dict[str, str]:
    names = [p.name for p in operation.path_parameters]
    values = {}
    for name in names:
        if name == "document_id":
            values[name] = ids["inbound" if "/inbounds/" in operation.path else "outbound"]
        else:
            assert name in ids, f"real_ids() has no id for the path parameter {name!r}: add one"
            values[name] = ids[name]
    return values


def fuzz(schema, base_url: str, token: str, ids: dict[str, str]) -> list[str]:
    """Run every operation; return the failures, one entry per failing operation."""
    failures = []
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy(path_parameters=path_parameters(operation, ids) or None)

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(case=strategy)
        def run(case):
            case.call_and_validate(
                base_url=base_url, session=session, headers=headers, checks=CHECKS
            )

        try:
            run()
        except Exception as error:  # note it, then go on with the other operations
            label = f"{operation.method.upper()} {operation.path}"
            failures.append(f"{label}: {str(error).strip()[:2000]}")
    return failures


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.MANAGER, Role.ADMIN])
async def test_schemathesis_finds_no_server_error_or_schema_violation(
    app, api, tokens, server, schema, role
):
    users_before = await user_ids(app)
    ids = await real_ids(api, app)
    try:
        failures = fuzz(schema, server, tokens[role], ids)
    finally:
        await neutralise_new_users(app, users_before)
    assert failures == [], "\n\n".join(failures)
    for token in tokens.values():
        response = await api.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, "the run took a fixture user's access away"


async def user_ids(app) -> set[uuid.UUID]:
    async with app.state.read_sessions() as session:
        return set(await session.scalars(select(User.id)))


async def neutralise_new_users(app, before: set[uuid.UUID]) -> None:
    """Users persist between tests: no admin (or anyone) the run created may stay active."""
    async with app.state.write_sessions() as session:
        await session.execute(
            update(User).where(User.id.not_in(before)).values(role="viewer", active=False)
        )
        await session.commit()
