"""`INSERT … ON CONFLICT DO NOTHING` for whichever database the session talks to."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(table, dialect_name: str):
    dialect_insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing()
