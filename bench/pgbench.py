"""The limit beside us: the commit path's own SQL, replayed by pgbench.

`capture()` runs one create + approve + commit of a 3-line outbound through the real
application (in process, over ASGI, on the benchmark database) with SQLAlchemy's engine and
pool events recording every round trip the three HTTP requests make: the caller lookup, the
pool's pre-ping (BEGIN; ";"; ROLLBACK on asyncpg), BEGIN, each statement with its
parameters, COMMIT/ROLLBACK, and the reads that build each response.

`script()` turns that recording into a pgbench custom script: the item ids become random
(\\set, ids derived from numbers as bench/dataset.py makes them), the document id a fresh
one, the document number and the stock rows' new balance and seq come from the statements
that return them (\\gset), fresh row ids are gen_random_uuid() and timestamps
clock_timestamp(). Everything else is the literal the application sent. So pgbench does the
same round trips, statements, locks and writes as the application, minus Python.

`replay()` runs pgbench (-M prepared, like asyncpg's statement cache) and returns its
throughput and latency percentiles (from its per-transaction log).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from dataset import ITEMS, item_uuid, warehouse_uuid

# Three lines, one item from each third of the catalogue, so the ids are distinct and sorted
# (every writer locks items and stock rows in id order); items 1-3 are the hot ones.
RANDOM_ITEMS = ((4, ITEMS // 3), (ITEMS // 3 + 1, 2 * ITEMS // 3), (2 * ITEMS // 3 + 1, ITEMS))
HOT_ITEMS = (1, 2, 3)
COMMIT_WAREHOUSES = (2, 5)  # W02..W05
DOC_PREFIX = "00000000-0000-4000-a000-"


@dataclass
class Capture:
    events: list[tuple] = field(default_factory=list)
    doc_id: uuid.UUID | None = None
    number: str | None = None
    items: tuple[uuid.UUID, ...] = ()
    warehouse: uuid.UUID | None = None
    user_id: uuid.UUID | None = None

    def summary(self) -> dict:
        kinds: dict[str, int] = {}
        for event in self.events:
            kinds[event[0]] = kinds.get(event[0], 0) + 1
        return kinds


def outbound_body(warehouse: uuid.UUID, items: list[uuid.UUID]) -> dict:
    return {
        "warehouse_id": str(warehouse),
        "partner": "Bench customer",
        "lines": [{"item_id": str(i), "quantity": 1} for i in items],
    }


@contextlib.asynccontextmanager
async def _recording_app(url: str, settings_env: dict, recording: Capture, token_version: int):
    """The application in process with every round trip it makes appended to `recording`
    while the yielded switch is on; yields (client, switch)."""
    import httpx
    from sqlalchemy import event
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

    from erp_engine.api.app import create_app
    from erp_engine.identity.tokens import issue_access_token
    from erp_engine.settings import Settings

    # No relay in this process: its statements would land in the recording.
    settings = Settings(
        _env_file=None, database_url=url, **{**settings_env, "relay_in_server": False}
    )
    app = create_app(settings)
    engine = app.state.db_engine.sync_engine
    on = [False]

    def log(*entry) -> None:
        if on[0]:
            recording.events.append(entry)

    # Pings (pool_pre_ping, or the idle-connection ping) go straight to the driver.
    real_ping = AsyncAdapt_asyncpg_connection.ping

    def ping(self):
        log("ping")
        return real_ping(self)

    AsyncAdapt_asyncpg_connection.ping = ping

    def transaction(kind: str):
        # Read sessions run in autocommit on PostgreSQL: SQLAlchemy still reports BEGIN and
        # ROLLBACK for them, but neither reaches the server, so neither is recorded.
        def record(conn) -> None:
            if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                log(kind)

        return record

    for kind in ("begin", "commit", "rollback"):
        event.listen(engine, kind, transaction(kind))
    event.listen(
        engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, params, context, many: log("sql", statement, params, many),
    )
    token = issue_access_token(recording.user_id, token_version, settings)
    headers = {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers
            ) as client,
        ):
            # As in the server: once its listener is up, a worker checks a known caller from
            # its copy (identity/callers.py), so the recorded request after the warm-up
            # makes no caller check, exactly as under load.
            await _until(lambda: app.state.callers.live, within=10)
            yield client, on
    finally:
        AsyncAdapt_asyncpg_connection.ping = real_ping
        await app.state.db_engine.dispose()


async def _until(condition, *, within: float) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError("the app's caller cache did not come up")
        await asyncio.sleep(0.02)


async def capture(
    url: str, settings_env: dict, *, user_id: uuid.UUID, token_version: int = 0
) -> Capture:
    """Record the round trips of one create + approve + commit (after one warm-up)."""
    recording = Capture(user_id=user_id)
    async with _recording_app(url, settings_env, recording, token_version) as (client, on):
        for attempt, numbers in enumerate(((5, 6, 7), (4, 3400, 6700))):
            items = [item_uuid(n) for n in numbers]
            warehouse = warehouse_uuid(2)
            on[0] = attempt == 1
            created = await client.post("/api/v1/outbounds", json=outbound_body(warehouse, items))
            created.raise_for_status()
            doc = created.json()
            for action in ("approve", "commit"):
                done = await client.post(f"/api/v1/outbounds/{doc['id']}/{action}")
                done.raise_for_status()
        on[0] = False
        recording.doc_id = uuid.UUID(doc["id"])
        recording.number = doc["number"]
        recording.items = tuple(items)
        recording.warehouse = warehouse
    return recording


async def capture_get(
    url: str, settings_env: dict, path: str, *, user_id: uuid.UUID, token_version: int = 0
) -> Capture:
    """Record the round trips of one GET of `path` (after one warm-up)."""
    recording = Capture(user_id=user_id)
    async with _recording_app(url, settings_env, recording, token_version) as (client, on):
        for attempt in range(2):
            on[0] = attempt == 1
            answer = await client.get(path)
            answer.raise_for_status()
    return recording


def get_script(recording: Capture) -> str:
    """A GET's statements as a pgbench script, every parameter the literal it was."""
    out = []
    for kind, *rest in recording.events:
        if kind == "ping":
            out += ["BEGIN;", "SELECT 1;", "ROLLBACK;"]
        elif kind in ("begin", "commit", "rollback"):
            out.append(f"{kind.upper()};")
        else:
            sql, params, _ = rest
            text = " ".join(sql.split())
            out.append(_PARAM.sub(lambda m, p=params: _literal(p[int(m.group(1)) - 1]), text) + ";")
    return "\n".join(out) + "\n"


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    return _text(str(value))


# Script ------------------------------------------------------------------------------------

_PARAM = re.compile(r"\$(\d+)")


def _text(value: str) -> str:
    # pgbench reads ":name" as a variable anywhere in a command: keep colons out of literals.
    if ":" in value or "\\" in value:
        escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\x3a")
        return f"E'{escaped}'"
    return "'" + value.replace("'", "''") + "'"


def _insert_columns(statement: str) -> dict[int, tuple[str, int]]:
    """For `INSERT INTO t (cols) VALUES (...), (...)`: $n -> (its column, its row)."""
    match = re.match(r"\s*INSERT INTO \S+ \(([^)]*)\) VALUES (.*)", statement, re.S | re.I)
    if not match:
        return {}
    columns = [c.strip().strip('"') for c in match.group(1).split(",")]
    by_param: dict[int, tuple[str, int]] = {}
    rest = match.group(2)
    depth, start, tuples = 0, None, []
    for i, ch in enumerate(rest):
        if ch == "(":
            depth += 1
            if depth == 1:
                start = i + 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and start is not None:
                tuples.append(rest[start:i])
                start = None
        elif depth == 0 and rest[i:].upper().startswith("RETURNING"):
            break
    for row, values in enumerate(tuples):
        parts, depth, current = [], 0, ""
        for ch in values:
            if ch == "," and depth == 0:
                parts.append(current)
                current = ""
                continue
            depth += ch == "("
            depth -= ch == ")"
            current += ch
        parts.append(current)
        for column, part in zip(columns, parts, strict=False):
            for n in _PARAM.findall(part):
                by_param[int(n)] = (column, row)
    return by_param


def _one_insert(sql: str, rows: list) -> tuple[str, list]:
    """An executemany INSERT as one multi-row INSERT: asyncpg pipelines executemany into one
    round trip, and so does a single statement."""
    match = re.match(r"(\s*INSERT INTO .*? VALUES )(\(.*\))(\s*RETURNING .*)?$", sql, re.S | re.I)
    if not match:
        raise ValueError(f"cannot merge an executemany of {sql[:60]!r}")
    head, template, tail = match.group(1), match.group(2), match.group(3) or ""
    width = len(rows[0])
    values, params = [], []
    for n, row in enumerate(rows):
        values.append(_PARAM.sub(lambda m, base=n * width: f"${int(m.group(1)) + base}", template))
        params.extend(row)
    return head + ", ".join(values) + tail, params


class ScriptWriter:
    """Turns captured values into pgbench expressions for one mode (random or hot items)."""

    def __init__(self, recording: Capture, *, hot: bool):
        self.rec = recording
        self.hot = hot
        self.item_symbol = {item: f"i{n + 1}" for n, item in enumerate(recording.items)}

    def item_sql(self, symbol: str) -> str:
        if self.hot:
            return f"'{item_uuid(HOT_ITEMS[int(symbol[1:]) - 1])}'::uuid"
        return f"('00000000-0000-4000-8000-' || lpad(to_hex(:{symbol}::int), 12, '0'))::uuid"

    def header(self) -> list[str]:
        lines = [f"\\set w random({COMMIT_WAREHOUSES[0]}, {COMMIT_WAREHOUSES[1]})"]
        if not self.hot:
            for n, (low, high) in enumerate(RANDOM_ITEMS):
                lines.append(f"\\set i{n + 1} random({low}, {high})")
        lines.append("\\set doc random(1, 281474976710655)")
        return lines

    def value(self, value: Any, column: str | None, row_item: str | None) -> str:
        rec = self.rec
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, uuid.UUID) or (
            isinstance(value, str) and re.fullmatch(r"[0-9a-f-]{36}", value)
        ):
            value = uuid.UUID(str(value))
            if value == rec.doc_id:
                return f"('{DOC_PREFIX}' || lpad(to_hex(:doc::bigint), 12, '0'))::uuid"
            if value in self.item_symbol:
                return self.item_sql(self.item_symbol[value])
            if value == rec.warehouse:
                return "('00000000-0000-4000-9000-' || lpad(to_hex(:w::int), 12, '0'))::uuid"
            if value == rec.user_id:
                return f"'{value}'::uuid"
            return "gen_random_uuid()"
        if isinstance(value, int | float | Decimal):
            if row_item and column == "seq":
                return f":m_{row_item}_move_count"
            if row_item and column == "balance_after":
                return f":m_{row_item}_on_hand"
            return str(value)
        if isinstance(value, datetime):
            return "clock_timestamp()"
        if isinstance(value, date):
            return f"'{value.isoformat()}'::date"
        if isinstance(value, bytes):
            return f"'\\x{value.hex()}'::bytea"
        if isinstance(value, list) and not any(isinstance(v, dict | list) for v in value):
            # An array parameter (set-based stock changes, a new document's lines and the
            # appended audit, flow and event rows unnest them); the statement casts it.
            return "ARRAY[" + ", ".join(self.value(v, None, None) for v in value) + "]"
        if isinstance(value, dict | list):
            value = json.dumps(value, default=str)
        if isinstance(value, str):
            if value == rec.number:
                return ":c_number::text"
            return _text(value)
        raise TypeError(f"cannot render {type(value).__name__}")

    def statement(self, sql: str, params: Any) -> str:
        sql = " ".join(sql.split())
        params = list(params or ())
        columns = _insert_columns(sql)
        # The item of each VALUES row names that row's seq/balance variables.
        row_item = {
            row: self.item_symbol.get(uuid.UUID(str(params[n - 1])))
            for n, (column, row) in columns.items()
            if column == "item_id"
        }

        def render(match: re.Match) -> str:
            n = int(match.group(1))
            column, row = columns.get(n, (None, None))
            return self.value(params[n - 1], column, row_item.get(row))

        text = _PARAM.sub(render, sql)
        gset = ""
        upper = text.upper()
        if upper.startswith("WITH TAKEN AS (UPDATE DOCUMENT_COUNTERS"):
            gset = " \\gset c_"  # the new document's number, as :c_number
        elif (
            upper.startswith("UPDATE STOCK_LEVELS") and "MOVE_COUNT" in upper.split("RETURNING")[-1]
        ):
            symbols = [s for item, s in self.item_symbol.items() if str(item) in str(params)]
            if len(symbols) == 1:
                gset = f" \\gset m_{symbols[0]}_"
            elif symbols:
                # One set-based UPDATE for every line: \gset takes one row, so fold the
                # returned rows into one, a column per line (same statement, same round trip).
                picks = ", ".join(
                    f"max(u.{col}) FILTER (WHERE u.item_id = {self.item_sql(sym)}) AS m_{sym}_{col}"
                    for sym in symbols
                    for col in ("on_hand", "move_count")
                )
                text = f"WITH u AS ({text}) SELECT {picks} FROM u"  # noqa: S608
                gset = " \\gset"
        return text + (gset or ";")

    def write(self) -> str:
        out = self.header()
        for entry in self.rec.events:
            kind = entry[0]
            if kind == "ping":
                out += ["BEGIN;", "SELECT 1;", "ROLLBACK;"]
            elif kind == "begin":
                out.append("BEGIN;")
            elif kind == "commit":
                out.append("COMMIT;")
            elif kind == "rollback":
                out.append("ROLLBACK;")
            else:
                _, sql, params, many = entry
                if many and params and isinstance(params[0], list | tuple):
                    out.append(self.statement(*_one_insert(sql, params)))
                else:
                    out.append(self.statement(sql, params))
        return "\n".join(out) + "\n"


def script(recording: Capture, *, hot: bool) -> str:
    return ScriptWriter(recording, hot=hot).write()


# Replay ------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def replay(dsn: str, script_path: Path, *, clients: int, seconds: int) -> dict:
    """One pgbench run: transactions/s and latency percentiles (ms) of whole scripts."""
    logs = Path(tempfile.mkdtemp(prefix="erp-pgbench-"))
    command = [
        shutil.which("pgbench") or "pgbench",
        "-n",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(seconds),
        "-f",
        str(script_path),
        "-l",
        "--log-prefix",
        str(logs / "tx"),
        dsn,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        latencies = []
        for log in logs.iterdir():
            for line in log.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    latencies.append(int(parts[2]) / 1000)
    finally:
        shutil.rmtree(logs, ignore_errors=True)
    output = done.stdout + done.stderr
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    failed = re.search(r"number of failed transactions: (\d+)", output)
    aborted = "aborted" in output.lower() or done.returncode != 0
    if not tps:
        raise RuntimeError(f"pgbench failed:\n{output[-3000:]}")
    return {
        "clients": clients,
        "seconds": seconds,
        "rps": float(tps.group(1)),
        "ok": len(latencies),
        "errors": (int(failed.group(1)) if failed else 0) + aborted,
        "aborted": aborted,
        "p50_ms": _percentile(latencies, 50),
        "p95_ms": _percentile(latencies, 95),
        "p99_ms": _percentile(latencies, 99),
        "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
        "tail": output.strip().splitlines()[-3:] if aborted else [],
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="capture the commit path and print the script")
    parser.add_argument("url")
    parser.add_argument("--user-id", type=uuid.UUID, required=True)
    parser.add_argument("--hot", action="store_true")
    options = parser.parse_args()
    recording = asyncio.run(capture(options.url, {"jwt_secret": "x" * 64}, user_id=options.user_id))
    print(script(recording, hot=options.hot))


if __name__ == "__main__":
    main()
