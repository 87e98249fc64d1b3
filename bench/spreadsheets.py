"""Benchmark: import 30,000 items and export 1,000,000 stock moves, on PostgreSQL.

    uv run python bench/spreadsheets.py [--items 30000] [--moves 1000000]   (or `make bench`)

Creates its own database on 127.0.0.1:5432 (trust auth; ERP_BENCH_PG_ADMIN overrides the
admin DSN), drops it at the end, and writes the figures to the "Spreadsheets" section of
docs/performance.md. Each measured step runs in a child process, so its peak resident memory
(ru_maxrss) is its own.

The million moves are generated in SQL (generate_series) as a real ledger would hold them:
one stock count (adjustment) per round and warehouse, each with its lines, flow, outbox event
and audit row; per (item, warehouse) the moves' seq runs 1..n without gaps, each
balance_after is the previous one plus the quantity, and the stock row's on_hand and
move_count equal the ledger's sum and count. A SQL check proves it before exporting.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
ADMIN_DSN = os.environ.get("ERP_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
WAREHOUSES = ("MAIN", "BENCH")
MOVE_ITEMS = 1000  # items that get moves; moves = MOVE_ITEMS × 2 warehouses × rounds
BASE_TIME = "2026-01-01T00:00:00Z"

sys.path.insert(0, str(ROOT / "src"))


def _url(name: str) -> str:
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Child-process steps -----------------------------------------------------------------------


def _factories(url: str):
    from erp_engine.db.engine import create_engine, create_session_factories
    from erp_engine.settings import Settings

    engine = create_engine(Settings(_env_file=None, database_url=url, database_pool_size=2))
    write, read = create_session_factories(engine)
    return engine, write, read


async def step_prepare(url: str) -> dict:
    from erp_engine.catalog import service as catalog
    from erp_engine.kernel.principal import SYSTEM
    from erp_engine.uow import UnitOfWork
    from erp_engine.warehouses import service as warehouses

    engine, write, _ = _factories(url)
    try:
        for code, name in (("LCD", "LCD 모니터"), ("KBD", "키보드")):
            await catalog.create_engine(UnitOfWork(write), code=code, name=name, actor=SYSTEM)
        await warehouses.create_warehouse(
            UnitOfWork(write), code="BENCH", name="벤치마크 창고", actor=SYSTEM
        )
    finally:
        await engine.dispose()
    return {}


def step_items_file(path: str, count: int) -> dict:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Items")
    sheet.append(
        ["SKU", "Name", "Engine code", "Unit", "Barcode", "Unit cost", "Reorder point", "Active"]
    )
    for n in range(count):
        sheet.append(
            [
                f"BENCH-{n:06d}",
                f"벤치마크 품목 {n} / bench item",
                "LCD" if n % 2 else "KBD",
                "EA",
                f"88{n:011d}",
                1000 + n % 997 + 0.5,
                n % 20,
                n % 50 != 0,
            ]
        )
    target = io.BytesIO()
    workbook.save(target)
    Path(path).write_bytes(target.getvalue())
    return {"bytes": len(target.getvalue())}


async def step_import(url: str, path: str, mode: str, dry_run: bool) -> dict:
    from erp_engine.kernel.principal import SYSTEM
    from erp_engine.spreadsheets import service
    from erp_engine.uow import UnitOfWork

    engine, write, _ = _factories(url)
    data = await asyncio.to_thread(Path(path).read_bytes)
    try:
        baseline = _rss_mib()
        started, cpu = time.perf_counter(), time.process_time()
        result = await service.import_items(
            UnitOfWork(write),
            data,
            filename=Path(path).name,
            mode=service.ImportMode(mode),
            dry_run=dry_run,
            actor=SYSTEM,
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await engine.dispose()
    assert not result.errors, result.errors[:5]
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "baseline_mib": baseline,
        "peak_mib": _peak_mib(),
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


SEED_SQL = """
CREATE TEMP TABLE bench_pairs AS
SELECT i.id AS item_id, w.id AS warehouse_id, w.code AS warehouse_code,
       row_number() OVER (PARTITION BY w.id ORDER BY i.sku_key) AS line_no
FROM (SELECT id, sku_key FROM items ORDER BY sku_key LIMIT {items}) AS i
CROSS JOIN warehouses AS w WHERE w.code IN ('MAIN', 'BENCH');

CREATE TEMP TABLE bench_counts AS
SELECT gen_random_uuid() AS id, r AS round, w.id AS warehouse_id,
       'ADJ-' || lpad((row_number() OVER (ORDER BY r, w.code))::text, 6, '0') AS number,
       TIMESTAMPTZ '{base}' + make_interval(secs => r) AS created_at
FROM generate_series(1, {rounds}) AS r
CROSS JOIN warehouses AS w WHERE w.code IN ('MAIN', 'BENCH');

INSERT INTO stock_adjustments (id, number, warehouse_id, reason, created_by, created_at)
SELECT id, number, warehouse_id, 'Benchmark count', NULL, created_at FROM bench_counts;

UPDATE document_counters SET last_value = (SELECT count(*) FROM bench_counts)
WHERE kind = 'adjustment';

-- Round r adds 10 when odd and takes 3 when even: balance after r is 7*(r/2) + 10*(r%2).
-- Quantities are stored scaled by 1000 (three decimal places).
INSERT INTO stock_moves (id, item_id, warehouse_id, seq, quantity, balance_after, reason,
                         document_type, document_id, document_number, actor_id, created_at)
SELECT gen_random_uuid(), p.item_id, p.warehouse_id, c.round,
       CASE WHEN c.round % 2 = 1 THEN 10000 ELSE -3000 END,
       (7 * (c.round / 2) + 10 * (c.round % 2)) * 1000,
       'adjustment', 'adjustment', c.id, c.number, NULL, c.created_at
FROM bench_counts AS c JOIN bench_pairs AS p ON p.warehouse_id = c.warehouse_id;

INSERT INTO stock_adjustment_lines (id, adjustment_id, line_no, item_id, counted_quantity,
                                    previous_quantity, difference)
SELECT gen_random_uuid(), c.id, p.line_no, p.item_id,
       (7 * (c.round / 2) + 10 * (c.round % 2)) * 1000,
       (7 * ((c.round - 1) / 2) + 10 * ((c.round - 1) % 2)) * 1000,
       CASE WHEN c.round % 2 = 1 THEN 10000 ELSE -3000 END
FROM bench_counts AS c JOIN bench_pairs AS p ON p.warehouse_id = c.warehouse_id;

INSERT INTO stock_levels (item_id, warehouse_id, on_hand, reserved, move_count, updated_at)
SELECT item_id, warehouse_id, (7 * ({rounds} / 2) + 10 * ({rounds} % 2)) * 1000, 0, {rounds},
       TIMESTAMPTZ '{base}' + make_interval(secs => {rounds})
FROM bench_pairs;

INSERT INTO flows (id, entity_type, entity_id, entity_number, action, actor_name, note,
                   created_at)
SELECT gen_random_uuid(), 'adjustment', id, number, 'adjusted', 'system', 'Benchmark count',
       created_at
FROM bench_counts;

INSERT INTO outbox_events (id, type, entity_type, entity_id, occurred_at, data, published_at,
                           txid)
SELECT gen_random_uuid(), 'stock.adjusted', 'adjustment', id, created_at,
       json_build_object('id', id, 'number', number, 'warehouse_id', warehouse_id,
                         'lines', '[]'::json),
       created_at, pg_current_xact_id()::text::bigint
FROM bench_counts;

INSERT INTO audit_log (id, created_at, actor_type, action, entity_type, entity_id, changes)
SELECT gen_random_uuid(), created_at, 'system', 'adjustment.created', 'adjustment', id,
       json_build_object('number', json_build_array(NULL, number))
FROM bench_counts;
"""

VERIFY_SQL = """
SELECT
  (SELECT count(*) FROM stock_moves) AS moves,
  (SELECT count(*) FROM (
     SELECT balance_after, seq,
            sum(quantity) OVER w AS running, row_number() OVER w AS position
     FROM stock_moves WINDOW w AS (PARTITION BY item_id, warehouse_id ORDER BY seq)
   ) AS chain WHERE balance_after <> running OR seq <> position) AS broken_chain_rows,
  (SELECT count(*) FROM stock_levels AS l
     LEFT JOIN (SELECT item_id, warehouse_id, sum(quantity) AS total, count(*) AS n
                FROM stock_moves GROUP BY item_id, warehouse_id) AS m
     USING (item_id, warehouse_id)
   WHERE l.on_hand <> coalesce(m.total, 0) OR l.move_count <> coalesce(m.n, 0)
      OR l.reserved < 0 OR l.reserved > l.on_hand) AS stock_rows_off,
  (SELECT count(*) FROM stock_moves WHERE balance_after < 0 OR quantity = 0) AS bad_moves,
  (SELECT count(*) FROM stock_adjustments AS a
   WHERE NOT EXISTS (SELECT 1 FROM flows AS f WHERE f.entity_id = a.id)
      OR NOT EXISTS (SELECT 1 FROM outbox_events AS e WHERE e.entity_id = a.id)
  ) AS counts_without_flow_or_event
"""


async def step_seed(url: str, rounds: int) -> dict:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        started = time.perf_counter()
        async with connection.transaction():
            await connection.execute(
                SEED_SQL.format(items=MOVE_ITEMS, rounds=rounds, base=BASE_TIME)
            )
        await connection.execute("ANALYZE")
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        check = dict(await connection.fetchrow(VERIFY_SQL))
        verify_seconds = time.perf_counter() - started
    finally:
        await connection.close()
    problems = {k: v for k, v in check.items() if k != "moves" and v}
    if problems:
        raise SystemExit(f"ledger check failed: {problems}")
    return {
        "seconds": seconds,
        "verify_seconds": verify_seconds,
        "moves": check["moves"],
        "check": check,
    }


async def step_export(url: str, fmt: str, since: str | None) -> dict:
    from erp_engine.spreadsheets import queries

    engine, _, read = _factories(url)
    window = {"from_": datetime.fromisoformat(since)} if since else {}
    query = queries.moves_query(**window)
    path = Path(tempfile.mkdtemp(prefix="erp-bench-")) / f"moves.{fmt}"
    try:
        baseline = _rss_mib()
        started, cpu = time.perf_counter(), time.process_time()
        first_byte = None
        async with queries.export_session(read) as session:
            with path.open("wb") as target:
                counted = [0]

                def count(n: int) -> None:
                    counted[0] += n

                chunks = queries.xlsx_chunks if fmt == "xlsx" else queries.csv_chunks
                async for chunk in chunks(session, query, progress=count):
                    if first_byte is None and chunk:
                        first_byte = time.perf_counter() - started
                    target.write(chunk)
                rows = counted[0]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = path.stat().st_size
    finally:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
        await engine.dispose()
    return {
        "seconds": seconds,
        "first_byte_seconds": first_byte,
        "cpu_seconds": cpu,
        "rows": rows,
        "bytes": size,
        "baseline_mib": baseline,
        "peak_mib": _peak_mib(),
    }


STEPS = {
    "prepare": step_prepare,
    "items-file": step_items_file,
    "import": step_import,
    "seed": step_seed,
    "export": step_export,
}


def _run_step(name: str, *args) -> dict:
    """Run one step in a child process; its JSON answer is the last line it prints."""
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, json.dumps(args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    if done.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# Report ------------------------------------------------------------------------------------


def _machine(url: str) -> dict:
    import openpyxl
    import sqlalchemy

    async def pg_version() -> str:
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return (await connection.fetchval("SHOW server_version")).split()[0]
        finally:
            await connection.close()

    with open("/proc/meminfo") as meminfo:
        total_kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read()).group(1))
    cpu = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(total_kib / 2**20, 1),
        "python": platform.python_version(),
        "postgresql": asyncio.run(pg_version()),
        "sqlalchemy": sqlalchemy.__version__,
        "openpyxl": openpyxl.__version__,
        "kernel": platform.release(),
    }


def _section(results: dict, machine: dict, items: int, moves: int) -> str:
    def row(label: str, size: str, step: dict) -> str:
        growth = step["peak_mib"] - step["baseline_mib"]
        first = step.get("first_byte_seconds")
        return (
            f"| {label} | {size} | {step['seconds']:.1f} s "
            f"| {'—' if first is None else f'{first:.2f} s'} | {step['cpu_seconds']:.1f} s "
            f"| {step['peak_mib']:.0f} MiB (+{growth:.0f}) |"
        )

    lines = [
        row("Items import, dry run (validate only)", f"{items:,} rows", results["dry_run"]),
        row("Items import (create)", f"{items:,} rows", results["import"]),
        row("Items re-import (upsert, nothing changed)", f"{items:,} rows", results["upsert"]),
    ]
    for key, label in (
        ("export_small_csv", "Stock moves export, CSV"),
        ("export_csv", "Stock moves export, CSV"),
        ("export_small_xlsx", "Stock moves export, .xlsx"),
        ("export_xlsx", "Stock moves export, .xlsx"),
    ):
        step = results[key]
        size = f"{step['rows']:,} rows ({step['bytes'] / 2**20:.0f} MiB file)"
        lines.append(row(label, size, step))
    table = "\n".join(lines)
    seed = results["seed"]
    return f"""## Spreadsheets

Measured by `make bench` (`bench/spreadsheets.py`) on {datetime.now(UTC):%Y-%m-%d}, against
PostgreSQL on the same machine. Each step runs in its own process; memory is that process's
peak resident set (`ru_maxrss`), with the growth over its resident size just before the step
in brackets.

| step | size | wall time | first byte | CPU (app process) | peak memory (growth) |
|---|---|---|---|---|---|
{table}

- The items file is an .xlsx of {results["items_file"]["bytes"] / 2**20:.1f} MiB with every
  import column (Korean names, engine codes, unique barcodes). The import reads it in worker
  threads, validates in memory against sets loaded in one query each, and writes items,
  flows, outbox events and audit rows with bulk INSERTs in one transaction, with the
  low-stock alerts of the items born at or below their reorder point (19 in 20 here).
- The {moves:,} moves ({MOVE_ITEMS:,} items × 2 warehouses × {moves // (2 * MOVE_ITEMS):,}
  counts) were generated in SQL in {seed["seconds"]:.0f} s and proved consistent in
  {seed["verify_seconds"]:.0f} s: per (item, warehouse) the seq runs without gaps, each
  balance_after is the running sum, stock rows equal the ledger's sum and count, and every
  count has its flow and outbox event ({", ".join(f"{k}={v}" for k, v in seed["check"].items())}).
- Exports stream rows through a server-side cursor in chunks of 2,000, and their bytes go
  out as each chunk is written: the .xlsx sheet's XML goes into a zip entry written in
  streaming mode (no workbook built first, no temporary file), so "first byte" is when a
  client starts receiving. Peak memory is the same for
  {results["export_small_csv"]["rows"]:,} and {results["export_csv"]["rows"]:,} rows: it does
  not grow with the export's size.

Machine: {machine["cpus"]} CPUs ({machine["cpu"]}), {machine["memory_gib"]} GiB memory,
Linux {machine["kernel"]}; Python {machine["python"]}, PostgreSQL {machine["postgresql"]},
SQLAlchemy {machine["sqlalchemy"]}, openpyxl {machine["openpyxl"]}. Load average (1 min) at
the start and end of the run: {machine["load_start"]:.1f} / {machine["load_end"]:.1f}. Other work
on the machine inflates wall times; the CPU column is the application process's own CPU time
(its worker threads included, PostgreSQL's excluded), which it affects much less.
"""


def _write_docs(section: str) -> None:
    if DOCS.exists():
        text = DOCS.read_text()
        pattern = re.compile(r"^## Spreadsheets\n.*?(?=^## |\Z)", re.S | re.M)
        text = (
            pattern.sub(section + "\n", text)
            if pattern.search(text)
            else (text.rstrip() + "\n\n" + section)
        )
    else:
        text = "# Performance\n\nFigures from the benchmarks in `bench/` (`make bench`).\n\n"
        text += section
    DOCS.write_text(text.rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=30_000)
    parser.add_argument("--moves", type=int, default=1_000_000)
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="?", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        outcome = STEPS[options.step](*json.loads(options.args))
        if asyncio.iscoroutine(outcome):
            outcome = asyncio.run(outcome)
        print(json.dumps(outcome, default=str))
        return

    from erp_engine.db.migrate import upgrade

    load_start = os.getloadavg()[0]
    rounds = max(2, options.moves // (2 * MOVE_ITEMS))
    # The last tenth of the counts: a tenth of the moves, to show memory does not grow.
    base = datetime.fromisoformat(BASE_TIME.replace("Z", "+00:00"))
    last_tenth = (base + timedelta(seconds=rounds - rounds // 10 + 1)).isoformat()
    name = f"erp_bench_{uuid.uuid4().hex[:10]}"
    url = _url(name)
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    results: dict[str, dict] = {}
    items_path = Path(tempfile.mkdtemp(prefix="erp-bench-")) / "items.xlsx"
    try:
        upgrade(url)
        _run_step("prepare", url)
        print(f"database {name}; generating {options.items:,} items …", flush=True)
        results["items_file"] = _run_step("items-file", str(items_path), options.items)
        steps = [
            ("dry_run", "import", (url, str(items_path), "create", True)),
            ("import", "import", (url, str(items_path), "create", False)),
            ("upsert", "import", (url, str(items_path), "upsert", False)),
            ("seed", "seed", (url, rounds)),
            ("export_small_csv", "export", (url, "csv", last_tenth)),
            ("export_csv", "export", (url, "csv", None)),
            ("export_small_xlsx", "export", (url, "xlsx", last_tenth)),
            ("export_xlsx", "export", (url, "xlsx", None)),
        ]
        for key, step, args in steps:
            print(f"{key} …", end=" ", flush=True)
            results[key] = _run_step(step, *args)
            shown = {
                k: round(v, 2) if isinstance(v, float) else v
                for k, v in results[key].items()
                if k != "check"
            }
            print(shown, flush=True)
        machine = _machine(url) | {"load_start": load_start, "load_end": os.getloadavg()[0]}
    finally:
        items_path.unlink(missing_ok=True)
        items_path.parent.rmdir()
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    section = _section(results, machine, options.items, results["seed"]["moves"])
    print(section)
    if not options.no_docs:
        _write_docs(section)
        print(f"written to {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
