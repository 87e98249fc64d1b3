"""What the app sends to its database while a block runs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event


@contextlib.contextmanager
def recorded_statements(app, *, commits: bool = False) -> Iterator[list[str]]:
    """Every statement the app's engine executes inside the block, whitespace folded; with
    `commits`, also "COMMIT" where a transaction commits."""
    seen: list[str] = []
    engine = app.state.db_engine.sync_engine

    def statement(conn, cursor, sql, *_):
        seen.append(" ".join(sql.split()))

    def committed(conn):
        seen.append("COMMIT")

    listeners = [("before_cursor_execute", statement)] + ([("commit", committed)] * commits)
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
