"""Which build is answering: name, commit, environment and the schema revision it sees."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from erp_engine.settings import Settings

APP_NAME = "ERP Engine API"
APP_VERSION = "1.0.0"


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH is intended
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


# The headers every response carries (`EngineInfo.headers`).
HEADER_NAMES = (b"x-engine-name", b"x-engine-commit", b"x-engine-schema", b"x-engine-env")


@dataclass(slots=True)
class EngineInfo:
    name: str
    commit: str
    env: str
    expected_schema: str
    schema: str | None = None  # refreshed by every health probe
    # What the database says about a schema newer than this code: the oldest code revision
    # it still serves (db/migrate.py). Refreshed by the probe when schema != expected.
    schema_compatible_with: str | None = None
    # This code's own revisions (expected_schema and everything before it).
    known_schemas: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings, expected_schema: str) -> EngineInfo:
        from erp_engine.db.migrate import code_revisions

        commit = settings.engine_commit_sha or _git_commit() or "dev"
        revisions = code_revisions()
        known = (
            revisions[: revisions.index(expected_schema) + 1]
            if expected_schema in revisions
            else ()
        )
        return cls(
            settings.engine_name,
            commit,
            settings.engine_env.value,
            expected_schema,
            known_schemas=frozenset(known),
        )

    @property
    def schema_ok(self) -> bool:
        """The database's schema is one this code can serve: its own head, or a newer one
        (unknown to this code) whose record says it still serves this head or an older
        revision — an expand migration of the next release, so a rollback can come back
        here. A schema behind the head (a known, older revision) or missing is never ok."""
        if self.schema == self.expected_schema:
            return True
        return (
            self.schema is not None
            and self.schema not in self.known_schemas
            and self.schema_compatible_with in self.known_schemas
        )

    def headers(self) -> list[tuple[bytes, bytes]]:
        values = (self.name, self.commit, self.schema or "none", self.env)
        return [(name, value.encode()) for name, value in zip(HEADER_NAMES, values, strict=True)]
