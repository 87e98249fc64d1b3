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


@dataclass(slots=True)
class EngineInfo:
    name: str
    commit: str
    env: str
    expected_schema: str
    schema: str | None = None  # refreshed by every health probe

    @classmethod
    def from_settings(cls, settings: Settings, expected_schema: str) -> EngineInfo:
        commit = settings.engine_commit_sha or _git_commit() or "dev"
        return cls(settings.engine_name, commit, settings.engine_env.value, expected_schema)

    @property
    def schema_ok(self) -> bool:
        return self.schema == self.expected_schema

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"x-engine-name", self.name.encode()),
            (b"x-engine-commit", self.commit.encode()),
            (b"x-engine-schema", (self.schema or "none").encode()),
            (b"x-engine-env", self.env.encode()),
        ]
