"""The conventions every endpoint shares: lists, errors, versions, idempotency, headers, limits."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import httpx
import pytest

from erp_engine.api.app import create_app
from erp_engine.kernel.roles import Role

PROBLEM_JSON = "application/problem+json"
ENGINE_HEADERS = ("x-engine-name", "x-engine-commit", "x-engine-schema", "x-engine-env")
COLLECTIONS = [
    "/api/v1/engines",
    "/api/v1/items",
    "/api/v1/warehouses",
    "/api/v1/stocks",
    "/api/v1/stock-moves",
    "/api/v1/stock-adjustments",
    "/api/v1/transfers",
    "/api/v1/inbounds",
    "/api/v1/outbounds",
    "/api/v1/flows",
    "/api/engines",
    "/api/flows",
]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["type"], str)
    assert body["type"]
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    return body


def error_fields(body: dict) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


async def count(api, path: str, **params) -> int:
    return (await api.ok("GET", path, params={"limit": 1, **params}))["count"]


# Lists ------------------------------------------------------------------------------------


async def test_lists_answer_with_the_envelope_and_the_total_count(api):
    for code in ("LA", "LB", "LC"):
        await api.engine(code)
    first = await api.ok("GET", "/api/v1/engines", params={"limit": 2, "sort": "code"})
    assert set(first) == {"data", "count", "page", "limit"}
    assert (first["count"], first["page"], first["limit"]) == (3, 1, 2)
    assert [e["code"] for e in first["data"]] == ["LA", "LB"]
    second = await api.ok("GET", "/api/v1/engines", params={"limit": 2, "page": 2, "sort": "code"})
    assert (second["count"], second["page"], second["limit"]) == (3, 2, 2)
    assert [e["code"] for e in second["data"]] == ["LC"]
    beyond = await api.ok("GET", "/api/v1/engines", params={"limit": 2, "page": 5})
    assert beyond["data"] == []
    assert beyond["count"] == 3


async def test_lists_default_to_the_first_page(api):
    await api.engine()
    page = await api.ok("GET", "/api/v1/engines")
    assert page["page"] == 1
    assert 1 <= page["limit"] <= 200
    assert page["count"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "first"}, "page"),
        ({"page": 10**30}, "page"),
        ({"page": 2**62}, "page"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "all"}, "limit"),
    ],
)
async def test_out_of_range_paging_is_refused_with_422(api, params, field):
    response = await api.get("/api/v1/items", params=params)
    body = assert_problem(response, 422, "validation_error")
    assert field in error_fields(body)
    for error in body["errors"]:
        assert isinstance(error["message"], str)
        assert error["message"]


async def test_limit_of_200_is_the_largest_accepted(api):
    page = await api.ok("GET", "/api/v1/items", params={"limit": 200})
    assert page["limit"] == 200


@pytest.mark.parametrize("path", ["/api/v1/items", "/api/v1/flows", "/api/v1/stock-moves"])
async def test_a_far_page_is_empty_not_an_error(api, path):
    await api.item()
    page = await api.ok("GET", path, params={"page": 10**15, "limit": 200})
    assert page["data"] == []
    assert page["page"] == 10**15


async def test_sort_by_field_ascending_and_descending(api):
    await api.engine("SB", name="Bravo")
    await api.engine("SA", name="Charlie")
    await api.engine("SC", name="Alpha")
    ascending = await api.ok("GET", "/api/v1/engines", params={"sort": "code"})
    assert [e["code"] for e in ascending["data"]] == ["SA", "SB", "SC"]
    descending = await api.ok("GET", "/api/v1/engines", params={"sort": "-code"})
    assert [e["code"] for e in descending["data"]] == ["SC", "SB", "SA"]
    by_name = await api.ok("GET", "/api/v1/engines", params={"sort": "-name"})
    assert [e["name"] for e in by_name["data"]] == ["Charlie", "Bravo", "Alpha"]


async def test_sort_by_creation_time_puts_the_newest_first_with_a_minus(api):
    created = [(await api.item(f"ORD-{n}"))["sku"] for n in range(3)]
    newest_first = await api.ok("GET", "/api/v1/items", params={"sort": "-created_at"})
    oldest_first = await api.ok("GET", "/api/v1/items", params={"sort": "created_at"})
    assert [i["sku"] for i in oldest_first["data"]] == created
    assert [i["sku"] for i in newest_first["data"]] == list(reversed(created))


@pytest.mark.parametrize(
    "path", ["/api/v1/engines", "/api/v1/items", "/api/v1/warehouses", "/api/v1/flows"]
)
@pytest.mark.parametrize("sort", ["no_such_field", "-no_such_field", "password_hash"])
async def test_unknown_sort_field_is_refused_with_422(api, path, sort):
    response = await api.get(path, params={"sort": sort})
    body = assert_problem(response, 422, "validation_error")
    assert "sort" in error_fields(body)


async def test_filters_are_query_parameters_named_after_fields(api):
    await api.engine("FA", status="active")
    await api.engine("FI", status="inactive")
    inactive = await api.ok("GET", "/api/v1/engines", params={"status": "inactive"})
    assert [e["code"] for e in inactive["data"]] == ["FI"]
    assert inactive["count"] == 1
    active = await api.ok("GET", "/api/v1/engines", params={"status": "active"})
    assert [e["code"] for e in active["data"]] == ["FA"]


async def test_invalid_filter_value_is_refused_with_422(api):
    response = await api.get("/api/v1/engines", params={"status": "sleeping"})
    body = assert_problem(response, 422, "validation_error")
    assert "status" in error_fields(body)


# Times ------------------------------------------------------------------------------------

UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


def timestamps(value, path: str = ""):
    """Every (path, value) of a key ending in `_at` anywhere in a JSON answer."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.endswith("_at") and not isinstance(inner, (dict, list, type(None))):
                yield f"{path}.{key}", inner
            yield from timestamps(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from timestamps(inner, f"{path}[{index}]")


async def test_every_time_in_an_answer_is_utc_with_a_z(api):
    item = await api.item()
    await api.receive(item["id"], "5")
    await api.ship(item["id"], "2")
    await api.ok("PATCH", "/api/v1/items/" + item["id"], json={"reorder_point": "10"})
    answers = [
        await api.ok("GET", path, params={"limit": 5})
        for path in (
            "/api/v1/items",
            "/api/v1/inbounds",
            "/api/v1/outbounds",
            "/api/v1/stocks",
            "/api/v1/stock-moves",
            "/api/v1/flows",
            "/api/v1/alerts",
            "/api/v1/audit",
            "/api/v1/dashboard",
        )
    ]
    answers.append(await api.ok("GET", "/api/v1/users", role=Role.ADMIN))
    answers.append(await api.ok("GET", f"/api/v1/stocks/{item['id']}"))
    found = [pair for answer in answers for pair in timestamps(answer)]
    assert len(found) > 30, found
    wrong = [(path, text) for path, text in found if not UTC_TIME.match(text)]
    assert not wrong


# Paths ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", COLLECTIONS)
async def test_collections_answer_with_and_without_trailing_slash_without_redirect(api, path):
    bare = await api.get(path)
    slashed = await api.get(path + "/")
    assert bare.status_code == 200, bare.text
    assert slashed.status_code == 200, slashed.text
    assert "location" not in slashed.headers
    assert slashed.json() == bare.json()


async def test_post_to_a_collection_with_trailing_slash_creates(api):
    response = await api.post("/api/v1/engines/", json={"code": "SLASH", "name": "Slashed"})
    assert response.status_code == 201, response.text
    again = await api.get(f"/api/v1/engines/{response.json()['id']}/")
    assert again.status_code == 200
    assert again.json()["code"] == "SLASH"


async def test_engines_alias_answers_exactly_like_v1(api):
    engine = await api.engine("ALIAS")
    for suffix in ("", "/", f"/{engine['id']}"):
        v1 = await api.get(f"/api/v1/engines{suffix}")
        alias = await api.get(f"/api/engines{suffix}")
        assert alias.status_code == v1.status_code == 200
        assert alias.json() == v1.json()
        assert alias.headers.get("etag") == v1.headers.get("etag")
        assert alias.headers["content-type"] == v1.headers["content-type"]


async def test_engines_alias_accepts_writes_like_v1(api):
    created = await api.post("/api/engines", json={"code": "viaalias", "name": "Via alias"})
    assert created.status_code == 201, created.text
    engine_id = created.json()["id"]
    assert created.json()["code"] == "VIAALIAS"
    patched = await api.patch(
        f"/api/engines/{engine_id}", json={"name": "Renamed"}, headers={"If-Match": '"1"'}
    )
    assert patched.status_code == 200
    assert (await api.ok("GET", f"/api/v1/engines/{engine_id}"))["name"] == "Renamed"
    deleted = await api.delete(f"/api/engines/{engine_id}", role=Role.ADMIN)
    assert deleted.status_code == 204
    assert_problem(await api.get(f"/api/v1/engines/{engine_id}"), 404, "not_found")


async def test_flows_alias_answers_exactly_like_v1(api):
    engine = await api.engine()
    params = {"entity_id": engine["id"]}
    v1 = await api.get("/api/v1/flows", params=params)
    alias = await api.get("/api/flows", params=params)
    assert alias.status_code == v1.status_code == 200
    assert alias.json() == v1.json()
    assert alias.json()["count"] == 1


@pytest.mark.parametrize("path", ["/api/engines", "/api/flows"])
async def test_aliases_give_the_same_errors_as_v1(client, api, path):
    v1_path = path.replace("/api/", "/api/v1/")
    unauthenticated = await client.get(path)
    assert_problem(unauthenticated, 401, "unauthorized")
    assert unauthenticated.json() == (await client.get(v1_path)).json()
    bad_limit = await api.get(path, params={"limit": 0})
    assert bad_limit.json() == (await api.get(v1_path, params={"limit": 0})).json()
    assert_problem(bad_limit, 422, "validation_error")


# Errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/engines", "/api/v1/items", "/api/v1/warehouses", "/api/engines"]
)
async def test_unknown_id_is_a_not_found_problem(api, path):
    response = await api.get(f"{path}/{uuid.uuid4()}")
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("kind", ["inbounds", "outbounds", "transfers", "stock-adjustments"])
async def test_unknown_document_id_is_a_not_found_problem(api, kind):
    response = await api.get(f"/api/v1/{kind}/{uuid.uuid4()}")
    assert_problem(response, 404, "not_found")


async def test_patch_and_delete_of_unknown_ids_are_not_found(api):
    missing = uuid.uuid4()
    assert_problem(
        await api.patch(f"/api/v1/items/{missing}", json={"name": "x"}), 404, "not_found"
    )
    assert_problem(
        await api.delete(f"/api/v1/engines/{missing}", role=Role.ADMIN), 404, "not_found"
    )


async def test_unknown_route_is_a_not_found_problem(api):
    response = await api.get("/api/v1/no-such-thing")
    assert_problem(response, 404, "not_found")


async def test_validation_problem_lists_each_field_with_a_message(api):
    response = await api.post("/api/v1/items", json={"sku": "", "unit_cost": "-1"})
    body = assert_problem(response, 422, "validation_error")
    assert {"sku", "name", "unit_cost"} <= error_fields(body)
    for error in body["errors"]:
        assert set(error) >= {"field", "message"}
        assert error["message"]


async def test_field_errors_carry_a_stable_code_and_the_values_of_their_message(api):
    """Clients translate `code` with `params`, never the English `message` (docs/api.md)."""
    body = assert_problem(
        await api.post("/api/v1/items", json={"sku": "", "unit_cost": "-1", "extra": 1}),
        422,
        "validation_error",
    )
    coded = {e["field"]: (e["code"], e["params"]) for e in body["errors"]}
    assert coded == {
        "sku": ("string_too_short", {"min_length": 1}),
        "name": ("missing", {}),
        "unit_cost": ("greater_than_equal", {"ge": "0"}),
        "extra": ("extra_forbidden", {}),
    }
    taken = await api.item()
    body = assert_problem(
        await api.post("/api/v1/items", json={"sku": taken["sku"], "name": "Again"}),
        409,
        "conflict",
    )
    assert body["errors"] == [
        {"field": "sku", "code": "taken", "message": "Already taken.", "params": {}}
    ]
    body = assert_problem(
        await api.get("/api/v1/items", params={"sort": "colour"}), 422, "validation_error"
    )
    [sort] = body["errors"]
    assert sort["code"] == "one_of"
    assert "sku" in sort["params"]["options"].split(", ")
    body = assert_problem(
        await api.post(
            "/api/v1/users",
            role=Role.ADMIN,
            json={"email": "coded@test.example", "name": "Coded", "role": "staff", "password": "x"},
        ),
        422,
        "validation_error",
    )
    assert [(e["field"], e["code"], e["params"]) for e in body["errors"]] == [
        ("password", "password_too_short", {"min": 10})
    ]


async def test_malformed_json_body_is_a_validation_problem(api):
    response = await api.post(
        "/api/v1/engines", content=b'{"code": "X", ', headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422, "validation_error")
    assert await count(api, "/api/v1/engines") == 0


async def test_errors_never_reveal_sql_or_stack_traces(api):
    await api.item("LEAK-1")
    responses = [
        await api.post("/api/v1/items", json={"sku": "leak-1", "name": "dup"}),
        await api.get("/api/v1/items", params={"sort": "'; DROP TABLE items; --"}),
        await api.get("/api/v1/items/not-a-uuid"),
    ]
    for response in responses:
        assert response.status_code in (404, 409, 422)
        text = response.text.lower()
        for leak in ("traceback", "select ", "insert ", "sqlalchemy", "psycopg", "asyncpg"):
            assert leak not in text, (leak, response.text)


# Unknown and read-only fields -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/engines", {"code": "RO", "name": "n", "id": str(uuid.uuid4())}, "id"),
        ("/api/v1/engines", {"code": "RO", "name": "n", "item_count": 5}, "item_count"),
        ("/api/v1/engines", {"code": "RO", "name": "n", "version": 7}, "version"),
        ("/api/v1/engines", {"code": "RO", "name": "n", "colour": "red"}, "colour"),
        ("/api/v1/items", {"sku": "RO", "name": "n", "on_hand": 100}, "on_hand"),
        ("/api/v1/items", {"sku": "RO", "name": "n", "reserved": 1}, "reserved"),
        ("/api/v1/items", {"sku": "RO", "name": "n", "available": 1}, "available"),
        ("/api/v1/items", {"sku": "RO", "name": "n", "low_stock": True}, "low_stock"),
        (
            "/api/v1/items",
            {"sku": "RO", "name": "n", "created_at": "2020-01-01T00:00:00Z"},
            "created_at",
        ),
        ("/api/v1/warehouses", {"code": "RO", "name": "n", "id": str(uuid.uuid4())}, "id"),
        ("/api/v1/warehouses", {"code": "RO", "name": "n", "version": 3}, "version"),
    ],
)
async def test_unknown_or_read_only_field_in_a_create_is_refused_and_nothing_is_created(
    api, path, body, field
):
    before = await count(api, path)
    response = await api.post(path, json=body)
    problem = assert_problem(response, 422, "validation_error")
    assert field in error_fields(problem)
    assert await count(api, path) == before


async def test_document_status_cannot_be_set_by_a_create(api):
    item = await api.item()
    warehouse = await api.main_warehouse()
    body = {
        "warehouse_id": warehouse["id"],
        "status": "committed",
        "lines": [{"item_id": item["id"], "quantity": 5}],
    }
    response = await api.post("/api/v1/inbounds", json=body)
    problem = assert_problem(response, 422, "validation_error")
    assert "status" in error_fields(problem)
    assert await count(api, "/api/v1/inbounds") == 0
    assert (await api.stock(item["id"]))["on_hand"] == 0


@pytest.mark.parametrize(
    ("field", "value"), [("on_hand", 50), ("version", 9), ("id", "x"), ("item_count", 1)]
)
async def test_read_only_field_in_a_patch_is_refused_and_nothing_changes(api, field, value):
    item = await api.item(name="Original")
    response = await api.patch(f"/api/v1/items/{item['id']}", json={"name": "New", field: value})
    problem = assert_problem(response, 422, "validation_error")
    assert field in error_fields(problem)
    after = await api.ok("GET", f"/api/v1/items/{item['id']}")
    assert after["name"] == "Original"
    assert after["version"] == item["version"]
    assert after["on_hand"] == 0


# Versions and If-Match --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["engines", "items", "warehouses"])
async def test_single_resources_carry_the_version_as_etag(api, kind):
    builder = {"engines": api.engine, "items": api.item, "warehouses": api.warehouse}[kind]
    created = await api.post(f"/api/v1/{kind}", json=_body_for(kind))
    assert created.status_code == 201
    assert created.headers["etag"] == f'"{created.json()["version"]}"'
    assert created.headers["location"].endswith(f"/api/v1/{kind}/{created.json()['id']}")
    other = await builder()
    response = await api.get(f"/api/v1/{kind}/{other['id']}")
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    assert response.json()["version"] == 1


def _body_for(kind: str) -> dict:
    unique = uuid.uuid4().hex[:8].upper()
    if kind == "items":
        return {"sku": f"ET-{unique}", "name": "Etag item"}
    return {"code": f"ET{unique}", "name": "Etag"}


async def test_stale_if_match_is_refused_with_412_and_nothing_changes(api):
    item = await api.item(name="Before")
    first = await api.patch(
        f"/api/v1/items/{item['id']}", json={"name": "First"}, headers={"If-Match": '"1"'}
    )
    assert first.status_code == 200
    stale = await api.patch(
        f"/api/v1/items/{item['id']}", json={"name": "Second"}, headers={"If-Match": '"1"'}
    )
    assert_problem(stale, 412, "precondition_failed")
    after = await api.ok("GET", f"/api/v1/items/{item['id']}")
    assert after["name"] == "First"
    assert after["version"] == 2
    flows = await api.ok("GET", "/api/v1/flows", params={"entity_id": item["id"]})
    assert sorted(f["action"] for f in flows["data"]) == ["created", "updated"]


@pytest.mark.parametrize("kind", ["engines", "warehouses"])
async def test_stale_if_match_is_refused_for_engines_and_warehouses(api, kind):
    resource = await (api.engine() if kind == "engines" else api.warehouse())
    stale = await api.patch(
        f"/api/v1/{kind}/{resource['id']}", json={"name": "Nope"}, headers={"If-Match": '"7"'}
    )
    assert_problem(stale, 412, "precondition_failed")
    after = await api.ok("GET", f"/api/v1/{kind}/{resource['id']}")
    assert after["name"] == resource["name"]
    assert after["version"] == resource["version"]


async def test_matching_if_match_succeeds_and_bumps_version_and_etag(api):
    engine = await api.engine()
    response = await api.patch(
        f"/api/v1/engines/{engine['id']}",
        json={"name": "Renamed"},
        headers={"If-Match": f'"{engine["version"]}"'},
    )
    assert response.status_code == 200
    assert response.json()["version"] == engine["version"] + 1
    assert response.json()["name"] == "Renamed"
    assert response.headers["etag"] == f'"{engine["version"] + 1}"'
    fresh = await api.get(f"/api/v1/engines/{engine['id']}")
    assert fresh.headers["etag"] == f'"{engine["version"] + 1}"'


async def test_etag_from_a_get_can_be_sent_back_as_if_match(api):
    warehouse = await api.warehouse()
    etag = (await api.get(f"/api/v1/warehouses/{warehouse['id']}")).headers["etag"]
    response = await api.patch(
        f"/api/v1/warehouses/{warehouse['id']}",
        json={"address": "Dock 4"},
        headers={"If-Match": etag},
    )
    assert response.status_code == 200
    assert response.json()["address"] == "Dock 4"


async def test_patch_without_if_match_applies(api):
    item = await api.item()
    response = await api.patch(f"/api/v1/items/{item['id']}", json={"unit": "BOX"})
    assert response.status_code == 200
    assert response.json()["unit"] == "BOX"
    assert response.json()["version"] == item["version"] + 1


async def test_if_match_star_matches_any_version(api):
    item = await api.item()
    await api.ok("PATCH", f"/api/v1/items/{item['id']}", json={"name": "v2"})
    response = await api.patch(
        f"/api/v1/items/{item['id']}", json={"name": "v3"}, headers={"If-Match": "*"}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 3


async def test_if_match_that_is_not_a_version_is_refused(api):
    item = await api.item()
    response = await api.patch(
        f"/api/v1/items/{item['id']}", json={"name": "x"}, headers={"If-Match": "yesterday"}
    )
    assert_problem(response, 422, "validation_error")
    assert (await api.ok("GET", f"/api/v1/items/{item['id']}"))["version"] == item["version"]


# Idempotency ------------------------------------------------------------------------------


async def test_idempotent_retry_returns_the_first_response_and_creates_nothing(api):
    key = {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    body = {"code": "IDEM", "name": "Idempotent"}
    first = await api.post("/api/v1/engines", json=body, headers=key)
    assert first.status_code == 201
    second = await api.post("/api/v1/engines", json=body, headers=key)
    assert second.status_code == first.status_code
    assert second.content == first.content
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await count(api, "/api/v1/engines") == 1
    flows = await api.ok("GET", "/api/v1/flows", params={"entity_type": "engine"})
    assert flows["count"] == 1


async def test_idempotent_retry_of_an_item_create_keeps_the_same_id(api):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"sku": "IDEM-ITEM", "name": "Idempotent item", "reorder_point": "2.5"}
    responses = [await api.post("/api/v1/items", json=body, headers=key) for _ in range(3)]
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert {r.content for r in responses} == {responses[0].content}
    assert await count(api, "/api/v1/items") == 1


async def test_same_idempotency_key_with_a_different_body_is_refused(api):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = await api.post("/api/v1/engines", json={"code": "K1", "name": "One"}, headers=key)
    assert first.status_code == 201
    reused = await api.post("/api/v1/engines", json={"code": "K2", "name": "Two"}, headers=key)
    assert_problem(reused, 422, "idempotency_key_reused")
    page = await api.ok("GET", "/api/v1/engines")
    assert [e["code"] for e in page["data"]] == ["K1"]


async def test_idempotency_keys_belong_to_the_caller(api):
    key = {"Idempotency-Key": "shared-key"}
    mine = await api.post("/api/v1/items", json={"sku": "MINE", "name": "m"}, headers=key)
    theirs = await api.post(
        "/api/v1/items", json={"sku": "THEIRS", "name": "t"}, headers=key, role=Role.ADMIN
    )
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert await count(api, "/api/v1/items") == 2


async def test_a_conflict_is_not_replayed_so_a_retry_after_fixing_it_runs_again(api):
    clash = await api.item("CLASH")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"sku": "clash", "name": "Second"}
    assert_problem(await api.post("/api/v1/items", json=body, headers=key), 409, "conflict")
    await api.ok("DELETE", f"/api/v1/items/{clash['id']}", 204, role=Role.ADMIN)
    retry = await api.post("/api/v1/items", json=body, headers=key)
    assert retry.status_code == 201, retry.text
    assert retry.json()["sku"] == "clash"


async def test_overlong_idempotency_key_is_refused_and_creates_nothing(api):
    response = await api.post(
        "/api/v1/engines",
        json={"code": "LONGKEY", "name": "l"},
        headers={"Idempotency-Key": "k" * 256},
    )
    assert_problem(response, 422, "validation_error")
    assert await count(api, "/api/v1/engines") == 0


async def test_different_idempotency_keys_create_separately(api):
    body = {"sku": "ONE-OFF", "name": "x"}
    first = await api.post("/api/v1/items", json=body, headers={"Idempotency-Key": "a-1"})
    second = await api.post("/api/v1/items", json=body, headers={"Idempotency-Key": "a-2"})
    assert first.status_code == 201
    assert_problem(second, 409, "conflict")
    assert await count(api, "/api/v1/items") == 1


async def test_idempotent_retry_of_a_document_create_burns_no_number(api):
    item = await api.item()
    warehouse = await api.main_warehouse()
    body = {"warehouse_id": warehouse["id"], "lines": [{"item_id": item["id"], "quantity": 3}]}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = await api.post("/api/v1/inbounds", json=body, headers=key)
    again = await api.post("/api/v1/inbounds", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert await count(api, "/api/v1/inbounds") == 1
    following = await api.document("inbound", warehouse["id"], [(item["id"], 1)])
    assert first.json()["number"] == "IN-000001"
    assert following["number"] == "IN-000002"


def multipart(boundary: str, parts: list[tuple[str, str | None, bytes]]) -> bytes:
    """A multipart/form-data body written by hand, so the boundary is ours to choose."""
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            body += b"Content-Type: text/csv\r\n"
        body += b"\r\n" + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


async def test_an_idempotent_upload_retry_matches_the_parts_not_the_boundary(api):
    # curl and browsers pick a new random boundary for every request, retries included.
    csv = b"SKU,Name\r\nMP-1,Multipart item\r\n"
    key = {"Idempotency-Key": f"upload-{uuid.uuid4()}"}

    async def upload(boundary: str, parts) -> httpx.Response:
        return await api.post(
            "/api/v1/items/import",
            headers={**key, "Content-Type": f"multipart/form-data; boundary={boundary}"},
            content=multipart(boundary, parts),
        )

    first = await upload("first-boundary-1", [("mode", None, b"create"), ("file", "a.csv", csv)])
    assert first.status_code == 200, first.text
    again = await upload("another-boundary-2", [("file", "a.csv", csv), ("mode", None, b"create")])
    assert again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert await count(api, "/api/v1/items") == 1

    for changed in (
        [("file", "a.csv", csv.replace(b"MP-1", b"MP-2")), ("mode", None, b"create")],
        [("file", "b.csv", csv), ("mode", None, b"create")],
        [("file", "a.csv", csv), ("mode", None, b"upsert")],
    ):
        assert_problem(await upload("third-boundary-3", changed), 422, "idempotency_key_reused")
    assert await count(api, "/api/v1/items") == 1


# Request ids and identity headers ---------------------------------------------------------


async def test_request_id_is_echoed_when_sent(api):
    response = await api.get("/api/v1/items", headers={"X-Request-ID": "req-abc-123"})
    assert response.headers["x-request-id"] == "req-abc-123"
    error = await api.get(f"/api/v1/items/{uuid.uuid4()}", headers={"X-Request-ID": "req-404"})
    assert error.headers["x-request-id"] == "req-404"


async def test_request_id_is_generated_when_not_sent(api, client):
    first = await api.get("/api/v1/items")
    second = await api.get("/api/v1/items")
    unauthenticated = await client.get("/api/v1/items")
    ids = [r.headers.get("x-request-id") for r in (first, second, unauthenticated)]
    assert all(ids)
    assert len(set(ids)) == 3


async def test_every_response_carries_engine_identity_headers(api, client):
    responses = {
        "ok": await api.get("/api/v1/items"),
        "created": await api.post("/api/v1/engines", json={"code": "HDR", "name": "h"}),
        "unauthorized": await client.get("/api/v1/items"),
        "forbidden": await api.post("/api/v1/engines", json={}, role=Role.VIEWER),
        "unknown id": await api.get(f"/api/v1/items/{uuid.uuid4()}"),
        "unknown route": await client.get("/nothing/here"),
        "wrong method": await api.request("PUT", "/api/v1/flows"),
        "invalid": await api.get("/api/v1/items", params={"limit": 0}),
        "too large": await api.post("/api/v1/engines", content=b"x" * (1024 * 1024 + 1)),
        "health": await client.get("/livez"),
        "openapi": await client.get("/api/v1/openapi.json"),
    }
    for name, response in responses.items():
        for header in ENGINE_HEADERS:
            assert response.headers.get(header), (name, header, response.status_code)
        assert response.headers.get("x-request-id"), name


async def test_unexpected_errors_are_problems_that_still_carry_identity_headers(settings):
    application = create_app(settings)

    @application.get("/api/v1/test-only-explode")
    async def explode():
        raise RuntimeError("SELECT secret FROM somewhere")

    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.get("/api/v1/test-only-explode", headers={"X-Request-ID": "boom-1"})
    finally:
        await application.state.db_engine.dispose()
    body = assert_problem(response, 500, "internal_error")
    assert "secret" not in response.text
    assert "SELECT" not in body["detail"]
    assert response.headers.get("x-request-id") == "boom-1"
    for header in ENGINE_HEADERS:
        assert response.headers.get(header), header


async def test_no_response_names_the_server_software(api, client):
    for response in (
        await api.get("/api/v1/items"),
        await client.get("/api/v1/items"),
        await client.get("/healthz"),
        await client.get("/missing"),
    ):
        assert "server" not in response.headers
        assert "x-powered-by" not in response.headers


# Limits -----------------------------------------------------------------------------------


async def test_body_over_one_mebibyte_is_refused_with_413(api):
    body = {"code": "BIG", "name": "Big", "description": "x" * (1024 * 1024)}
    response = await api.post("/api/v1/engines", json=body)
    assert_problem(response, 413, "payload_too_large")
    assert await count(api, "/api/v1/engines") == 0


async def test_streamed_body_over_the_limit_is_refused_even_without_content_length(api):
    async def chunks():
        yield b'{"code": "BIG", "name": "Big", "description": "'
        for _ in range(64):
            yield b"x" * (32 * 1024)
        yield b'"}'

    response = await api.post(
        "/api/v1/engines", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "payload_too_large")
    assert await count(api, "/api/v1/engines") == 0


async def test_body_under_the_limit_reaches_validation_instead_of_413(api):
    body = {"code": "ALMOST", "name": "Almost", "description": "x" * (512 * 1024)}
    response = await api.post("/api/v1/engines", json=body)
    # The schema caps descriptions, so this is a validation error, not a size error.
    assert_problem(response, 422, "validation_error")


# Quantities -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [(5, Decimal("5")), ("2.5", Decimal("2.5")), (0.125, Decimal("0.125")), ("7.000", 7)],
)
async def test_quantities_accept_numbers_and_decimal_strings(api, given, expected):
    item = await api.item(reorder_point=given)
    assert isinstance(item["reorder_point"], int | float)
    assert Decimal(str(item["reorder_point"])) == Decimal(expected)


@pytest.mark.parametrize("given", ["1.2345", 0.0001, "1e-4", "abc", "", "NaN", "Infinity"])
async def test_quantities_with_more_than_three_decimals_or_not_numbers_are_refused(api, given):
    response = await api.post(
        "/api/v1/items", json={"sku": "Q-BAD", "name": "q", "reorder_point": given}
    )
    body = assert_problem(response, 422, "validation_error")
    assert "reorder_point" in error_fields(body)
    assert await count(api, "/api/v1/items") == 0


async def test_quantities_above_twelve_integer_digits_are_refused(api):
    response = await api.post(
        "/api/v1/items", json={"sku": "Q-HUGE", "name": "q", "reorder_point": "1000000000000"}
    )
    assert_problem(response, 422, "validation_error")
    largest = await api.item(reorder_point="999999999999.999")
    assert Decimal(str(largest["reorder_point"])) == Decimal("999999999999.999")


@pytest.mark.parametrize("quantity", [0, "0", -1, "-0.001", "1.0001"])
async def test_document_line_quantities_must_be_positive_with_three_decimals(api, quantity):
    item = await api.item()
    warehouse = await api.main_warehouse()
    body = {
        "warehouse_id": warehouse["id"],
        "lines": [
            {"item_id": item["id"], "quantity": 1},
            {"item_id": (await api.item())["id"], "quantity": quantity},
        ],
    }
    response = await api.post("/api/v1/inbounds", json=body)
    problem = assert_problem(response, 422, "validation_error")
    assert "lines[1].quantity" in error_fields(problem)
    assert await count(api, "/api/v1/inbounds") == 0


async def test_money_accepts_four_decimals_and_refuses_five(api):
    item = await api.item(unit_cost="12.3456")
    assert Decimal(str(item["unit_cost"])) == Decimal("12.3456")
    response = await api.post(
        "/api/v1/items", json={"sku": "M-BAD", "name": "m", "unit_cost": "1.23456"}
    )
    assert "unit_cost" in error_fields(assert_problem(response, 422, "validation_error"))


async def test_quantities_are_json_numbers_in_responses(api):
    item = await api.item(reorder_point="1.5")
    doc = await api.document("inbound", (await api.main_warehouse())["id"], [(item["id"], "2.25")])
    assert isinstance(doc["total_quantity"], float)
    assert doc["total_quantity"] == 2.25
    assert isinstance(doc["lines"][0]["quantity"], float)
    assert doc["lines"][0]["quantity"] == 2.25
    listed = (await api.ok("GET", "/api/v1/items"))["data"][0]
    for field in ("on_hand", "reserved", "available", "reorder_point", "unit_cost"):
        assert isinstance(listed[field], int | float), field
        assert not isinstance(listed[field], bool), field
    assert listed["reorder_point"] == 1.5


async def test_decimal_quantities_add_up_exactly(api):
    item = await api.item()
    for quantity in (0.1, 0.2, "0.3"):
        await api.receive(item["id"], quantity)
    stock = await api.stock(item["id"])
    assert stock["on_hand"] == 0.6
    assert (await api.ok("GET", f"/api/v1/items/{item['id']}"))["on_hand"] == 0.6


async def test_idempotent_retry_matches_json_by_meaning_not_bytes(api):
    headers = {"Idempotency-Key": f"key-{uuid.uuid4()}", "Content-Type": "application/json"}
    first = await api.post(
        "/api/v1/engines", headers=headers, content=b'{"code": "ORD1", "name": "Ordered"}'
    )
    second = await api.post(
        "/api/v1/engines", headers=headers, content=b'{"name":"Ordered","code":"ORD1"}'
    )
    assert first.status_code == 201
    assert second.status_code == 201
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"
    assert await count(api, "/api/v1/engines") == 1
