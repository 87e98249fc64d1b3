"""Engines and items: codes and SKUs, computed stock figures, filters, deletes and flows."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from erp_engine.api import responses
from erp_engine.kernel.roles import Role

ENGINES = "/api/v1/engines"
ITEMS = "/api/v1/items"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    return body


def error_fields(body: dict) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


async def flows_of(api, entity_id: str) -> list[dict]:
    """The entity's flows, oldest first."""
    page = await api.ok(
        "GET", "/api/v1/flows", params={"entity_id": entity_id, "sort": "created_at", "limit": 200}
    )
    return page["data"]


async def codes(api, path: str, **params) -> list[str]:
    page = await api.ok("GET", path, params={"limit": 200, **params})
    key = "sku" if path == ITEMS else "code"
    return sorted(row[key] for row in page["data"])


# Engines ----------------------------------------------------------------------------------


async def test_create_engine_returns_it_with_defaults(api, role_users):
    response = await api.post(
        ENGINES, json={"code": "lcd-mon_1", "name": "LCD 모니터", "description": "Monitors"}
    )
    assert response.status_code == 201
    engine = response.json()
    assert engine["code"] == "LCD-MON_1"
    assert engine["name"] == "LCD 모니터"
    assert engine["description"] == "Monitors"
    assert engine["status"] == "active"
    assert engine["item_count"] == 0
    assert engine["version"] == 1
    uuid.UUID(engine["id"])
    assert engine["created_at"].endswith("Z")
    assert engine["updated_at"].endswith("Z")
    fetched = await api.ok("GET", f"{ENGINES}/{engine['id']}")
    assert fetched == engine


@pytest.mark.parametrize(
    "code", ["", "A" * 33, "LCD MON", "LCD.MON", "모니터", "A/B", "ÄBC", "A\nB"]
)
async def test_engine_code_must_be_1_to_32_of_letters_digits_dash_underscore(api, code):
    response = await api.post(ENGINES, json={"code": code, "name": "Bad code"})
    body = assert_problem(response, 422, "validation_error")
    assert "code" in error_fields(body)
    assert (await api.ok("GET", ENGINES))["count"] == 0


async def test_engine_code_of_32_characters_is_accepted(api):
    engine = await api.engine("a" * 32)
    assert engine["code"] == "A" * 32


async def test_duplicate_engine_code_is_a_conflict_regardless_of_case(api):
    await api.engine("KEYB")
    response = await api.post(ENGINES, json={"code": "keyb", "name": "Another"})
    body = assert_problem(response, 409, "conflict")
    assert "code" in error_fields(body)
    assert await codes(api, ENGINES) == ["KEYB"]


async def test_renaming_an_engine_code_onto_another_is_a_conflict(api):
    await api.engine("TAKEN")
    engine = await api.engine("FREE")
    response = await api.patch(f"{ENGINES}/{engine['id']}", json={"code": "taken"})
    assert_problem(response, 409, "conflict")
    assert (await api.ok("GET", f"{ENGINES}/{engine['id']}"))["code"] == "FREE"


async def test_patch_engine_changes_only_the_given_fields(api):
    engine = await api.engine("PATCHME", description="Keep me")
    response = await api.patch(
        f"{ENGINES}/{engine['id']}", json={"code": "patched", "status": "inactive"}
    )
    assert response.status_code == 200
    patched = response.json()
    assert patched["code"] == "PATCHED"
    assert patched["status"] == "inactive"
    assert patched["description"] == "Keep me"
    assert patched["name"] == engine["name"]
    assert patched["version"] == 2
    assert patched["created_at"] == engine["created_at"]


@pytest.mark.parametrize(
    "body", [{"name": None}, {"status": None}, {"code": None}, {"status": "deleted"}, {"name": ""}]
)
async def test_patch_engine_refuses_invalid_values(api, body):
    engine = await api.engine()
    response = await api.patch(f"{ENGINES}/{engine['id']}", json=body)
    assert_problem(response, 422, "validation_error")
    assert (await api.ok("GET", f"{ENGINES}/{engine['id']}"))["version"] == 1


async def test_patch_that_changes_nothing_keeps_the_version_and_writes_no_flow(api):
    engine = await api.engine("SAME", name="Same")
    response = await api.patch(f"{ENGINES}/{engine['id']}", json={"name": "Same", "code": "same"})
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert [f["action"] for f in await flows_of(api, engine["id"])] == ["created"]


async def test_engine_item_count_counts_its_items(api):
    engine = await api.engine()
    other = await api.engine()
    await api.item(engine_id=engine["id"])
    await api.item(engine_id=engine["id"])
    await api.item(engine_id=other["id"])
    await api.item()
    assert (await api.ok("GET", f"{ENGINES}/{engine['id']}"))["item_count"] == 2
    listed = {e["id"]: e["item_count"] for e in (await api.ok("GET", ENGINES))["data"]}
    assert listed == {engine["id"]: 2, other["id"]: 1}


async def test_engine_list_filters_by_text(api):
    await api.engine("MON", name="LCD 모니터")
    await api.engine("KBD", name="키보드")
    await api.engine("MOUSE", name="Mouse")
    assert await codes(api, ENGINES, q="mo") == ["MON", "MOUSE"]
    assert await codes(api, ENGINES, q="키보") == ["KBD"]
    assert await codes(api, ENGINES, q="nothing") == []


async def test_deleting_an_engine_with_items_is_a_conflict(api):
    engine = await api.engine()
    item = await api.item(engine_id=engine["id"])
    response = await api.delete(f"{ENGINES}/{engine['id']}", role=Role.ADMIN)
    assert_problem(response, 409, "conflict")
    assert (await api.get(f"{ENGINES}/{engine['id']}")).status_code == 200
    assert "deleted" not in [f["action"] for f in await flows_of(api, engine["id"])]
    await api.ok("PATCH", f"{ITEMS}/{item['id']}", json={"engine_id": None})
    assert (await api.delete(f"{ENGINES}/{engine['id']}", role=Role.ADMIN)).status_code == 204
    assert_problem(await api.get(f"{ENGINES}/{engine['id']}"), 404, "not_found")


async def test_engine_flows_record_create_update_and_delete(api, role_users):
    engine = await api.engine("FLOWING")
    await api.ok("PATCH", f"{ENGINES}/{engine['id']}", json={"status": "inactive"})
    await api.ok("DELETE", f"{ENGINES}/{engine['id']}", 204, role=Role.ADMIN)
    flows = await flows_of(api, engine["id"])
    assert [f["action"] for f in flows] == ["created", "updated", "deleted"]
    assert {f["entity_type"] for f in flows} == {"engine"}
    assert {f["entity_number"] for f in flows} == {"FLOWING"}
    assert [f["actor_id"] for f in flows] == [
        str(role_users.ids[Role.MANAGER]),
        str(role_users.ids[Role.MANAGER]),
        str(role_users.ids[Role.ADMIN]),
    ]
    assert flows[0]["actor_name"] == f"Test {Role.MANAGER}"
    assert flows[1]["from_status"] == "active"
    assert flows[1]["to_status"] == "inactive"


# Items ------------------------------------------------------------------------------------


async def test_create_item_returns_it_with_defaults_and_zero_stock(api):
    response = await api.post(ITEMS, json={"sku": "KB-01", "name": "Keyboard"})
    assert response.status_code == 201
    item = response.json()
    assert item["sku"] == "KB-01"
    assert item["unit"] == "EA"
    assert item["barcode"] is None
    assert item["engine_id"] is None
    assert item["unit_cost"] == 0
    assert item["reorder_point"] == 0
    assert item["active"] is True
    assert (item["on_hand"], item["reserved"], item["available"]) == (0, 0, 0)
    assert item["low_stock"] is False
    assert item["version"] == 1
    assert await api.ok("GET", f"{ITEMS}/{item['id']}") == item


async def test_item_keeps_the_sku_as_typed(api):
    item = await api.item("Mixed-Case-Sku")
    assert item["sku"] == "Mixed-Case-Sku"


async def test_sku_is_unique_regardless_of_case(api):
    await api.item("ABC-1")
    response = await api.post(ITEMS, json={"sku": "abc-1", "name": "Clash"})
    body = assert_problem(response, 409, "conflict")
    assert "sku" in error_fields(body)
    assert await codes(api, ITEMS) == ["ABC-1"]


async def test_changing_an_items_sku_onto_another_is_a_conflict_but_its_own_case_is_fine(api):
    await api.item("FIRST")
    second = await api.item("SECOND")
    clash = await api.patch(f"{ITEMS}/{second['id']}", json={"sku": "first"})
    assert_problem(clash, 409, "conflict")
    recased = await api.ok("PATCH", f"{ITEMS}/{second['id']}", json={"sku": "second"})
    assert recased["sku"] == "second"


async def test_barcode_is_unique_where_set(api):
    await api.item(barcode="8801234567890")
    clash = await api.post(ITEMS, json={"sku": "B2", "name": "b", "barcode": "8801234567890"})
    body = assert_problem(clash, 409, "conflict")
    assert "barcode" in error_fields(body)
    first_blank = await api.item(barcode=None)
    second_blank = await api.item()
    third_blank = await api.item(barcode="")
    assert first_blank["barcode"] is second_blank["barcode"] is third_blank["barcode"] is None
    other = await api.item()
    moved = await api.patch(f"{ITEMS}/{other['id']}", json={"barcode": "8801234567890"})
    assert_problem(moved, 409, "conflict")


async def test_item_with_an_unknown_engine_is_refused(api):
    response = await api.post(
        ITEMS, json={"sku": "ORPHAN", "name": "o", "engine_id": str(uuid.uuid4())}
    )
    body = assert_problem(response, 422, "validation_error")
    assert "engine_id" in error_fields(body)
    assert (await api.ok("GET", ITEMS))["count"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"sku": "", "name": "n"},
        {"sku": "S" * 65, "name": "n"},
        {"sku": "S1", "name": ""},
        {"sku": "S1"},
        {"name": "no sku"},
        {"sku": "S1", "name": "n", "unit_cost": -1},
        {"sku": "S1", "name": "n", "reorder_point": -1},
        {"sku": "S1", "name": "n", "active": "maybe"},
    ],
)
async def test_invalid_items_are_refused(api, body):
    assert_problem(await api.post(ITEMS, json=body), 422, "validation_error")
    assert (await api.ok("GET", ITEMS))["count"] == 0


async def test_item_stock_figures_are_computed_over_warehouses(api):
    item = await api.item(reorder_point=5)
    main = await api.main_warehouse()
    second = await api.warehouse()
    await api.receive(item["id"], 8, warehouse_id=main["id"])
    await api.receive(item["id"], "2.5", warehouse_id=second["id"])
    outbound = await api.document("outbound", main["id"], [(item["id"], 6)])
    await api.act("outbound", outbound["id"], "approve")
    fetched = await api.ok("GET", f"{ITEMS}/{item['id']}")
    assert fetched["on_hand"] == 10.5
    assert fetched["reserved"] == 6
    assert fetched["available"] == 4.5
    assert fetched["low_stock"] is True
    # The list reads its own columns (quantities as stored integers) in three statements:
    # plain, filtered on low stock, sorted by a total. Each answers the item as it is.
    for extra in ({}, {"low_stock": "true"}, {"sort": "-available"}):
        page = await api.ok("GET", ITEMS, params={"sku": item["sku"], **extra})
        assert page["data"] == [fetched]
    await api.act("outbound", outbound["id"], "cancel", json={"reason": "changed mind"})
    fetched = await api.ok("GET", f"{ITEMS}/{item['id']}")
    assert (fetched["reserved"], fetched["available"], fetched["low_stock"]) == (0, 10.5, False)


async def test_lists_hand_their_quantities_to_json_as_integers(api, monkeypatch):
    """The items and stocks lists write stored integers as JSON numbers themselves; none of
    their values falls back to the JSON writer's Decimal conversion (PostgreSQL's sum() over
    BIGINT is NUMERIC, which the driver hands over as Decimals unless cast back)."""
    item = await api.item(reorder_point=5)
    await api.receive(item["id"], "2.5")
    fallbacks: list[type] = []
    convert = responses._json_default
    monkeypatch.setattr(
        responses, "_json_default", lambda value: fallbacks.append(type(value)) or convert(value)
    )
    for extra in ({}, {"low_stock": "true"}, {"sort": "-available"}):
        page = await api.ok("GET", ITEMS, params={"sku": item["sku"], **extra})
        assert page["data"][0]["on_hand"] == 2.5
    stocks = await api.ok("GET", "/api/v1/stocks", params={"item_id": item["id"]})
    assert stocks["data"][0]["on_hand"] == 2.5
    assert fallbacks == []


async def test_low_stock_means_available_at_or_below_a_positive_reorder_point(api):
    at_point = await api.item("AT", reorder_point=3)
    above = await api.item("ABOVE", reorder_point=3)
    no_point = await api.item("NOPOINT", reorder_point=0)
    await api.receive(at_point["id"], 3)
    await api.receive(above["id"], "3.001")
    by_sku = {i["sku"]: i for i in (await api.ok("GET", ITEMS))["data"]}
    assert by_sku["AT"]["low_stock"] is True
    assert by_sku["ABOVE"]["low_stock"] is False
    assert by_sku["NOPOINT"]["low_stock"] is False
    assert no_point["low_stock"] is False
    assert await codes(api, ITEMS, low_stock="true") == ["AT"]
    assert await codes(api, ITEMS, low_stock="false") == ["ABOVE", "NOPOINT"]


async def test_stock_figures_cannot_be_written(api):
    item = await api.item()
    for field in ("on_hand", "reserved", "available", "low_stock"):
        response = await api.patch(f"{ITEMS}/{item['id']}", json={field: 99})
        assert field in error_fields(assert_problem(response, 422, "validation_error"))
    assert (await api.ok("GET", f"{ITEMS}/{item['id']}"))["on_hand"] == 0


async def test_item_list_filters_by_text_engine_and_active(api):
    monitors = await api.engine("MON")
    keyboards = await api.engine("KBD")
    await api.item("MON-27", name="27 inch monitor", engine_id=monitors["id"])
    await api.item("MON-32", name="32 inch monitor", engine_id=monitors["id"], active=False)
    await api.item("KBD-US", name="US keyboard", engine_id=keyboards["id"], barcode="4006381333931")
    await api.item("CABLE", name="HDMI cable")
    assert await codes(api, ITEMS, q="monitor") == ["MON-27", "MON-32"]
    assert await codes(api, ITEMS, q="mon-2") == ["MON-27"]
    assert await codes(api, ITEMS, q="333931") == ["KBD-US"]
    assert await codes(api, ITEMS, q="HDMI") == ["CABLE"]
    assert await codes(api, ITEMS, engine_id=monitors["id"]) == ["MON-27", "MON-32"]
    assert await codes(api, ITEMS, engine_id=monitors["id"], active="true") == ["MON-27"]
    assert await codes(api, ITEMS, active="false") == ["MON-32"]
    assert await codes(api, ITEMS, barcode="4006381333931") == ["KBD-US"]
    page = await api.ok("GET", ITEMS, params={"engine_id": keyboards["id"]})
    assert page["count"] == 1


async def test_item_text_search_treats_wildcards_literally(api):
    await api.item("A_1")
    await api.item("AX1")
    await api.item("B%2")
    await api.item("BX2")
    assert await codes(api, ITEMS, q="a_1") == ["A_1"]
    assert await codes(api, ITEMS, q="b%") == ["B%2"]


async def test_items_sort_by_computed_stock(api):
    small = await api.item("SMALL")
    big = await api.item("BIG")
    await api.item("NONE")
    await api.receive(small["id"], 1)
    await api.receive(big["id"], 100)
    page = await api.ok("GET", ITEMS, params={"sort": "-on_hand"})
    assert [i["sku"] for i in page["data"]] == ["BIG", "SMALL", "NONE"]
    page = await api.ok("GET", ITEMS, params={"sort": "available"})
    assert [i["sku"] for i in page["data"]] == ["NONE", "SMALL", "BIG"]


async def test_patch_item_moves_it_between_engines(api):
    first = await api.engine()
    second = await api.engine()
    item = await api.item(engine_id=first["id"])
    moved = await api.ok("PATCH", f"{ITEMS}/{item['id']}", json={"engine_id": second["id"]})
    assert moved["engine_id"] == second["id"]
    assert (await api.ok("GET", f"{ENGINES}/{first['id']}"))["item_count"] == 0
    assert (await api.ok("GET", f"{ENGINES}/{second['id']}"))["item_count"] == 1
    unknown = await api.patch(f"{ITEMS}/{item['id']}", json={"engine_id": str(uuid.uuid4())})
    assert_problem(unknown, 422, "validation_error")


async def test_deleting_an_item_with_stock_moves_is_a_conflict(api):
    item = await api.item()
    await api.receive(item["id"], 1)
    response = await api.delete(f"{ITEMS}/{item['id']}", role=Role.ADMIN)
    assert_problem(response, 409, "conflict")
    assert (await api.ok("GET", f"{ITEMS}/{item['id']}"))["on_hand"] == 1
    assert "deleted" not in [f["action"] for f in await flows_of(api, item["id"])]


async def test_deleting_an_item_on_a_draft_document_is_a_conflict(api):
    item = await api.item()
    draft = await api.document("inbound", (await api.main_warehouse())["id"], [(item["id"], 2)])
    response = await api.delete(f"{ITEMS}/{item['id']}", role=Role.ADMIN)
    assert_problem(response, 409, "conflict")
    assert (await api.get(f"{ITEMS}/{item['id']}")).status_code == 200
    document = await api.ok("GET", f"/api/v1/inbounds/{draft['id']}")
    assert [line["item_id"] for line in document["lines"]] == [item["id"]]


async def test_deleting_an_unused_item_removes_it(api):
    item = await api.item()
    assert (await api.delete(f"{ITEMS}/{item['id']}", role=Role.ADMIN)).status_code == 204
    assert_problem(await api.get(f"{ITEMS}/{item['id']}"), 404, "not_found")
    assert (await api.ok("GET", ITEMS))["count"] == 0
    reused = await api.item(item["sku"])
    assert reused["id"] != item["id"]


async def test_item_flows_record_create_update_and_delete(api, role_users):
    item = await api.item("FLOW-ITEM")
    await api.ok("PATCH", f"{ITEMS}/{item['id']}", json={"name": "Renamed"})
    await api.ok("DELETE", f"{ITEMS}/{item['id']}", 204, role=Role.ADMIN)
    flows = await flows_of(api, item["id"])
    assert [f["action"] for f in flows] == ["created", "updated", "deleted"]
    assert {f["entity_type"] for f in flows} == {"item"}
    assert {f["entity_number"] for f in flows} == {"FLOW-ITEM"}
    assert flows[-1]["actor_id"] == str(role_users.ids[Role.ADMIN])
    by_type = await api.ok(
        "GET", "/api/v1/flows", params={"entity_type": "item", "action": "updated"}
    )
    assert [f["entity_id"] for f in by_type["data"]] == [item["id"]]


async def test_refused_changes_write_no_flow(api):
    await api.item("TAKEN-SKU")
    item = await api.item()
    await api.patch(f"{ITEMS}/{item['id']}", json={"sku": "taken-sku"})
    await api.patch(f"{ITEMS}/{item['id']}", json={"name": "x"}, headers={"If-Match": '"9"'})
    await api.patch(f"{ITEMS}/{item['id']}", json={"name": "x"}, role=Role.STAFF)
    assert [f["action"] for f in await flows_of(api, item["id"])] == ["created"]


async def test_item_decimal_fields_round_trip_exactly(api):
    item = await api.item(unit_cost="1234567.8901", reorder_point="0.001")
    fetched = await api.ok("GET", f"{ITEMS}/{item['id']}")
    assert Decimal(str(fetched["unit_cost"])) == Decimal("1234567.8901")
    assert Decimal(str(fetched["reorder_point"])) == Decimal("0.001")
