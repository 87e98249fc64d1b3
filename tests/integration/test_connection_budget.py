"""`erp serve` on PostgreSQL checks that its workers' pools fit in max_connections."""

from __future__ import annotations

import asyncpg

from erp_engine.db.budget import ConnectionBudget, connection_budget
from erp_engine.settings import Settings
from tests.support.postgres import ADMIN_DSN, ADMIN_URL


def _settings(url: str = ADMIN_URL, pool_size: int = 5) -> Settings:
    return Settings(database_url=url, database_pool_size=pool_size, _env_file=None)


def test_the_budget_counts_each_workers_burst_and_listener():
    budget = ConnectionBudget(workers=4, pool_size=5, max_connections=100, reserved=3, in_use=20)
    assert (budget.needed, budget.free) == (44, 77)
    assert budget.shortfall() is None
    tight = ConnectionBudget(workers=9, pool_size=5, max_connections=100, reserved=3, in_use=20)
    assert tight.needed == 99
    assert tight.shortfall() == (
        "9 workers × (2 × DATABASE_POOL_SIZE 5 + 1) may open 99 connections, but PostgreSQL "
        "has 77 free (max_connections 100 − 3 reserved − 20 in use): under load, requests "
        "will fail with 503. Use fewer --workers or a smaller DATABASE_POOL_SIZE, or raise "
        "max_connections (docs/operations/deployment.md, Connections)"
    )


async def test_the_budget_is_read_from_the_server_and_counts_other_connections():
    admin = await asyncpg.connect(ADMIN_DSN)
    held = [await asyncpg.connect(ADMIN_DSN) for _ in range(3)]
    try:
        max_connections = int(await admin.fetchval("SHOW max_connections"))
        reserved = int(await admin.fetchval("SHOW superuser_reserved_connections"))
        budget = await connection_budget(_settings(), workers=2)
        assert budget is not None
        assert (budget.max_connections, budget.reserved) == (max_connections, reserved)
        assert budget.in_use >= 4  # the admin connection and the three held ones
        assert budget.shortfall() is None
        too_many = await connection_budget(_settings(), workers=max_connections)
        assert f"{max_connections} workers" in too_many.shortfall()
    finally:
        for connection in (admin, *held):
            await connection.close()


async def test_an_unreachable_server_means_no_check_not_no_server():
    # Port 1 refuses at once on loopback.
    assert await connection_budget(_settings("postgresql+asyncpg://u@127.0.0.1:1/x"), 2) is None
