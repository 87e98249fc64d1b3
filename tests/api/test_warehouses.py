"""Warehouses: the seeded MAIN, unique codes, edits, and deletes refused while in use."""

from __future__ import annotations

import uuid

import httpx
import pytest

from erp_engine.kernel.roles import Role

WAREHOUSES = "/api/v1/warehouses"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    return body


def error_fields(body: dict) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


async def codes(api, **params) -> list[str]:
    page = await api.ok("GET", WAREHOUSES, params={"limit": 200, **params})
    return sorted(w["code"] for w in page["data"])


async def flows_of(api, entity_id: str) -> list[dict]:
    page = await api.ok(
        "GET", "/api/v1/flows", params={"entity_id": entity_id, "sort": "created_at"}
    )
    return page["data"]


async def test_main_warehouse_exists_from_the_start(api):
    page = await api.ok("GET", WAREHOUSES)
    assert page["count"] == 1
    main = page["data"][0]
    assert main["code"] == "MAIN"
    assert main["name"] == "Main warehouse"
    assert main["active"] is True
    uuid.UUID(main["id"])
    fetched = await api.get(f"{WAREHOUSES}/{main['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == main
    assert fetched.headers["etag"] == f'"{main["version"]}"'


async def test_create_warehouse_stores_the_code_upper_case(api):
    response = await api.post(
        WAREHOUSES, json={"code": "busan-1", "name": "Busan", "address": "Haeundae-gu"}
    )
    assert response.status_code == 201
    warehouse = response.json()
    assert warehouse["code"] == "BUSAN-1"
    assert warehouse["address"] == "Haeundae-gu"
    assert warehouse["active"] is True
    assert warehouse["version"] == 1
    assert response.headers["location"] == f"/api/v1/warehouses/{warehouse['id']}"
    assert await api.ok("GET", f"{WAREHOUSES}/{warehouse['id']}") == warehouse
    assert await codes(api) == ["BUSAN-1", "MAIN"]


@pytest.mark.parametrize("code", ["MAIN", "main", "Main"])
async def test_duplicate_warehouse_code_is_a_conflict(api, code):
    response = await api.post(WAREHOUSES, json={"code": code, "name": "Second main"})
    body = assert_problem(response, 409, "conflict")
    assert "code" in error_fields(body)
    assert await codes(api) == ["MAIN"]


async def test_renaming_a_warehouse_code_onto_another_is_a_conflict(api):
    warehouse = await api.warehouse("SEOUL")
    response = await api.patch(f"{WAREHOUSES}/{warehouse['id']}", json={"code": "main"})
    assert_problem(response, 409, "conflict")
    assert (await api.ok("GET", f"{WAREHOUSES}/{warehouse['id']}"))["code"] == "SEOUL"


@pytest.mark.parametrize(
    "body",
    [
        {"code": "", "name": "n"},
        {"code": "WITH SPACE", "name": "n"},
        {"code": "X" * 33, "name": "n"},
        {"code": "OK"},
        {"code": "OK", "name": ""},
        {"code": "OK", "name": "n", "active": "perhaps"},
    ],
)
async def test_invalid_warehouses_are_refused(api, body):
    assert_problem(await api.post(WAREHOUSES, json=body), 422, "validation_error")
    assert await codes(api) == ["MAIN"]


async def test_patch_warehouse_changes_only_the_given_fields(api):
    warehouse = await api.warehouse("DAEGU", address="Old street 1")
    response = await api.patch(
        f"{WAREHOUSES}/{warehouse['id']}", json={"name": "Daegu hub", "active": False}
    )
    assert response.status_code == 200
    patched = response.json()
    assert (patched["name"], patched["active"], patched["address"]) == (
        "Daegu hub",
        False,
        "Old street 1",
    )
    assert patched["code"] == "DAEGU"
    assert patched["version"] == 2
    assert response.headers["etag"] == '"2"'
    cleared = await api.ok("PATCH", f"{WAREHOUSES}/{warehouse['id']}", json={"address": None})
    assert cleared["address"] is None


async def test_warehouse_list_filters_by_text_and_active(api):
    await api.warehouse("INCHEON", name="Incheon port")
    await api.warehouse("GIMPO", name="Gimpo airport", active=False)
    assert await codes(api, q="port") == ["GIMPO", "INCHEON"]
    assert await codes(api, q="inch") == ["INCHEON"]
    assert await codes(api, active="false") == ["GIMPO"]
    assert await codes(api, active="true") == ["INCHEON", "MAIN"]


async def test_warehouse_text_search_treats_wildcards_literally(api):
    await api.warehouse("A_B")
    await api.warehouse("AXB")
    assert await codes(api, q="a_b") == ["A_B"]
    assert await codes(api, q="%") == []


async def test_warehouse_list_sorts(api):
    await api.warehouse("ZULU")
    await api.warehouse("ALPHA")
    page = await api.ok("GET", WAREHOUSES, params={"sort": "-code"})
    assert [w["code"] for w in page["data"]] == ["ZULU", "MAIN", "ALPHA"]


async def test_deleting_an_empty_warehouse_removes_it(api, role_users):
    warehouse = await api.warehouse("TEMP")
    response = await api.delete(f"{WAREHOUSES}/{warehouse['id']}", role=Role.ADMIN)
    assert response.status_code == 204
    assert_problem(await api.get(f"{WAREHOUSES}/{warehouse['id']}"), 404, "not_found")
    assert await codes(api) == ["MAIN"]
    flows = await flows_of(api, warehouse["id"])
    assert [f["action"] for f in flows] == ["created", "deleted"]
    assert flows[-1]["actor_id"] == str(role_users.ids[Role.ADMIN])
    again = await api.warehouse("TEMP")
    assert again["id"] != warehouse["id"]


async def test_deleting_a_warehouse_that_holds_stock_is_a_conflict(api):
    warehouse = await api.warehouse("STOCKED")
    item = await api.item()
    await api.receive(item["id"], 4, warehouse_id=warehouse["id"])
    response = await api.delete(f"{WAREHOUSES}/{warehouse['id']}", role=Role.ADMIN)
    assert_problem(response, 409, "conflict")
    assert (await api.get(f"{WAREHOUSES}/{warehouse['id']}")).status_code == 200
    assert (await api.stock(item["id"]))["on_hand"] == 4
    assert "deleted" not in [f["action"] for f in await flows_of(api, warehouse["id"])]


async def test_deleting_a_warehouse_with_documents_is_a_conflict(api):
    warehouse = await api.warehouse("PLANNED")
    item = await api.item()
    await api.document("inbound", warehouse["id"], [(item["id"], 1)])
    response = await api.delete(f"{WAREHOUSES}/{warehouse['id']}", role=Role.ADMIN)
    assert_problem(response, 409, "conflict")
    assert (await api.get(f"{WAREHOUSES}/{warehouse['id']}")).status_code == 200


async def test_deleting_the_main_warehouse_with_stock_is_a_conflict(api):
    main = await api.main_warehouse()
    await api.receive((await api.item())["id"], 1)
    assert_problem(await api.delete(f"{WAREHOUSES}/{main['id']}", role=Role.ADMIN), 409, "conflict")
    assert (await api.main_warehouse())["id"] == main["id"]


async def test_warehouse_flows_record_create_and_update(api, role_users):
    warehouse = await api.warehouse("JOURNAL")
    await api.ok("PATCH", f"{WAREHOUSES}/{warehouse['id']}", json={"name": "Journalled"})
    flows = await flows_of(api, warehouse["id"])
    assert [f["action"] for f in flows] == ["created", "updated"]
    assert {f["entity_type"] for f in flows} == {"warehouse"}
    assert {f["entity_number"] for f in flows} == {"JOURNAL"}
    assert {f["actor_id"] for f in flows} == {str(role_users.ids[Role.MANAGER])}
    filtered = await api.ok("GET", "/api/v1/flows", params={"entity_type": "warehouse"})
    assert filtered["count"] == 2


async def test_stale_warehouse_patch_changes_nothing(api):
    warehouse = await api.warehouse()
    await api.ok("PATCH", f"{WAREHOUSES}/{warehouse['id']}", json={"name": "One"})
    stale = await api.patch(
        f"{WAREHOUSES}/{warehouse['id']}", json={"name": "Two"}, headers={"If-Match": '"1"'}
    )
    assert_problem(stale, 412, "precondition_failed")
    assert (await api.ok("GET", f"{WAREHOUSES}/{warehouse['id']}"))["name"] == "One"
    assert [f["action"] for f in await flows_of(api, warehouse["id"])] == ["created", "updated"]
