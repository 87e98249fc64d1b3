"""A colour stays ready on a schema the next release migrated, when that schema says so.

The blue-green rollback depends on it: after `deploy.sh` ran the next release's migrations,
the previous colour must still answer /readyz 200, or `bluegreen.sh rollback` refuses it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from erp_engine.api.app import create_app
from erp_engine.db import migrate
from erp_engine.ops.engine_info import EngineInfo
from erp_engine.settings import Settings
from tests.conftest import TEST_SECRET
from tests.deploy.releases import NEXT_REVISION, next_release_code

HEAD = migrate.head_revision()


def _info(schema: str | None, compatible_with: str | None = None) -> EngineInfo:
    return EngineInfo(
        "erp-engine",
        "abc1234",
        "test",
        HEAD,
        schema=schema,
        schema_compatible_with=compatible_with,
        known_schemas=frozenset(migrate.code_revisions()),
    )


def test_schema_ok_rule():
    oldest = migrate.code_revisions()[0]
    assert _info(HEAD).schema_ok
    # A newer schema that serves this head, or an older revision of this code: ok.
    assert _info("newer", compatible_with=HEAD).schema_ok
    assert _info("newer", compatible_with=oldest).schema_ok
    # A newer schema that serves only newer code, or says nothing: not ok.
    assert not _info("newer", compatible_with="newer").schema_ok
    assert not _info("newer", compatible_with=None).schema_ok
    # Behind this code (never mind what it says), or never migrated: not ok.
    assert not _info(oldest, compatible_with=oldest).schema_ok
    assert not _info(None).schema_ok


class _Script:
    """A linear history a, b, c, d (alembic walks it head first) with some declarations."""

    def __init__(self, declarations: dict[str, str], chain: str = "abcd"):
        self.declarations, self.chain = declarations, chain

    def walk_revisions(self):
        return [type("Revision", (), {"revision": rev})() for rev in reversed(self.chain)]

    def get_revision(self, revision: str):
        module = type("Module", (), {})()
        if revision in self.declarations:
            module.compatible_with = self.declarations[revision]
        return type("Revision", (), {"module": module})()


@pytest.mark.parametrize(
    ("declarations", "floors"),
    [
        ({}, "abcd"),  # every migration strict: only its own code
        ({"b": "a", "c": "b"}, "aabd"),  # expands one step each, then a strict contract
        ({"b": "a", "c": "a", "d": "b"}, "aaab"),  # c keeps a's code working; d drops a's
    ],
)
def test_compatibility_floor_is_the_newest_declaration_so_far(declarations, floors):
    script = _Script(declarations)
    assert "".join(migrate.floor_of(script, rev) for rev in "abcd") == floors


def test_a_declaration_must_name_an_earlier_revision():
    with pytest.raises(ValueError, match="compatible_with"):
        migrate.floor_of(_Script({"a": "b"}, chain="ab"), "b")


def _migrate_with_next_release(tmp_path: Path, url: str, *, compatible: bool) -> None:
    source = next_release_code(tmp_path / "next", compatible=compatible)
    subprocess.run(
        [sys.executable, "-m", "erp_engine", "migrate"],
        env={**os.environ, "PYTHONPATH": str(source), "DATABASE_URL": url},
        check=True,
        capture_output=True,
        timeout=120,
    )


async def _readyz(url: str) -> httpx.Response:
    app = create_app(Settings(_env_file=None, database_url=url, jwt_secret=TEST_SECRET))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.get("/readyz")
    finally:
        await app.state.db_engine.dispose()


@pytest.mark.parametrize("compatible", [True, False])
async def test_this_code_is_ready_on_the_next_release_schema_only_if_it_says_so(
    tmp_path: Path, compatible: bool
):
    url = f"sqlite+aiosqlite:///{tmp_path / 'erp.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    assert (await _readyz(url)).status_code == 200
    await asyncio.to_thread(_migrate_with_next_release, tmp_path, url, compatible=compatible)
    ready = await _readyz(url)
    body = ready.json()
    assert body["engine"]["schema"] == NEXT_REVISION
    assert body["schema_ok"] is compatible
    assert ready.status_code == (200 if compatible else 503)


async def test_a_schema_behind_the_code_is_not_ready(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'erp.db'}"
    await asyncio.to_thread(migrate.upgrade, url, migrate.code_revisions()[-2])
    ready = await _readyz(url)
    assert ready.status_code == 503
    assert ready.json()["schema_ok"] is False
