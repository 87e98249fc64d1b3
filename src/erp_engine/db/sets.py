"""Membership in a list of ids, built once for each database."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import ARRAY, Uuid, any_, bindparam
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")
OneOf = Callable[[ColumnElement], ColumnElement]


def per_dialect(build: Callable[[OneOf], T]) -> dict[str, T]:
    """`build(one_of)` for each database, where `one_of(column)` tests `column` against the
    parameter `ids` (a list of UUIDs).

    SQLite gets an expanding IN (one bind per id). PostgreSQL gets `= ANY(array)`: one
    parameter, so the SQL is not rendered again for each number of ids and asyncpg keeps
    one prepared statement, where an IN list would prepare one per length (documents have
    1 to 500 lines) and crowd its per-connection statement cache.
    """
    expanding = bindparam("ids", expanding=True)
    array = bindparam("ids", type_=ARRAY(Uuid))
    return {
        "sqlite": build(lambda column: column.in_(expanding)),
        "postgresql": build(lambda column: column == any_(array)),
    }
