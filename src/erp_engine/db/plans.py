"""PostgreSQL: a document's transaction plans each of its statements once per connection.

asyncpg prepares every statement once per connection, but PostgreSQL still plans a prepared
statement again on each run ("custom plans") while it expects that to pay: it always does
for a statement that takes an array, because the array's length changes its estimate. A
document's path is made of such statements (items by `= ANY($1)`, stock changes that unnest
arrays, the low-stock judgement), all looked up by key, whose plan does not depend on the
values. Planning them was a tenth to a fifth of PostgreSQL's CPU for a create, approve and
commit (0.35-1 ms of 4-6 ms, by the machine's speed); pgbench, replaying the same statements
with their values written in, plans each of them once.

So a use case marked `@plans_once` runs its transactions with `plan_cache_mode =
force_generic_plan`, set in the round trip that begins them. Only those: a plan made once is
kept for every later run, whatever the values, and that is wrong where the values matter. Two
measured cases: lists and reports read outside transactions (a stock list filtered by
warehouse, stock as of a date: up to ten times slower with generic plans everywhere), and a
30,000-item import, whose tables grow by thousands of rows inside its one transaction so the
plan made for its first chunk no longer fits its last (7 → 14.7 s).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

import asyncpg

# SET LOCAL: the setting ends with the transaction, so the connection goes back to the pool
# as it came.
GENERIC_PLANS = " SET LOCAL plan_cache_mode = force_generic_plan;"
_PLANS_ONCE: ContextVar[bool] = ContextVar("erp_plans_once", default=False)

P = ParamSpec("P")
T = TypeVar("T")


def plans_once(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Mark a use case whose statements are keyed lookups of a bounded number of rows: the
    transactions it begins plan each statement once."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        token = _PLANS_ONCE.set(True)
        try:
            return await fn(*args, **kwargs)
        finally:
            _PLANS_ONCE.reset(token)

    return wrapper


class PlansOnceConnection(asyncpg.Connection):
    """An asyncpg connection that begins a `@plans_once` use case's transaction with generic
    plans.

    asyncpg begins a transaction with one `BEGIN …;` command (asyncpg.Transaction.start),
    sent with the simple query protocol, which takes several commands at once: the setting
    travels with it instead of costing a round trip of its own.
    """

    async def execute(self, query: str, *args, **options) -> str:
        if not args and _PLANS_ONCE.get() and query.startswith("BEGIN"):
            query += GENERIC_PLANS
        return await super().execute(query, *args, **options)
