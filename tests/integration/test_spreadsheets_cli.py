"""`erp import` and `erp export` as a user runs them: real processes, on a temporary SQLite file
and on a PostgreSQL database of their own."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from erp_engine.catalog import service as catalog
from erp_engine.db.engine import create_engine, create_session_factories
from erp_engine.kernel.principal import SYSTEM
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from erp_engine.warehouses import service as warehouses
from tests.support.postgres import create_database, drop_database

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spreadsheets"


def erp(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "erp_engine", *map(str, args)],
        cwd=cwd,
        env={**os.environ, **env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


async def _seed(url: str) -> None:
    engine = create_engine(Settings(_env_file=None, database_url=url))
    write, _ = create_session_factories(engine)
    try:
        for code, name in (("LCD", "LCD 모니터"), ("KBD", "키보드")):
            await catalog.create_engine(UnitOfWork(write), code=code, name=name, actor=SYSTEM)
        await warehouses.create_warehouse(
            UnitOfWork(write), code="BUSAN", name="부산 물류센터", actor=SYSTEM
        )
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def workspace(request, tmp_path_factory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A migrated database of its own, with engines LCD and KBD and a BUSAN warehouse."""
    folder = tmp_path_factory.mktemp("cli")
    name = None
    if request.param == "postgresql":
        name = f"erp_cli_{uuid.uuid4().hex[:10]}"
        url = create_database(name)
    else:
        url = f"sqlite+aiosqlite:///{folder / 'erp.db'}"
    env = {"DATABASE_URL": url, "ENGINE_ENV": "development"}
    try:
        done = erp("migrate", cwd=folder, env=env)
        assert done.returncode == 0, done.stderr
        asyncio.run(_seed(url))
        yield folder, env
    finally:
        if name:
            drop_database(name)


def test_a_bad_row_exits_non_zero_printing_row_cell_and_column(workspace):
    folder, env = workspace
    done = erp("import", "items", FIXTURES / "items_bad_row.xlsx", cwd=folder, env=env)
    assert done.returncode == 1
    assert "3 problem(s); nothing was imported" in done.stderr
    for text in ("B4", "C4", "D4", "Reorder point", "'many'"):
        assert text in done.stderr, text


def test_import_dry_run_then_real_then_stock_then_export_round_trip(workspace):
    folder, env = workspace
    dry = erp("import", "items", FIXTURES / "items_korean.xlsx", "--dry-run", cwd=folder, env=env)
    assert dry.returncode == 0, dry.stderr
    assert "4 item(s) would be created" in dry.stdout
    assert "nothing was written" in dry.stdout

    real = erp("import", "items", FIXTURES / "items_korean.xlsx", cwd=folder, env=env)
    assert real.returncode == 0, real.stderr
    assert "4 item(s) were created" in real.stdout
    assert "Writing" in real.stdout

    again = erp("import", "items", FIXTURES / "items_korean.xlsx", cwd=folder, env=env)
    assert again.returncode == 1
    assert "mode=upsert" in again.stderr

    stock = erp("import", "stock", FIXTURES / "opening_stock.xlsx", cwd=folder, env=env)
    assert stock.returncode == 0, stock.stderr
    assert "2 adjustment(s) were created" in stock.stdout
    assert "ADJ-" in stock.stdout
    same = erp("import", "stock", FIXTURES / "opening_stock.xlsx", cwd=folder, env=env)
    assert same.returncode == 0, same.stderr
    assert "0 adjustment(s) were created, 0 stock row(s) were updated, 4 unchanged" in same.stdout
    assert "nothing to change, nothing was written" in same.stdout
    assert "ADJ-" not in same.stdout

    exported = folder / "items.xlsx"
    done = erp("export", "items", "-o", exported, cwd=folder, env=env)
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stdout
    rows = list(openpyxl.load_workbook(exported, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("SKU", "Name")
    assert "24인치 FHD 모니터" in {row[1] for row in rows[1:]}

    upsert = erp("import", "items", exported, "--mode", "upsert", cwd=folder, env=env)
    assert upsert.returncode == 0, upsert.stderr
    assert f"0 item(s) were created, 0 item(s) were updated, {len(rows) - 1} unchanged" in (
        upsert.stdout
    )

    moves = folder / "moves.csv"
    done = erp("export", "stock-moves", "-o", moves, "--warehouse", "busan", cwd=folder, env=env)
    assert done.returncode == 0, done.stderr
    content = moves.read_bytes()
    assert content.startswith(codecs.BOM_UTF8)
    table = list(csv.reader(io.StringIO(content[3:].decode(), newline="")))
    assert table[0][6] == "Warehouse code"
    assert {row[6] for row in table[1:]} == {"BUSAN"}
    assert {"KBD-MECH-RED", "MON-24-FHD"} <= {row[4] for row in table[1:]}


def test_export_refuses_filters_that_do_not_apply_and_unknown_codes(workspace):
    folder, env = workspace
    wrong = erp(
        "export", "items", "-o", folder / "x.csv", "--reason", "inbound", cwd=folder, env=env
    )
    assert wrong.returncode == 2
    assert "--reason does not apply to items" in wrong.stderr
    unknown = erp(
        "export", "stocks", "-o", folder / "y.csv", "--warehouse", "MOON", cwd=folder, env=env
    )
    assert unknown.returncode == 2
    assert "No warehouse MOON" in unknown.stderr
    sort = erp("export", "items", "-o", folder / "z.xlsx", "--sort", "colour", cwd=folder, env=env)
    assert sort.returncode == 1
    assert "Cannot sort by 'colour'" in sort.stderr
    assert not (folder / "z.xlsx").exists()


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(workspace):
    folder, env = workspace
    huge = folder / "huge.csv"
    with huge.open("wb") as target:
        target.truncate(2**30)  # sparse: reading it whole would take a GiB of memory
    try:
        for kind in ("items", "stock"):
            done = erp("import", kind, huge, "--dry-run", cwd=folder, env=env)
            assert done.returncode == 1
            assert "The file is 1,073,741,824 bytes; the limit is 10 MiB" in done.stderr
    finally:
        huge.unlink()
