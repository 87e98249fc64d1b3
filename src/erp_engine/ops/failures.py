"""What an unexpected exception means for the caller: our bug (500) or an outage (503)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from erp_engine.uow import sqlstate

# SQLSTATE classes that mean "the database cannot serve us right now", not "this request is
# wrong": connection exceptions (08), insufficient resources such as too many connections
# (53), operator intervention such as a shutdown in progress (57P).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")


def database_unavailable(error: BaseException) -> bool:
    """True when the database is down, unreachable or out of connections: worth a retry."""
    if isinstance(error, PoolTimeoutError | ConnectionError):
        return True
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or (sqlstate(error) or "").startswith(
            _UNAVAILABLE_SQLSTATES
        )
    return False


def describe(error: BaseException) -> str:
    """The exception's type, its driver's type and SQLSTATE: enough to find it, never SQL."""
    original = getattr(error, "orig", None)
    parts = [type(error).__name__]
    if original is not None:
        parts.append(type(original).__name__)
    if state := sqlstate(error):
        parts.append(f"sqlstate {state}")
    return " / ".join(parts)
