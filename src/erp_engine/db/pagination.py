"""The list envelope, sort validation and one-page queries for every read side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from erp_engine.errors import ValidationError, field_error

T = TypeVar("T")
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    data: list[T]
    count: int
    page: int
    limit: int


@dataclass(frozen=True, slots=True)
class PageParams:
    page: int
    limit: int
    sort: str | None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def page_answer(data: list[dict[str, Any]], total: int, params: PageParams) -> dict[str, Any]:
    """A page as the plain dict `Page` serialises to."""
    return {"data": data, "count": total, "page": params.page, "limit": params.limit}


def order_by(sort: str | None, columns: dict[str, Any], default: list[Any]) -> list[Any]:
    """Translate `sort=-field` into ORDER BY, with a stable tie-breaker.

    Raises:
        ValidationError: the field is not sortable.
    """
    if not sort:
        return default
    descending = sort.startswith("-")
    name = sort.lstrip("-+")
    column = columns.get(name)
    if column is None:
        options = ", ".join(sorted(columns))
        raise ValidationError(
            f"Cannot sort by {name!r}.",
            errors=[field_error("sort", "one_of", f"Use one of: {options}.", options=options)],
        )
    return [column.desc() if descending else column.asc(), *default]


def _count_of(stmt: Select) -> Select:
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def bound_filters(filters: dict[str, Any], names) -> list[Any]:
    """The conditions `filters` (name -> a function making a condition on a bind parameter
    of that name) gives for the filters `names`, in a stable order: a list's page statement
    is then the same for the same set of filters, whatever their values (see `page_of`)."""
    return [filters[name]() for name in sorted(names)]


def page_of(stmt: Select, *, count: Select | None = None) -> PageStatement:
    """`stmt` as one page: its rows, each with the total count of rows it matches.

    One statement, not two: every row of the page carries the total as an uncorrelated
    scalar subquery, which both databases compute once. Each statement costs a small
    request more CPU than anything else it does. `count` replaces the default count of
    `stmt` where a cheaper one exists. The page's bounds are bind parameters, so a list
    can build this once per shape of its query (see `catalog.queries.list_items`).
    A page of columns only is best read through a connection of its own (`answer`, with
    `api.deps.ReadEngine`): a session's ORM execution path cost a list page a tenth of its
    CPU.
    """
    count = count if count is not None else _count_of(stmt)
    total = count.scalar_subquery().label("page_total")
    page = stmt.add_columns(total).limit(bindparam(_LIMIT)).offset(bindparam(_OFFSET))
    return PageStatement(page, count)


_LIMIT, _OFFSET = "page_limit", "page_offset"


@dataclass(frozen=True, slots=True)
class PageStatement:
    page: Select
    count: Select

    async def fetch(
        self,
        source: AsyncSession | AsyncConnection,
        params: PageParams,
        values: dict[str, Any] | None = None,
    ) -> tuple[list[Any], int]:
        """The page's rows (without the total) and the total, for filter `values`.

        Only a page past the end needs a count of its own.
        """
        values = values or {}
        bounds = {_LIMIT: params.limit, _OFFSET: params.offset}
        rows = (await source.execute(self.page, {**values, **bounds})).all()
        if rows:
            return [tuple(row)[:-1] for row in rows], int(rows[0][-1])
        if params.offset == 0:
            return [], 0
        return [], int((await source.execute(self.count, values)).scalar() or 0)

    async def answer(
        self,
        engine: AsyncEngine,
        params: PageParams,
        values: dict[str, Any],
        row_answer: Callable[[Any], dict[str, Any]],
    ) -> dict[str, Any]:
        """The page as the plain dict `Page` serialises to, each row made its answer by
        `row_answer`, for a list answered straight as JSON (`api.responses.json_response`);
        read on a connection of `engine`'s held just for that."""
        async with engine.connect() as connection:
            rows, total = await self.fetch(connection, params, values)
        return page_answer([row_answer(row) for row in rows], total, params)


async def paginate(
    session: AsyncSession, stmt: Select, params: PageParams, *, count: Select | None = None
) -> tuple[list[Any], int]:
    """Run one page of `stmt` and the total count of rows it matches (see `page_of`)."""
    return await page_of(stmt, count=count).fetch(session, params)
