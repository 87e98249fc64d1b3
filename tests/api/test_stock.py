"""Stock over HTTP: levels, the ledger, stock at a past instant, counts and transfers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from erp_engine.kernel.roles import Role
from tests.support.statements import recorded_statements

STOCKS, MOVES = "/api/v1/stocks", "/api/v1/stock-moves"
ADJUSTMENTS, TRANSFERS = "/api/v1/stock-adjustments", "/api/v1/transfers"


def D(value: Any) -> Decimal:
    return Decimal(str(value))


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return body


def fields(body: dict) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


def shift(timestamp: str, microseconds: int) -> str:
    """An API timestamp moved by a few microseconds, in the API's own format."""
    moved = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    moved += timedelta(microseconds=microseconds)
    return moved.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def level(api, item_id: str, warehouse_id: str) -> tuple[Decimal, Decimal, Decimal]:
    stock = await api.stock(item_id)
    for row in stock["warehouses"]:
        if row["warehouse_id"] == warehouse_id:
            return D(row["on_hand"]), D(row["reserved"]), D(row["available"])
    return Decimal(0), Decimal(0), Decimal(0)


async def moves_of(api, **params) -> list[dict]:
    page = await api.ok("GET", MOVES, params={"limit": 200, **params})
    assert page["count"] == len(page["data"])
    return page["data"]


async def reserve(api, item_id: str, quantity: Any, warehouse_id: str) -> dict:
    doc = await api.document("outbound", warehouse_id, [(item_id, quantity)])
    return await api.act("outbound", doc["id"], "approve")


@pytest.fixture
async def wh(api) -> str:
    return (await api.main_warehouse())["id"]


# Stock levels -------------------------------------------------------------------------------


async def test_stock_rows_per_item_and_warehouse_and_their_filters(api, wh):
    engine = await api.engine()
    widget = await api.item("WIDGET-A", name="Blue widget", engine_id=engine["id"], reorder_point=5)
    gadget = await api.item("GADGET-B", name="Red gadget")
    unstocked = await api.item("NEVER-C", name="Never stocked widget")
    second = await api.warehouse("WH2")
    await api.receive(widget["id"], 10, wh)
    await api.receive(widget["id"], 3, second["id"])
    await api.receive(gadget["id"], 2, wh)
    await reserve(api, widget["id"], 6, wh)

    page = await api.ok("GET", STOCKS)
    assert page["count"] == 3
    rows = {(r["sku"], r["warehouse_code"]): r for r in page["data"]}
    assert set(rows) == {("WIDGET-A", "MAIN"), ("WIDGET-A", "WH2"), ("GADGET-B", "MAIN")}
    main_widget = rows[("WIDGET-A", "MAIN")]
    assert main_widget["item_id"] == widget["id"]
    assert main_widget["warehouse_id"] == wh
    assert main_widget["item_name"] == "Blue widget"
    assert main_widget["engine_id"] == engine["id"]
    assert [D(main_widget[k]) for k in ("on_hand", "reserved", "available", "reorder_point")] == [
        10,
        6,
        4,
        5,
    ]
    assert main_widget["low_stock"] is True  # available 4 <= reorder point 5
    assert main_widget["updated_at"]
    assert rows[("WIDGET-A", "WH2")]["low_stock"] is True  # 3 <= 5
    assert rows[("GADGET-B", "MAIN")]["low_stock"] is False  # no reorder point, never low
    assert unstocked["id"] not in {r["item_id"] for r in page["data"]}

    async def keys(**params):
        found = await api.ok("GET", STOCKS, params=params)
        assert found["count"] == len(found["data"])
        return {(r["sku"], r["warehouse_code"]) for r in found["data"]}

    assert await keys(item_id=widget["id"]) == {("WIDGET-A", "MAIN"), ("WIDGET-A", "WH2")}
    assert await keys(warehouse_id=second["id"]) == {("WIDGET-A", "WH2")}
    assert await keys(engine_id=engine["id"]) == {("WIDGET-A", "MAIN"), ("WIDGET-A", "WH2")}
    assert await keys(engine_id=str(uuid.uuid4())) == set()
    assert await keys(low_stock="true") == {("WIDGET-A", "MAIN"), ("WIDGET-A", "WH2")}
    assert await keys(low_stock="false") == {("GADGET-B", "MAIN")}
    assert await keys(q="widget") == {("WIDGET-A", "MAIN"), ("WIDGET-A", "WH2")}
    assert await keys(q="gadget-b") == {("GADGET-B", "MAIN")}
    assert await keys(q="RED") == {("GADGET-B", "MAIN")}
    assert await keys(q="widget_a") == set()  # LIKE's wildcards are literal in a search
    assert await keys(item_id=widget["id"], warehouse_id=wh) == {("WIDGET-A", "MAIN")}

    # Shipping the reservation out of MAIN and restocking lifts the row above the point.
    await api.receive(widget["id"], 20, wh)
    assert await keys(low_stock="true") == {("WIDGET-A", "WH2")}

    viewer = await api.ok("GET", STOCKS, role=Role.VIEWER)
    assert viewer["count"] == 3
    for bad in ({"low_stock": "maybe"}, {"item_id": "x"}, {"limit": 500}, {"sort": "cost"}):
        problem(await api.get(STOCKS, params=bad), 422, "validation_error")


async def test_a_count_that_changes_nothing_makes_no_stock_row(api, wh):
    counted, stocked = await api.item(), await api.item()
    await api.receive(stocked["id"], 2, wh)
    adjustment = await api.ok(
        "POST",
        ADJUSTMENTS,
        201,
        json={
            "warehouse_id": wh,
            "reason": "empty shelf",
            "lines": [{"item_id": counted["id"], "counted_quantity": 0}],
        },
    )
    assert [D(ln["difference"]) for ln in adjustment["lines"]] == [0]
    assert await moves_of(api, item_id=counted["id"]) == []
    # Stock rows are those that have had a move: counting an empty shelf adds none.
    rows = (await api.ok("GET", STOCKS))["data"]
    assert [r["item_id"] for r in rows] == [stocked["id"]]
    assert (await api.stock(counted["id"]))["warehouses"] == []


async def test_item_stock_has_totals_and_a_row_per_warehouse(api, wh):
    item = await api.item()
    second = await api.warehouse("WH2")
    await api.receive(item["id"], "7.5", wh)
    await api.receive(item["id"], 4, second["id"])
    await reserve(api, item["id"], 2, second["id"])

    stock = await api.stock(item["id"])
    assert (stock["item_id"], stock["sku"]) == (item["id"], item["sku"])
    assert [D(stock[k]) for k in ("on_hand", "reserved", "available")] == [D("11.5"), 2, D("9.5")]
    assert [
        (
            w["warehouse_id"],
            w["warehouse_code"],
            D(w["on_hand"]),
            D(w["reserved"]),
            D(w["available"]),
        )
        for w in stock["warehouses"]
    ] == [(wh, "MAIN", D("7.5"), 0, D("7.5")), (second["id"], "WH2", 4, 2, 2)]
    # The item's own totals agree.
    read = await api.ok("GET", f"/api/v1/items/{item['id']}")
    assert [D(read[k]) for k in ("on_hand", "reserved", "available")] == [D("11.5"), 2, D("9.5")]

    empty = await api.stock((await api.item())["id"])
    assert [D(empty[k]) for k in ("on_hand", "reserved", "available")] == [0, 0, 0]
    assert empty["warehouses"] == []
    problem(await api.get(f"{STOCKS}/{uuid.uuid4()}"), 404, "not_found")


async def test_stock_as_of_replays_the_ledger_at_a_past_instant(api, wh):
    a, b = await api.item("ASOF-A"), await api.item("ASOF-B")
    second = await api.warehouse("WH2")
    first = await api.receive(a["id"], 10, wh)
    shipped = await api.ship(a["id"], 3, wh)
    elsewhere = await api.receive(a["id"], 5, second["id"])
    adjust = await api.ok(
        "POST",
        ADJUSTMENTS,
        201,
        json={
            "warehouse_id": wh,
            "reason": "count",
            "lines": [{"item_id": b["id"], "counted_quantity": 2}],
        },
    )
    last = await api.receive(b["id"], 1, wh)

    async def as_of(at: str, **params) -> dict[tuple[str, str], Decimal]:
        page = await api.ok("GET", f"{STOCKS}/as-of", params={"at": at, **params})
        assert page["count"] == len(page["data"])
        return {(r["sku"], r["warehouse_code"]): D(r["on_hand"]) for r in page["data"]}

    moves = {m["document_id"]: m for m in await moves_of(api)}
    assert await as_of(first["created_at"]) == {}
    assert await as_of(shift(moves[first["id"]]["created_at"], -1)) == {}
    assert await as_of(moves[first["id"]]["created_at"]) == {("ASOF-A", "MAIN"): 10}
    assert await as_of(first["committed_at"]) == {("ASOF-A", "MAIN"): 10}
    assert await as_of(shipped["created_at"]) == {("ASOF-A", "MAIN"): 10}
    assert await as_of(shipped["committed_at"]) == {("ASOF-A", "MAIN"): 7}
    assert await as_of(elsewhere["committed_at"]) == {("ASOF-A", "MAIN"): 7, ("ASOF-A", "WH2"): 5}
    assert await as_of(adjust["created_at"]) == {("ASOF-A", "MAIN"): 7, ("ASOF-A", "WH2"): 5}
    assert await as_of(last["created_at"]) == {
        ("ASOF-A", "MAIN"): 7,
        ("ASOF-A", "WH2"): 5,
        ("ASOF-B", "MAIN"): 2,
    }
    now = {("ASOF-A", "MAIN"): 7, ("ASOF-A", "WH2"): 5, ("ASOF-B", "MAIN"): 3}
    assert await as_of(last["committed_at"]) == now
    assert await as_of("2999-01-01T00:00:00Z") == now
    assert await as_of("2999-01-01T09:00:00+09:00") == now
    assert await as_of(last["committed_at"], item_id=a["id"]) == {
        ("ASOF-A", "MAIN"): 7,
        ("ASOF-A", "WH2"): 5,
    }
    assert await as_of(last["committed_at"], warehouse_id=second["id"]) == {("ASOF-A", "WH2"): 5}
    beyond = await api.ok(
        "GET", f"{STOCKS}/as-of", params={"at": last["committed_at"], "page": 9, "limit": 1}
    )
    assert beyond["data"] == []
    assert beyond["count"] == len(now)
    # The answer agrees with the live stock rows at the present.
    live = await api.ok("GET", STOCKS)
    assert {(r["sku"], r["warehouse_code"]): D(r["on_hand"]) for r in live["data"]} == now

    rows = (
        await api.ok(
            "GET", f"{STOCKS}/as-of", params={"at": last["committed_at"], "item_id": b["id"]}
        )
    )["data"]
    assert rows == [
        {
            "item_id": b["id"],
            "sku": "ASOF-B",
            "item_name": b["name"],
            "warehouse_id": wh,
            "warehouse_code": "MAIN",
            "on_hand": 3,
        }
    ]
    problem(await api.get(f"{STOCKS}/as-of"), 422, "validation_error")
    problem(
        await api.get(f"{STOCKS}/as-of", params={"at": "last tuesday"}), 422, "validation_error"
    )


async def test_times_without_an_offset_are_taken_as_utc(api, wh):
    item = await api.item()
    received = await api.receive(item["id"], 1, wh)
    move = (await moves_of(api))[0]
    naive = move["created_at"].removesuffix("Z")
    as_of = await api.ok("GET", f"{STOCKS}/as-of", params={"at": naive})
    assert [D(r["on_hand"]) for r in as_of["data"]] == [1]
    before = await api.ok("GET", f"{STOCKS}/as-of", params={"at": shift(naive + "Z", -1)[:-1]})
    assert before["data"] == []
    assert [m["id"] for m in await moves_of(api, **{"from": naive})] == [move["id"]]
    assert [m["id"] for m in await moves_of(api, to=naive)] == [move["id"]]
    flows = await api.ok("GET", "/api/v1/flows", params={"entity_id": received["id"], "to": naive})
    assert flows["count"] >= 1


# The ledger -------------------------------------------------------------------------------


async def test_stock_moves_list_and_filters(api, wh, role_users):
    a, b = await api.item(), await api.item()
    second = await api.warehouse()
    received = await api.receive(a["id"], 10, wh)
    shipped = await api.ship(a["id"], 4, wh)
    counted = await api.ok(
        "POST",
        ADJUSTMENTS,
        201,
        json={
            "warehouse_id": wh,
            "reason": "count",
            "lines": [{"item_id": b["id"], "counted_quantity": 3}],
        },
    )
    moved = await api.ok(
        "POST",
        TRANSFERS,
        201,
        json={
            "from_warehouse_id": wh,
            "to_warehouse_id": second["id"],
            "lines": [{"item_id": a["id"], "quantity": 2}],
        },
    )

    every = await moves_of(api)
    assert len(every) == 5
    move = next(m for m in every if m["document_id"] == received["id"])
    assert move == {
        "id": move["id"],
        "item_id": a["id"],
        "sku": a["sku"],
        "item_name": a["name"],
        "warehouse_id": wh,
        "quantity": 10,
        "balance_after": 10,
        "reason": "inbound",
        "document_type": "inbound",
        "document_id": received["id"],
        "document_number": received["number"],
        "actor_id": str(role_users.ids[Role.MANAGER]),
        "created_at": move["created_at"],
    }

    def summary(rows):
        return sorted(
            (m["reason"], m["document_number"], D(m["quantity"]), D(m["balance_after"]))
            for m in rows
        )

    assert summary(await moves_of(api, item_id=a["id"])) == sorted(
        [
            ("inbound", received["number"], D(10), D(10)),
            ("outbound", shipped["number"], D(-4), D(6)),
            ("transfer", moved["number"], D(-2), D(4)),
            ("transfer", moved["number"], D(2), D(2)),
        ]
    )
    assert summary(await moves_of(api, warehouse_id=second["id"])) == [
        ("transfer", moved["number"], D(2), D(2))
    ]
    assert summary(await moves_of(api, reason="adjustment")) == [
        ("adjustment", counted["number"], D(3), D(3))
    ]
    assert len(await moves_of(api, reason="transfer")) == 2
    assert summary(await moves_of(api, document_id=shipped["id"])) == [
        ("outbound", shipped["number"], D(-4), D(6))
    ]
    assert await moves_of(api, item_id=b["id"], warehouse_id=second["id"]) == []

    ship_move = next(m for m in every if m["document_id"] == shipped["id"])
    later = await moves_of(api, **{"from": ship_move["created_at"]})
    assert {m["reason"] for m in later} == {"outbound", "adjustment", "transfer"}
    earlier = await moves_of(api, to=ship_move["created_at"])
    assert {m["reason"] for m in earlier} == {"inbound", "outbound"}
    both = await moves_of(api, **{"from": ship_move["created_at"], "to": ship_move["created_at"]})
    assert [m["id"] for m in both] == [ship_move["id"]]
    assert (await api.ok("GET", MOVES, params={"limit": 2}))["count"] == 5
    for bad in ({"reason": "theft"}, {"document_id": "x"}, {"to": "soon"}):
        problem(await api.get(MOVES, params=bad), 422, "validation_error")


async def test_there_is_no_way_to_change_or_delete_a_move(api, wh):
    item = await api.item()
    await api.receive(item["id"], 10, wh)
    before = await moves_of(api)
    move_id = before[0]["id"]
    body = {"quantity": 1000, "balance_after": 1000}
    attempts = [
        ("PUT", f"{MOVES}/{move_id}"),
        ("PATCH", f"{MOVES}/{move_id}"),
        ("DELETE", f"{MOVES}/{move_id}"),
        ("POST", f"{MOVES}/{move_id}"),
        ("PUT", MOVES),
        ("PATCH", MOVES),
        ("DELETE", MOVES),
        ("POST", MOVES),
        ("DELETE", f"{MOVES}/"),
    ]
    for method, path in attempts:
        kwargs = (
            {}
            if method == "DELETE"
            else {"json": {**body, "item_id": item["id"], "warehouse_id": wh}}
        )
        response = await api.request(method, path, role=Role.ADMIN, **kwargs)
        assert response.status_code in (404, 405), (method, path, response.status_code)
    assert await moves_of(api) == before
    assert await level(api, item["id"], wh) == (10, 0, 10)


# Stock adjustments -------------------------------------------------------------------------


async def test_an_adjustment_sets_on_hand_to_the_count(api, wh, role_users):
    a, b, c = await api.item(), await api.item(), await api.item()
    await api.receive(a["id"], 10, wh)
    await api.receive(c["id"], 5, wh)
    response = await api.post(
        ADJUSTMENTS,
        json={
            "warehouse_id": wh,
            "reason": "cycle count",
            "lines": [
                {"item_id": a["id"], "counted_quantity": "7.25"},
                {"item_id": b["id"], "counted_quantity": 4},
                {"item_id": c["id"], "counted_quantity": 5},
            ],
        },
    )
    assert response.status_code == 201, response.text
    adjustment = response.json()
    assert response.headers["Location"] == f"{ADJUSTMENTS}/{adjustment['id']}"
    assert adjustment["number"] == "ADJ-000001"
    assert (adjustment["warehouse_id"], adjustment["reason"]) == (wh, "cycle count")
    assert adjustment["created_by"] == str(role_users.ids[Role.MANAGER])
    assert [
        (
            ln["item_id"],
            ln["sku"],
            D(ln["counted_quantity"]),
            D(ln["previous_quantity"]),
            D(ln["difference"]),
        )
        for ln in adjustment["lines"]
    ] == [
        (a["id"], a["sku"], D("7.25"), D(10), D("-2.75")),
        (b["id"], b["sku"], D(4), D(0), D(4)),
        (c["id"], c["sku"], D(5), D(5), D(0)),
    ]
    assert await level(api, a["id"], wh) == (D("7.25"), 0, D("7.25"))
    assert await level(api, b["id"], wh) == (4, 0, 4)
    assert await level(api, c["id"], wh) == (5, 0, 5)
    moves = await moves_of(api, document_id=adjustment["id"])
    # One move per changed line; an unchanged count has nothing to record.
    assert sorted((m["item_id"], D(m["quantity"]), D(m["balance_after"])) for m in moves) == sorted(
        [(a["id"], D("-2.75"), D("7.25")), (b["id"], D(4), D(4))]
    )
    assert {(m["reason"], m["document_type"], m["document_number"]) for m in moves} == {
        ("adjustment", "adjustment", "ADJ-000001")
    }

    assert await api.ok("GET", f"{ADJUSTMENTS}/{adjustment['id']}", role=Role.VIEWER) == adjustment
    second = await api.ok(
        "POST",
        ADJUSTMENTS,
        201,
        json={
            "warehouse_id": wh,
            "reason": "recount",
            "lines": [{"item_id": a["id"], "counted_quantity": 0}],
        },
    )
    assert second["number"] == "ADJ-000002"
    assert await level(api, a["id"], wh) == (0, 0, 0)
    listed = await api.ok("GET", ADJUSTMENTS, role=Role.VIEWER)
    assert (listed["count"], {x["number"] for x in listed["data"]}) == (
        2,
        {"ADJ-000001", "ADJ-000002"},
    )
    flows = await api.ok("GET", "/api/v1/flows", params={"entity_type": "adjustment"})
    assert {(f["action"], f["entity_number"]) for f in flows["data"]} == {
        ("adjusted", "ADJ-000001"),
        ("adjusted", "ADJ-000002"),
    }
    problem(await api.get(f"{ADJUSTMENTS}/{uuid.uuid4()}"), 404, "not_found")


async def test_a_count_below_what_is_reserved_is_refused(api, wh):
    a, b = await api.item(), await api.item()
    await api.receive(a["id"], 10, wh)
    await api.receive(b["id"], 10, wh)
    outbound = await reserve(api, a["id"], 4, wh)
    response = await api.post(
        ADJUSTMENTS,
        json={
            "warehouse_id": wh,
            "reason": "count",
            "lines": [
                {"item_id": b["id"], "counted_quantity": 1},
                {"item_id": a["id"], "counted_quantity": "3.999"},
            ],
        },
    )
    body = problem(response, 409, "conflict")
    assert fields(body) == {"lines[1].counted_quantity"}
    assert await level(api, a["id"], wh) == (10, 4, 6)
    assert await level(api, b["id"], wh) == (10, 0, 10)  # all or nothing
    assert await moves_of(api, reason="adjustment") == []
    assert (await api.ok("GET", ADJUSTMENTS))["count"] == 0

    # Down to exactly what is reserved is fine, and the shipment still goes out.
    done = await api.ok(
        "POST",
        ADJUSTMENTS,
        201,
        json={
            "warehouse_id": wh,
            "reason": "count",
            "lines": [{"item_id": a["id"], "counted_quantity": 4}],
        },
    )
    assert done["number"] == "ADJ-000001"  # the refused count took no number
    assert await level(api, a["id"], wh) == (4, 4, 0)
    await api.act("outbound", outbound["id"], "commit")
    assert await level(api, a["id"], wh) == (0, 0, 0)


async def test_adjustments_need_a_manager_and_a_valid_body(api, wh):
    item, inactive = await api.item(), await api.item(active=False)
    closed = await api.warehouse(active=False)

    def body(*lines, **extra):
        return {"warehouse_id": wh, "reason": "count", "lines": list(lines), **extra}

    line = {"item_id": item["id"], "counted_quantity": 5}
    problem(await api.post(ADJUSTMENTS, role=Role.STAFF, json=body(line)), 403, "forbidden")
    problem(await api.post(ADJUSTMENTS, role=Role.VIEWER, json=body(line)), 403, "forbidden")
    cases = [
        (body(), "lines"),
        (body({"item_id": item["id"], "counted_quantity": -1}), "lines[0].counted_quantity"),
        (body({"item_id": item["id"], "counted_quantity": "0.0001"}), "lines[0].counted_quantity"),
        (body(line, {"item_id": str(uuid.uuid4()), "counted_quantity": 1}), "lines[1].item_id"),
        (body(line, {"item_id": inactive["id"], "counted_quantity": 1}), "lines[1].item_id"),
        (body(line, warehouse_id=str(uuid.uuid4())), "warehouse_id"),
        (body(line, warehouse_id=closed["id"]), "warehouse_id"),
        (body(line, reason=""), "reason"),
        (body(line, number="ADJ-000009"), "number"),
        ({"warehouse_id": wh, "lines": [line]}, "reason"),
    ]
    for payload, field in cases:
        response = await api.post(ADJUSTMENTS, json=payload)
        assert field in fields(problem(response, 422, "validation_error")), (payload, response.text)
    duplicate = await api.post(ADJUSTMENTS, json=body(line, {**line, "counted_quantity": 6}))
    assert any(f.startswith("lines") for f in fields(problem(duplicate, 422, "validation_error")))
    assert await moves_of(api) == []
    done = await api.ok("POST", ADJUSTMENTS, 201, json=body(line), role=Role.ADMIN)
    assert done["number"] == "ADJ-000001"


# Transfers -------------------------------------------------------------------------------


async def test_a_transfer_moves_stock_out_of_one_warehouse_into_another(api, wh, role_users):
    a, b = await api.item(), await api.item()
    second = await api.warehouse("WH2")
    await api.receive(a["id"], 10, wh)
    await api.receive(b["id"], 5, wh)
    await api.receive(a["id"], 1, second["id"])
    response = await api.post(
        TRANSFERS,
        json={
            "from_warehouse_id": wh,
            "to_warehouse_id": second["id"],
            "memo": "rebalance",
            "lines": [{"item_id": a["id"], "quantity": "4.5"}, {"item_id": b["id"], "quantity": 5}],
        },
    )
    assert response.status_code == 201, response.text
    transfer = response.json()
    assert response.headers["Location"] == f"{TRANSFERS}/{transfer['id']}"
    assert transfer["number"] == "TRF-000001"
    assert (transfer["from_warehouse_id"], transfer["to_warehouse_id"]) == (wh, second["id"])
    assert transfer["memo"] == "rebalance"
    assert transfer["created_by"] == str(role_users.ids[Role.MANAGER])
    assert [(ln["item_id"], ln["sku"], D(ln["quantity"])) for ln in transfer["lines"]] == [
        (a["id"], a["sku"], D("4.5")),
        (b["id"], b["sku"], D(5)),
    ]

    assert await level(api, a["id"], wh) == (D("5.5"), 0, D("5.5"))
    assert await level(api, a["id"], second["id"]) == (D("5.5"), 0, D("5.5"))
    assert await level(api, b["id"], wh) == (0, 0, 0)
    assert await level(api, b["id"], second["id"]) == (5, 0, 5)
    moves = await moves_of(api, document_id=transfer["id"])
    assert sorted(
        (m["item_id"], m["warehouse_id"], D(m["quantity"]), D(m["balance_after"])) for m in moves
    ) == sorted(
        [
            (a["id"], wh, D("-4.5"), D("5.5")),
            (a["id"], second["id"], D("4.5"), D("5.5")),
            (b["id"], wh, D(-5), D(0)),
            (b["id"], second["id"], D(5), D(5)),
        ]
    )
    assert {(m["reason"], m["document_type"], m["document_number"]) for m in moves} == {
        ("transfer", "transfer", "TRF-000001")
    }
    # Totals over warehouses do not change.
    assert D((await api.stock(a["id"]))["on_hand"]) == 11

    assert await api.ok("GET", f"{TRANSFERS}/{transfer['id']}", role=Role.VIEWER) == transfer
    back = await api.ok(
        "POST",
        TRANSFERS,
        201,
        json={
            "from_warehouse_id": second["id"],
            "to_warehouse_id": wh,
            "lines": [{"item_id": b["id"], "quantity": 2}],
        },
    )
    assert back["number"] == "TRF-000002"
    assert await level(api, b["id"], wh) == (2, 0, 2)
    listed = await api.ok("GET", TRANSFERS, params={"warehouse_id": second["id"]})
    assert listed["count"] == 2
    flows = await api.ok("GET", "/api/v1/flows", params={"entity_type": "transfer"})
    assert {(f["action"], f["entity_number"]) for f in flows["data"]} == {
        ("transferred", "TRF-000001"),
        ("transferred", "TRF-000002"),
    }
    problem(await api.get(f"{TRANSFERS}/{uuid.uuid4()}"), 404, "not_found")


async def test_a_transfer_is_all_or_nothing_and_names_every_short_line(api, wh):
    held, enough, missing = await api.item(), await api.item(), await api.item()
    second = await api.warehouse()
    await api.receive(held["id"], 10, wh)
    await api.receive(enough["id"], 1, wh)
    await api.receive(missing["id"], 9, second["id"])
    await reserve(api, held["id"], 8, wh)
    response = await api.post(
        TRANSFERS,
        json={
            "from_warehouse_id": wh,
            "to_warehouse_id": second["id"],
            "lines": [
                {"item_id": held["id"], "quantity": 3},
                {"item_id": enough["id"], "quantity": 1},
                {"item_id": missing["id"], "quantity": 2},
            ],
        },
    )
    body = problem(response, 409, "insufficient_stock")
    short = {e["field"]: e for e in body["errors"]}
    assert set(short) == {"lines[0].quantity", "lines[2].quantity"}
    assert (short["lines[0].quantity"]["item_id"], short["lines[2].quantity"]["item_id"]) == (
        held["id"],
        missing["id"],
    )
    assert {e["warehouse_id"] for e in body["errors"]} == {wh}
    assert [
        (D(short[f]["requested"]), D(short[f]["available"]))
        for f in ("lines[0].quantity", "lines[2].quantity")
    ] == [(3, 2), (2, 0)]

    assert await level(api, held["id"], wh) == (10, 8, 2)
    assert await level(api, enough["id"], wh) == (1, 0, 1)
    assert await level(api, enough["id"], second["id"]) == (0, 0, 0)
    assert await level(api, missing["id"], second["id"]) == (9, 0, 9)
    assert await moves_of(api, reason="transfer") == []
    assert (await api.ok("GET", TRANSFERS))["count"] == 0
    done = await api.ok(
        "POST",
        TRANSFERS,
        201,
        json={
            "from_warehouse_id": wh,
            "to_warehouse_id": second["id"],
            "lines": [{"item_id": held["id"], "quantity": 2}],
        },
    )
    assert done["number"] == "TRF-000001"
    assert await level(api, held["id"], wh) == (8, 8, 0)


async def test_transfers_need_a_manager_and_two_active_warehouses(api, wh):
    item = await api.item()
    second, closed = await api.warehouse(), await api.warehouse(active=False)
    await api.receive(item["id"], 10, wh)
    line = {"item_id": item["id"], "quantity": 1}

    def body(*lines, **extra):
        return {
            "from_warehouse_id": wh,
            "to_warehouse_id": second["id"],
            "lines": list(lines),
            **extra,
        }

    problem(await api.post(TRANSFERS, role=Role.STAFF, json=body(line)), 403, "forbidden")
    problem(await api.post(TRANSFERS, role=Role.VIEWER, json=body(line)), 403, "forbidden")
    same = await api.post(TRANSFERS, json=body(line, to_warehouse_id=wh))
    assert fields(problem(same, 422, "validation_error")) & {"to_warehouse_id", "from_warehouse_id"}
    cases = [
        (body(line, to_warehouse_id=closed["id"]), "to_warehouse_id"),
        (body(line, from_warehouse_id=str(uuid.uuid4())), "from_warehouse_id"),
        (body(), "lines"),
        (body({"item_id": item["id"], "quantity": 0}), "lines[0].quantity"),
        (body(line, {"item_id": str(uuid.uuid4()), "quantity": 1}), "lines[1].item_id"),
        (body(line, number="TRF-000009"), "number"),
    ]
    for payload, field in cases:
        response = await api.post(TRANSFERS, json=payload)
        assert field in fields(problem(response, 422, "validation_error")), (payload, response.text)
    assert await moves_of(api, reason="transfer") == []
    assert await level(api, item["id"], wh) == (10, 0, 10)


async def test_adjustment_and_transfer_lists_name_their_lines_in_one_lookup(api, app, wh):
    """A page of five documents takes as many statements as a page of one (no N+1)."""
    second = await api.warehouse("WH2")
    items = [await api.item() for _ in range(5)]
    for item in items:
        await api.receive(item["id"], 10, wh)

    async def make_both(item: dict) -> None:
        lines = [{"item_id": item["id"], "counted_quantity": 9}]
        body = {"warehouse_id": wh, "reason": "count", "lines": lines}
        await api.ok("POST", ADJUSTMENTS, 201, json=body)
        body = {
            "from_warehouse_id": wh,
            "to_warehouse_id": second["id"],
            "lines": [{"item_id": item["id"], "quantity": 1}],
        }
        await api.ok("POST", TRANSFERS, 201, json=body)

    async def statements_for(path: str) -> tuple[int, int]:
        with recorded_statements(app) as statements:
            page = await api.ok("GET", path)
        assert all(line["sku"] for doc in page["data"] for line in doc["lines"])
        return len(page["data"]), len(statements)

    await make_both(items[0])
    one = {path: await statements_for(path) for path in (ADJUSTMENTS, TRANSFERS)}
    for item in items[1:]:
        await make_both(item)
    five = {path: await statements_for(path) for path in (ADJUSTMENTS, TRANSFERS)}
    for path in (ADJUSTMENTS, TRANSFERS):
        assert (one[path][0], five[path][0]) == (1, 5)
        assert five[path][1] == one[path][1], (path, one[path], five[path])
