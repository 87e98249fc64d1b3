"""Free-text search (`q=`): the text matches anywhere, case-folded, its characters literal."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """`text` as a LIKE pattern that finds it anywhere; LIKE's wildcards in it are escaped,
    so `A_B` finds "a_b" and not "axb", and `50%` finds "50%"."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def any_contains(pattern, *columns) -> ColumnElement[bool]:
    """Any of `columns` (lower-cased already) LIKE `pattern`: a `contains_pattern` or a bind
    parameter that will hold one."""
    return or_(*(column.like(pattern, escape=ESCAPE) for column in columns))
