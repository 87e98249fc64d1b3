"""The benchmark dataset: generated in bulk SQL, then proved consistent with SQL.

    uv run python bench/dataset.py DSN            # generate into a migrated, empty database
    uv run python bench/dataset.py DSN --check    # only check the invariants

What it holds (defaults): 20 engines, 10,000 items, 5 warehouses (MAIN and W02..W05), one
stock row per (item, warehouse) = 50,000 rows, and 1,000,000 ledger moves. Every move is a
line of a committed inbound or outbound document (about 42,000 documents of ~24 lines, each
with its created/approved/committed flows and outbox events; the committed event lists the
lines), posted over the past year.

Per stock row with n moves (n varies 10..30 and averages 20): seq runs 1..n, move 1 is a
receipt, then outbounds and receipts alternate; balance_after is the running sum, never
negative; created_at grows with seq; the stock row's on_hand is the sum, move_count is n,
reserved is 0. Document numbers are gap-free per kind and the counters are advanced past them.

Items and warehouses W02..W05 get ids derived from their number (`item_uuid(n)`), so the
load generator and the pgbench scripts can name random items without a lookup. Items 1-3
are the "hot" items, stocked with 200,000 units per warehouse so that contention runs
never run dry. Every 500th item has a reorder point above its stock: it is low, with an open
alert, as the services would have left it. Three draft outbounds of 1,000 lines each wait
for the big-document scenario (the API creates at most 500 lines per document, so these are
written here, as drafts, with their flow and event).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
import uuid

import asyncpg

ITEMS = 10_000
WAREHOUSES = 5  # k = 1 is MAIN (made by the first migration), k = 2..5 are W02..W05
ENGINES = 20
BLOCK = 500  # items per block: a document holds the block's items that move together (~24)
HOT_ITEMS = (1, 2, 3)
HOT_STOCK = 200_000
BIG_DOCS = 3
BIG_LINES = 1_000
QTY = 1000  # quantities are stored scaled by 10**3
MONEY = 10_000  # money by 10**4


def item_uuid(n: int) -> uuid.UUID:
    return uuid.UUID(f"00000000-0000-4000-8000-{n:012x}")


def warehouse_uuid(k: int) -> uuid.UUID:
    return uuid.UUID(f"00000000-0000-4000-9000-{k:012x}")


def item_uuid_sql(expr: str) -> str:
    return f"('00000000-0000-4000-8000-' || lpad(to_hex({expr}), 12, '0'))::uuid"


def warehouse_uuid_sql(expr: str) -> str:
    return f"('00000000-0000-4000-9000-' || lpad(to_hex({expr}), 12, '0'))::uuid"


GENERATE_SQL = """
SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '512MB';
CREATE TEMP TABLE b_clock ON COMMIT DROP AS
  SELECT now() - interval '365 days' AS start, interval '365 days' AS span;

INSERT INTO warehouses (code, name, address, active, version, id, created_at, updated_at)
SELECT 'W' || lpad(k::text, 2, '0'), 'Warehouse ' || k, 'Bench street ' || k, true, 1,
       {wh_uuid_k}, start - interval '2 days', start - interval '2 days'
FROM generate_series(2, {warehouses}) AS k, b_clock;

CREATE TEMP TABLE b_wh ON COMMIT DROP AS
  SELECT 1 AS k, id FROM warehouses WHERE code = 'MAIN'
  UNION ALL SELECT k, {wh_uuid_k} FROM generate_series(2, {warehouses}) AS k;

INSERT INTO engines (code, name, description, status, version, id, created_at, updated_at)
SELECT 'ENG' || lpad(e::text, 2, '0'), 'Engine ' || e || ' 라인', NULL, 'active', 1,
       gen_random_uuid(), start - interval '2 days', start - interval '2 days'
FROM generate_series(1, {engines}) AS e, b_clock;

CREATE TEMP TABLE b_eng ON COMMIT DROP AS
  SELECT (row_number() OVER (ORDER BY code) - 1)::int AS e, id FROM engines
  WHERE code LIKE 'ENG%';

INSERT INTO items (sku, sku_key, name, engine_id, unit, barcode, unit_cost, reorder_point,
                   active, version, id, created_at, updated_at)
SELECT 'SKU-' || lpad(n::text, 5, '0'), 'sku-' || lpad(n::text, 5, '0'),
       '품목 ' || n || ' / bench item ' || n, e.id, 'EA', '880' || lpad(n::text, 10, '0'),
       (1000 + n % 997) * {money}, (CASE WHEN n % 500 = 0 THEN 100000 ELSE n % 50 END) * {qty},
       true, 1, {item_uuid_n}, start - interval '1 day', start - interval '1 day'
FROM generate_series(1, {items}) AS n JOIN b_eng AS e ON e.e = n % {engines}, b_clock;

-- Rows: n moves = 20 ± d, where the two items of a pair get +d and -d (the sum stays 20/row).
CREATE TEMP TABLE b_rows ON COMMIT DROP AS
SELECT n, w.k, w.id AS warehouse_id, (n - 1) / {block} AS b,
       20 + (CASE WHEN n % 2 = 1 THEN 1 ELSE -1 END) * ((((n + 1) / 2) * 7 + w.k * 3) % 11) AS c,
       CASE WHEN n IN ({hot}) THEN {hot_stock} ELSE 1000 END::bigint AS q1,
       (10 + n % 13)::bigint AS qin, (12 + (n * 7) % 17)::bigint AS qout
FROM generate_series(1, {items}) AS n CROSS JOIN b_wh AS w;

-- One document per (warehouse, block, n, s): the block's items with the same n move together,
-- at the fraction (s - 0.5) / n of the year, so activity is spread evenly over the year.
CREATE TEMP TABLE b_docs ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, k, warehouse_id, b, c, s,
       CASE WHEN s % 2 = 1 THEN 'inbound' ELSE 'outbound' END AS kind,
       start + span * ((s - 0.5) / c) + make_interval(secs => k * 100 + b) AS t
FROM (SELECT DISTINCT k, warehouse_id, b, c FROM b_rows) AS g,
     generate_series(1, g.c) AS gs(s), b_clock;

CREATE TEMP TABLE b_numbered ON COMMIT DROP AS
SELECT d.*, (CASE kind WHEN 'inbound' THEN 'IN-' ELSE 'OUT-' END)
            || lpad((row_number() OVER (PARTITION BY kind ORDER BY t, id))::text, 6, '0')
            AS number
FROM b_docs AS d;

CREATE TEMP TABLE b_lines ON COMMIT DROP AS
SELECT d.id AS document_id, d.kind, d.number, d.t, r.n, r.warehouse_id, r.c, m.seq,
       CASE WHEN m.seq = 1 THEN r.q1 WHEN m.seq % 2 = 1 THEN r.qin ELSE -r.qout END AS q,
       r.q1 + ((m.seq - 1) / 2) * r.qin - (m.seq / 2) * r.qout AS balance,
       row_number() OVER (PARTITION BY d.id ORDER BY r.n) AS line_no
FROM b_rows AS r
CROSS JOIN LATERAL generate_series(1, r.c) AS m(seq)
JOIN b_numbered AS d ON d.k = r.k AND d.b = r.b AND d.c = r.c AND d.s = m.seq;

INSERT INTO documents (kind, number, status, warehouse_id, partner, reference, memo,
                       expected_at, created_by, approved_by, approved_at, committed_by,
                       committed_at, version, id, created_at, updated_at)
SELECT kind, number, 'committed', warehouse_id,
       (CASE kind WHEN 'inbound' THEN 'Supplier ' ELSE 'Customer ' END) || (b % 37 + 1),
       'PO-' || b || '-' || s, NULL, NULL, '{user_id}', '{user_id}', t - interval '20 minutes',
       '{user_id}', t, 3, id, t - interval '1 hour', t
FROM b_numbered;

INSERT INTO document_lines (document_id, line_no, item_id, quantity, unit_cost, id)
SELECT document_id, line_no, {item_uuid_n}, abs(q) * {qty},
       CASE WHEN kind = 'inbound' THEN (1000 + n % 997) * {money} END, gen_random_uuid()
FROM b_lines;

INSERT INTO stock_moves (item_id, warehouse_id, seq, quantity, balance_after, reason,
                         document_type, document_id, document_number, actor_id, created_at, id)
SELECT {item_uuid_n}, warehouse_id, seq, q * {qty}, balance * {qty}, kind, kind, document_id,
       number, '{user_id}', t, gen_random_uuid()
FROM b_lines;

INSERT INTO stock_levels (item_id, warehouse_id, on_hand, reserved, move_count, updated_at)
SELECT {item_uuid_n}, warehouse_id, balance * {qty}, 0, seq, t FROM b_lines WHERE seq = c;

INSERT INTO flows (entity_type, entity_id, entity_number, action, from_status, to_status,
                   actor_id, actor_name, note, created_at, id)
SELECT kind, id, number, a.action, a.from_status, a.to_status, '{user_id}', '{user_name}', NULL,
       t - a.before, gen_random_uuid()
FROM b_numbered, (VALUES ('created', NULL, 'draft', interval '1 hour'),
                         ('approved', 'draft', 'approved', interval '20 minutes'),
                         ('committed', 'approved', 'committed', interval '0')
                 ) AS a(action, from_status, to_status, before);

CREATE TEMP TABLE b_event_lines ON COMMIT DROP AS
SELECT document_id,
       json_agg(json_build_object('item_id', {item_uuid_n}, 'quantity', abs(q)) ORDER BY line_no)
       AS lines
FROM b_lines GROUP BY document_id;

INSERT INTO outbox_events (id, type, entity_type, entity_id, occurred_at, data, published_at,
                           txid)
SELECT gen_random_uuid(), kind || '.' || a.action, kind, d.id, t - a.before,
       json_build_object('id', d.id, 'number', number, 'status', a.status,
                         'warehouse_id', warehouse_id, 'partner', NULL, 'reference', NULL,
                         'lines', CASE WHEN a.action = 'committed' THEN e.lines END),
       t - a.before, pg_current_xact_id()::text::bigint
FROM b_numbered AS d JOIN b_event_lines AS e ON e.document_id = d.id,
     (VALUES ('created', 'draft', interval '1 hour'),
             ('approved', 'approved', interval '20 minutes'),
             ('committed', 'committed', interval '0')) AS a(action, status, before);

INSERT INTO flows (entity_type, entity_id, entity_number, action, to_status, actor_id,
                   actor_name, created_at, id)
SELECT 'item', id, sku, 'created', NULL, '{user_id}', '{user_name}', created_at,
       gen_random_uuid()
FROM items;
INSERT INTO outbox_events (id, type, entity_type, entity_id, occurred_at, data, published_at,
                           txid)
SELECT gen_random_uuid(), 'item.created', 'item', id, created_at,
       json_build_object('id', id, 'sku', sku, 'name', name), created_at,
       pg_current_xact_id()::text::bigint
FROM items;

-- Low items (reorder point above what is available) carry an open alert and its event.
CREATE TEMP TABLE b_low ON COMMIT DROP AS
SELECT i.id AS item_id, i.reorder_point, sum(l.on_hand - l.reserved) AS available,
       max(l.updated_at) AS at
FROM items AS i JOIN stock_levels AS l ON l.item_id = i.id
GROUP BY i.id, i.reorder_point
HAVING i.reorder_point > 0 AND sum(l.on_hand - l.reserved) <= i.reorder_point;
INSERT INTO alerts (item_id, status, available, reorder_point, opened_at, version, id)
SELECT item_id, 'open', available, reorder_point, at, 1, gen_random_uuid() FROM b_low;
INSERT INTO outbox_events (id, type, entity_type, entity_id, occurred_at, data, published_at,
                           txid)
SELECT gen_random_uuid(), 'stock.low', 'item', a.item_id, a.opened_at,
       json_build_object('alert_id', a.id, 'item_id', a.item_id), a.opened_at,
       pg_current_xact_id()::text::bigint
FROM alerts AS a;

-- Drafts of 1,000 lines for the big-document scenario (items 1001.. in W02).
CREATE TEMP TABLE b_big ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, g,
       'OUT-' || lpad(((SELECT count(*) FROM b_numbered WHERE kind = 'outbound') + g)::text,
                      6, '0') AS number,
       now() - make_interval(mins => 10 - g) AS t
FROM generate_series(1, {big_docs}) AS g;
INSERT INTO documents (kind, number, status, warehouse_id, partner, reference, memo,
                       created_by, version, id, created_at, updated_at)
SELECT 'outbound', number, 'draft', {wh_uuid_2}, 'Big customer', 'BIG-' || g,
       'benchmark: {big_lines} lines', '{user_id}', 1, id, t, t
FROM b_big;
INSERT INTO document_lines (document_id, line_no, item_id, quantity, unit_cost, id)
SELECT id, j, {item_uuid_big}, {qty}, NULL, gen_random_uuid()
FROM b_big, generate_series(1, {big_lines}) AS j;
INSERT INTO flows (entity_type, entity_id, entity_number, action, to_status, actor_id,
                   actor_name, note, created_at, id)
SELECT 'outbound', id, number, 'created', 'draft', '{user_id}', '{user_name}',
       'benchmark: {big_lines} lines', t, gen_random_uuid()
FROM b_big;
INSERT INTO outbox_events (id, type, entity_type, entity_id, occurred_at, data, published_at,
                           txid)
SELECT gen_random_uuid(), 'outbound.created', 'outbound', id, t,
       json_build_object('id', id, 'number', number, 'status', 'draft'), t,
       pg_current_xact_id()::text::bigint
FROM b_big;

UPDATE document_counters AS c
SET last_value = (SELECT count(*) FROM documents AS d WHERE d.kind = c.kind)
WHERE c.kind IN ('inbound', 'outbound');
"""


def generate_sql(user_id: uuid.UUID, user_name: str) -> str:
    return GENERATE_SQL.format(
        warehouses=WAREHOUSES,
        engines=ENGINES,
        items=ITEMS,
        block=BLOCK,
        hot=", ".join(map(str, HOT_ITEMS)),
        hot_stock=HOT_STOCK,
        big_docs=BIG_DOCS,
        big_lines=BIG_LINES,
        qty=QTY,
        money=MONEY,
        user_id=user_id,
        user_name=user_name.replace("'", "''"),
        wh_uuid_k=warehouse_uuid_sql("k"),
        wh_uuid_2=f"'{warehouse_uuid(2)}'::uuid",
        item_uuid_n=item_uuid_sql("n"),
        item_uuid_big=item_uuid_sql(f"1000 + (g - 1) * {BIG_LINES} + j"),
    )


# Each query counts violations of one invariant: every figure must be 0.
CHECKS = {
    "ledger chain (seq 1..n, balance_after = running sum, created_at monotonic, >= 0)": """
        SELECT count(*) FILTER (WHERE seq <> pos OR balance_after <> running
                                   OR created_at < prev_at OR balance_after < 0
                                   OR quantity = 0)
        FROM (SELECT seq, balance_after, created_at, quantity,
                     row_number() OVER w AS pos, sum(quantity) OVER w AS running,
                     lag(created_at) OVER w AS prev_at
              FROM stock_moves WINDOW w AS (PARTITION BY item_id, warehouse_id ORDER BY seq)
             ) AS chain""",
    "stock rows = ledger (on_hand = sum, move_count = n)": """
        SELECT count(*) FROM stock_levels AS l
        FULL JOIN (SELECT item_id, warehouse_id, sum(quantity) AS total, count(*) AS n
                   FROM stock_moves GROUP BY item_id, warehouse_id) AS m
          USING (item_id, warehouse_id)
        WHERE coalesce(l.on_hand, -1) <> coalesce(m.total, 0)
           OR coalesce(l.move_count, -1) <> coalesce(m.n, 0)""",
    "reserved = lines of approved outbounds, 0 <= reserved <= on_hand": """
        SELECT count(*) FROM stock_levels AS l
        FULL JOIN (SELECT dl.item_id, d.warehouse_id, sum(dl.quantity) AS open
                   FROM documents AS d JOIN document_lines AS dl ON dl.document_id = d.id
                   WHERE d.kind = 'outbound' AND d.status = 'approved'
                   GROUP BY dl.item_id, d.warehouse_id) AS a
          USING (item_id, warehouse_id)
        WHERE coalesce(l.reserved, -1) <> coalesce(a.open, 0)
           OR l.reserved < 0 OR l.reserved > l.on_hand""",
    "moves <-> lines of committed documents, one to one, same kind and quantity": """
        SELECT count(*) FROM (SELECT * FROM stock_moves
                              WHERE document_type IN ('inbound', 'outbound')) AS m
        FULL JOIN (SELECT dl.id AS line_id, dl.document_id, dl.item_id, dl.quantity, d.kind,
                          d.number, d.warehouse_id
                   FROM documents AS d JOIN document_lines AS dl ON dl.document_id = d.id
                   WHERE d.status = 'committed') AS l
          ON l.document_id = m.document_id AND l.item_id = m.item_id
        WHERE m.id IS NULL OR l.line_id IS NULL OR l.kind <> m.document_type
           OR m.reason <> l.kind OR l.warehouse_id <> m.warehouse_id
           OR l.number <> m.document_number OR l.quantity <> abs(m.quantity)
           OR (m.quantity > 0) <> (l.kind = 'inbound')""",
    "at most one move per document, item and warehouse": """
        SELECT count(*) FROM (SELECT 1 FROM stock_moves
                              GROUP BY document_id, item_id, warehouse_id
                              HAVING count(*) > 1) AS duplicates""",
    "committed documents have their flow and outbox event": """
        SELECT count(*) FROM documents AS d
        WHERE d.status = 'committed'
          AND (NOT EXISTS (SELECT 1 FROM flows AS f WHERE f.entity_type = d.kind
                           AND f.entity_id = d.id AND f.action = 'committed')
               OR NOT EXISTS (SELECT 1 FROM outbox_events AS e WHERE e.entity_id = d.id
                              AND e.type = d.kind || '.committed'))""",
    "document numbers gap-free, counters advanced": """
        SELECT count(*) FROM document_counters AS c
        LEFT JOIN (SELECT kind, count(*) AS n, count(DISTINCT number) AS distinct_numbers,
                          max(substring(number FROM '[0-9]+$')::bigint) AS top
                   FROM documents GROUP BY kind) AS d ON d.kind = c.kind
        WHERE c.kind IN ('inbound', 'outbound')
          AND (d.n <> d.top OR d.n <> d.distinct_numbers OR c.last_value <> d.top)""",
    "moves dated within the past year, none in the future": """
        SELECT count(*) FROM stock_moves
        WHERE created_at > now() OR created_at < now() - interval '366 days'""",
    "open low-stock alert exactly for low items": """
        SELECT count(*) FROM (
          SELECT i.id, i.reorder_point > 0
                 AND coalesce(sum(l.on_hand - l.reserved), 0) <= i.reorder_point AS low,
                 EXISTS (SELECT 1 FROM alerts AS a WHERE a.item_id = i.id
                         AND a.status = 'open') AS alerted
          FROM items AS i LEFT JOIN stock_levels AS l ON l.item_id = i.id
          GROUP BY i.id, i.reorder_point) AS x
        WHERE low <> alerted""",
}

COUNTS = """
SELECT (SELECT count(*) FROM items) AS items,
       (SELECT count(*) FROM warehouses) AS warehouses,
       (SELECT count(*) FROM stock_levels) AS stock_rows,
       (SELECT count(*) FROM stock_moves) AS moves,
       (SELECT count(*) FROM documents) AS documents,
       (SELECT count(*) FROM document_lines) AS document_lines,
       (SELECT count(*) FROM flows) AS flows,
       (SELECT count(*) FROM outbox_events) AS events,
       (SELECT min(created_at) FROM stock_moves) AS first_move,
       (SELECT max(created_at) FROM stock_moves) AS last_move,
       pg_database_size(current_database()) AS database_bytes
"""


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


# Bulk tables: their keys, indexes and foreign keys are dropped for the load and rebuilt after
# it (a sorted build, and one validating join per foreign key, instead of a million random
# index insertions and row triggers). The rebuild re-validates every key and reference.
BULK_TABLES = [
    "documents",
    "document_lines",
    "stock_moves",
    "stock_levels",
    "flows",
    "outbox_events",
]
SCHEMA_SQL = """
SELECT 'fk' AS kind, conrelid::regclass::text AS tbl, conname AS name,
       pg_get_constraintdef(oid) AS def
FROM pg_constraint
WHERE contype = 'f' AND (conrelid = ANY($1::text[]::regclass[])
                         OR confrelid = ANY($1::text[]::regclass[]))
UNION ALL
SELECT 'key', conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid = ANY($1::text[]::regclass[])
UNION ALL
SELECT 'index', tablename, indexname, indexdef FROM pg_indexes
WHERE schemaname = current_schema() AND tablename = ANY($1::text[])
  AND indexname NOT IN (SELECT conname FROM pg_constraint)
"""


def _statements(sql: str) -> list[str]:
    return [part.strip() for part in re.split(r";\s*\n", sql) if part.strip()]


def _label(statement: str) -> str:
    lines = [ln for ln in statement.splitlines() if not ln.startswith("--")]
    return " ".join(" ".join(lines).split()[:4])


async def generate(url: str, *, user_id: uuid.UUID, user_name: str) -> dict:
    """Write the dataset in one transaction, then VACUUM ANALYZE; returns timings."""
    connection = await asyncpg.connect(_dsn(url))
    steps: dict[str, float] = {}

    async def run(label: str, sql: str) -> None:
        begun = time.perf_counter()
        await connection.execute(sql)
        steps[label] = steps.get(label, 0.0) + time.perf_counter() - begun

    try:
        started = time.perf_counter()
        async with connection.transaction():
            schema = await connection.fetch(SCHEMA_SQL, BULK_TABLES)
            for kind in ("fk", "key"):
                for row in (r for r in schema if r["kind"] == kind):
                    await run(
                        "drop keys", f'ALTER TABLE {row["tbl"]} DROP CONSTRAINT "{row["name"]}"'
                    )
            for row in (r for r in schema if r["kind"] == "index"):
                await run("drop keys", f'DROP INDEX "{row["name"]}"')
            for statement in _statements(generate_sql(user_id, user_name)):
                await run(_label(statement), statement)
            for kind, step in (
                ("key", "rebuild keys"),
                ("index", "rebuild indexes"),
                ("fk", "validate foreign keys"),
            ):
                for row in (r for r in schema if r["kind"] == kind):
                    sql = (
                        row["def"]
                        if kind == "index"
                        else (
                            f'ALTER TABLE {row["tbl"]} ADD CONSTRAINT "{row["name"]}" {row["def"]}'
                        )
                    )
                    await run(step, sql)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        vacuumed = time.perf_counter() - started
    finally:
        await connection.close()
    slowest = dict(sorted(steps.items(), key=lambda kv: -kv[1])[:8])
    return {
        "generate_s": generated,
        "vacuum_analyze_s": vacuumed,
        "slowest_steps_s": {k: round(v, 1) for k, v in slowest.items()},
    }


async def check(url: str) -> dict:
    """Count every invariant's violations (all must be 0) and the dataset's sizes."""
    connection = await asyncpg.connect(_dsn(url))
    try:
        started = time.perf_counter()
        violations = {name: await connection.fetchval(sql) for name, sql in CHECKS.items()}
        seconds = time.perf_counter() - started
        counts = dict(await connection.fetchrow(COUNTS))
    finally:
        await connection.close()
    counts["first_move"] = counts["first_move"].isoformat()
    counts["last_move"] = counts["last_move"].isoformat()
    return {
        "violations": violations,
        "ok": not any(violations.values()),
        "seconds": seconds,
        "counts": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="postgresql:// or postgresql+asyncpg:// URL")
    parser.add_argument("--check", action="store_true", help="only check the invariants")
    parser.add_argument("--user-id", type=uuid.UUID, default=None)
    options = parser.parse_args()
    if not options.check:
        print(
            asyncio.run(
                generate(options.url, user_id=options.user_id or uuid.uuid4(), user_name="bench")
            )
        )
    result = asyncio.run(check(options.url))
    print(result)
    if not result["ok"]:
        raise SystemExit("invariant check failed")


if __name__ == "__main__":
    main()
