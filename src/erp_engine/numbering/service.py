"""Human document numbers (IN-000001 …), gap-free per type."""

from __future__ import annotations

from erp_engine.numbering.model import format_number


async def next_number(uow, kind: str) -> str:
    """Take the next number for `kind` inside the caller's transaction.

    The counter row stays locked until that transaction ends, and a rollback gives the
    number back, so numbers never skip.
    """
    return format_number(kind, await uow.counters.next_value(kind))
