"""Page parameters as a FastAPI dependency."""

from __future__ import annotations

from fastapi import Query

from erp_engine.db.pagination import MAX_LIMIT, PageParams

# Beyond this the OFFSET no longer fits the databases' 64-bit integers: a 422, not a 500.
MAX_PAGE = (2**63 - 1) // MAX_LIMIT


async def page_params(
    page: int = Query(1, ge=1, le=MAX_PAGE, description="1-based page number"),
    limit: int = Query(20, ge=1, le=MAX_LIMIT, description="rows per page (1-200)"),
    sort: str | None = Query(None, description="field name, `-` prefix for descending"),
) -> PageParams:
    return PageParams(page=page, limit=limit, sort=sort)
