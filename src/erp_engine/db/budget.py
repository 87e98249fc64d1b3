"""PostgreSQL: do the workers `erp serve` is about to start fit in `max_connections`?

Each worker may hold `connections_per_worker` (db/engine.py) at once. When they do not fit,
nothing fails at start: requests fail later, under load, with 503s (PostgreSQL's "too many
clients", sqlstate 53300). So the server says so before it starts, with the numbers, while
there is still time to size things.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from erp_engine.db.engine import connections_per_worker, create_engine, driver_connector
from erp_engine.settings import Settings

CHECK_TIMEOUT_S = 3.0

_QUERY = """
SELECT current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int,
       (SELECT count(*) FROM pg_stat_activity
         WHERE backend_type = 'client backend' AND pid <> pg_backend_pid())::int
"""


@dataclass(frozen=True, slots=True)
class ConnectionBudget:
    workers: int
    pool_size: int
    max_connections: int
    reserved: int
    in_use: int

    @property
    def needed(self) -> int:
        return self.workers * connections_per_worker(self.pool_size)

    @property
    def free(self) -> int:
        return self.max_connections - self.reserved - self.in_use

    def shortfall(self) -> str | None:
        """What to tell the operator when the workers may not fit, else None."""
        if self.needed <= self.free:
            return None
        return (
            f"{self.workers} workers × (2 × DATABASE_POOL_SIZE {self.pool_size} + 1) may open "
            f"{self.needed} connections, but PostgreSQL has {self.free} free "
            f"(max_connections {self.max_connections} − {self.reserved} reserved − "
            f"{self.in_use} in use): under load, requests will fail with 503. Use fewer "
            "--workers or a smaller DATABASE_POOL_SIZE, or raise max_connections "
            "(docs/operations/deployment.md, Connections)"
        )


async def connection_budget(settings: Settings, workers: int) -> ConnectionBudget | None:
    """The budget as PostgreSQL sees it now; None if it does not answer within a few
    seconds (the server starts anyway and /readyz reports the database)."""
    engine = create_engine(settings)
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            connection = await driver_connector(engine, "erp-engine serve check")()
            try:
                max_connections, reserved, in_use = await connection.fetchrow(_QUERY)
            finally:
                await connection.close()
    except Exception:  # unreachable, refused, timed out: no check, but still a server
        return None
    finally:
        await engine.dispose()
    return ConnectionBudget(workers, settings.database_pool_size, max_connections, reserved, in_use)
