"""Many clients against several server processes never oversell, lose updates or deadlock.

Each case starts real `erp serve` workers on a fresh database and races HTTP clients for
limited stock. Exactly as many shipments succeed as stock allows; every other one gets 409
insufficient_stock; no request fails with a server error; the ledger adds up afterwards.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from decimal import Decimal

import httpx
import pytest

from erp_engine.db.migrate import upgrade
from tests.support.postgres import create_database, drop_database
from tests.support.server import erp, running_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]
PASSWORD = "concurrency-pass-123"
SECRET = "concurrency-secret-" + "y" * 32


@pytest.fixture(
    params=[
        pytest.param(("postgresql", 4, 48), id="postgresql-4-workers-48-clients"),
        pytest.param(("sqlite", 2, 32), id="sqlite-2-workers-32-clients"),
    ]
)
def server(request, tmp_path):
    backend, workers, clients = request.param
    if backend == "postgresql":
        name = f"erp_conc_{uuid.uuid4().hex[:10]}"
        url = create_database(name)
    else:
        name, url = None, f"sqlite+aiosqlite:///{tmp_path / 'conc.db'}"
    # One principal drives every client here: lift the per-caller limits, which are tested
    # on their own, so only stock decides who succeeds.
    env = {
        "DATABASE_URL": url,
        "JWT_SECRET": SECRET,
        "ENGINE_COMMIT_SHA": "concurrency",
        "RATE_LIMIT_DEFAULT": "1000000/minute",
        "RATE_LIMIT_LOGIN_IP": "1000000/minute",
    }
    try:
        upgrade(url)
        erp(
            "user",
            "create",
            "--email",
            "boss@test.example",
            "--name",
            "Boss",
            "--role",
            "manager",
            "--password",
            PASSWORD,
            env=env,
        )
        with running_server(env, workers=workers, log_dir=tmp_path) as base_url:
            yield base_url, clients
    finally:
        if name:
            drop_database(name)


async def _session(base_url: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        base_url=base_url, timeout=60, limits=httpx.Limits(max_connections=100)
    )
    login = await client.post(
        "/api/v1/auth/login", json={"email": "boss@test.example", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    return client


def _clients(setup: httpx.AsyncClient, count: int) -> list[httpx.AsyncClient]:
    """`count` clients, each with its own connection, sharing the setup client's token: the
    race under test is for stock, not a stampede of argon2 logins."""
    return [
        httpx.AsyncClient(base_url=setup.base_url, timeout=60, headers=dict(setup.headers))
        for _ in range(count)
    ]


async def _prepare(client: httpx.AsyncClient, stock: dict[str, int]) -> tuple[str, dict]:
    warehouses = (await client.get("/api/v1/warehouses")).json()["data"]
    main = next(w["id"] for w in warehouses if w["code"] == "MAIN")
    items = {}
    for sku in stock:
        item = (await client.post("/api/v1/items", json={"sku": sku, "name": sku})).json()
        items[sku] = item["id"]
    receipt = await client.post(
        "/api/v1/inbounds",
        json={
            "warehouse_id": main,
            "lines": [{"item_id": items[s], "quantity": q} for s, q in stock.items()],
        },
    )
    for action in ("approve", "commit"):
        response = await client.post(f"/api/v1/inbounds/{receipt.json()['id']}/{action}")
        assert response.status_code == 200, response.text
    return main, items


async def _ship(client: httpx.AsyncClient, warehouse: str, lines: list[tuple[str, int]]):
    """Create, approve and commit one outbound; return the approve status code."""
    created = await client.post(
        "/api/v1/outbounds",
        json={
            "warehouse_id": warehouse,
            "lines": [{"item_id": item, "quantity": q} for item, q in lines],
        },
    )
    assert created.status_code == 201, created.text
    document = created.json()["id"]
    approve = await client.post(f"/api/v1/outbounds/{document}/approve")
    if approve.status_code == 409:
        assert approve.json()["code"] == "insufficient_stock", approve.text
        return 409
    assert approve.status_code == 200, approve.text
    commit = await client.post(f"/api/v1/outbounds/{document}/commit")
    assert commit.status_code == 200, commit.text
    return 200


async def _ledger_adds_up(client: httpx.AsyncClient, item_id: str) -> Decimal:
    stock = (await client.get(f"/api/v1/stocks/{item_id}")).json()
    moves = (
        await client.get("/api/v1/stock-moves", params={"item_id": item_id, "limit": 200})
    ).json()
    assert moves["count"] <= 200
    ledger_total = sum(Decimal(str(m["quantity"])) for m in moves["data"])
    assert Decimal(str(stock["on_hand"])) == ledger_total
    assert stock["reserved"] == 0
    balances = sorted(Decimal(str(m["balance_after"])) for m in moves["data"])
    assert balances[0] >= 0
    return ledger_total


async def test_hot_item_is_never_oversold(server):
    base_url, clients = server
    stock = clients // 2
    setup = await _session(base_url)
    warehouse, items = await _prepare(setup, {"HOT-1": stock})
    sessions = _clients(setup, clients)
    try:
        results = await asyncio.gather(
            *(_ship(session, warehouse, [(items["HOT-1"], 1)]) for session in sessions)
        )
        assert results.count(200) == stock
        assert results.count(409) == clients - stock
        assert await _ledger_adds_up(setup, items["HOT-1"]) == 0
    finally:
        await asyncio.gather(setup.aclose(), *(s.aclose() for s in sessions))


async def test_multi_line_shipments_in_any_line_order_never_deadlock(server):
    base_url, clients = server
    stock = clients // 3
    setup = await _session(base_url)
    skus = {"MULTI-A": stock, "MULTI-B": stock, "MULTI-C": stock}
    warehouse, items = await _prepare(setup, skus)
    sessions = _clients(setup, clients)
    shuffled = []
    for n in range(clients):
        lines = [(items[sku], 1) for sku in skus]
        random.Random(n).shuffle(lines)
        shuffled.append(lines)
    try:
        results = await asyncio.gather(
            *(
                _ship(session, warehouse, lines)
                for session, lines in zip(sessions, shuffled, strict=True)
            )
        )
        assert results.count(200) == stock
        assert results.count(409) == clients - stock
        for item_id in items.values():
            assert await _ledger_adds_up(setup, item_id) == 0
    finally:
        await asyncio.gather(setup.aclose(), *(s.aclose() for s in sessions))


async def _receive(client: httpx.AsyncClient, warehouse: str, item: str, quantity: int) -> None:
    created = await client.post(
        "/api/v1/inbounds",
        json={"warehouse_id": warehouse, "lines": [{"item_id": item, "quantity": quantity}]},
    )
    assert created.status_code == 201, created.text
    for action in ("approve", "commit"):
        response = await client.post(f"/api/v1/inbounds/{created.json()['id']}/{action}")
        assert response.status_code == 200, response.text


async def _events(client: httpx.AsyncClient, entity_id: str) -> list[dict]:
    found, after = [], None
    while True:
        params = {"limit": 1000} | ({"after": after} if after else {})
        page = (await client.get("/api/v1/events", params=params)).json()
        found += [e for e in page["data"] if e["entity_id"] == entity_id]
        if not page["data"]:
            return found
        after = page["next_cursor"]


async def test_low_stock_alerts_close_and_reopen_with_racing_receipts_and_shipments(server):
    # At 28 with a reorder point of 28, the item is low (one open alert). Receipts and
    # shipments of 1 race in a shuffled order, so it crosses its reorder point again and
    # again while other commits are in flight, and ends where it started: low.
    base_url, clients = server
    setup = await _session(base_url)
    warehouse, items = await _prepare(setup, {"ALERT-1": 28 + clients})
    item = items["ALERT-1"]
    patched = await setup.patch(f"/api/v1/items/{item}", json={"reorder_point": 28})
    assert patched.status_code == 200, patched.text
    await _ship(setup, warehouse, [(item, clients)])
    sessions = _clients(setup, clients)
    moves = ["ship", "receive"] * (clients // 2)
    random.Random(7).shuffle(moves)
    try:
        results = await asyncio.gather(
            *(
                _ship(session, warehouse, [(item, 1)])
                if move == "ship"
                else _receive(session, warehouse, item, 1)
                for session, move in zip(sessions, moves, strict=True)
            )
        )
        assert results.count(200) == clients // 2
        assert await _ledger_adds_up(setup, item) == 28
        alerts = (await setup.get("/api/v1/alerts", params={"item_id": item, "limit": 200})).json()
        [still_open] = [a for a in alerts["data"] if a["status"] == "open"]
        by_alert: dict[str, list[str]] = {}
        for event in await _events(setup, item):
            if event["type"] in ("stock.low", "stock.recovered"):
                by_alert.setdefault(event["data"]["alert_id"], []).append(event["type"])
        # Every alert opened once and closed once, through those two events; the last one
        # is still open. No two were ever open at once (a unique index would have refused).
        assert set(by_alert) == {a["id"] for a in alerts["data"]}
        assert by_alert.pop(still_open["id"]) == ["stock.low"]
        assert all(sorted(kinds) == ["stock.low", "stock.recovered"] for kinds in by_alert.values())
    finally:
        await asyncio.gather(setup.aclose(), *(s.aclose() for s in sessions))
