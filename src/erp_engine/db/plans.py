"""PostgreSQL: statements inside a transaction are planned once per connection, not per run.

asyncpg prepares every statement once per connection, but PostgreSQL still plans a prepared
statement again on each run ("custom plans") while it expects that to pay: it always does
for a statement that takes an array, because the array's length changes its estimate. The
write path is made of such statements (items by `= ANY($1)`, stock changes that unnest
arrays, the low-stock judgement), all looked up by key, whose plan never depends on the
values. Planning them was a fifth of PostgreSQL's time for a create, approve and commit
(about 1 ms of 5); pgbench, replaying the same statements with their values written in,
plans each of them once.

So every transaction runs with `plan_cache_mode = force_generic_plan`, set in the round
trip that begins it. Reads run outside transactions (db/engine.py: `reading`) and keep
PostgreSQL's choice: there a value can matter (a stock list filtered by warehouse, stock
as of a date), and forcing generic plans on them measured up to ten times slower.
"""

from __future__ import annotations

import asyncpg

# SET LOCAL: the setting ends with the transaction, so the connection goes back to the pool
# as it came.
GENERIC_PLANS = " SET LOCAL plan_cache_mode = force_generic_plan;"


class GenericPlansInTransactions(asyncpg.Connection):
    """An asyncpg connection whose transactions plan each prepared statement once.

    asyncpg begins a transaction with one `BEGIN …;` command (asyncpg.Transaction.start),
    sent with the simple query protocol, which takes several commands at once: the setting
    travels with it instead of costing a round trip of its own.
    """

    async def execute(self, query: str, *args, **options) -> str:
        if not args and query.startswith("BEGIN"):
            query += GENERIC_PLANS
        return await super().execute(query, *args, **options)
