"""Spreadsheet import and export over HTTP, with real .xlsx files made by LibreOffice.

The fixtures under tests/fixtures/spreadsheets/ were produced with
`libreoffice --headless --convert-to xlsx` from the CSV files beside them; hostile files
(entity bomb, zip bomb, a PNG renamed .xlsx, NUL bytes) are built here.
"""

from __future__ import annotations

import codecs
import csv
import io
import random
import re
import string
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select

from erp_engine.catalog.model import Item
from erp_engine.events.model import OutboxEvent
from erp_engine.kernel.roles import Role
from erp_engine.spreadsheets import queries, reading, writing
from erp_engine.spreadsheets.columns import (
    CellError,
    CellType,
    Column,
    as_decimal,
    header_key,
    unescape,
)
from erp_engine.spreadsheets.reading import SpreadsheetError, read_table
from erp_engine.spreadsheets.repository import ImportLookups
from erp_engine.spreadsheets.writing import EXCEL_MAX_ROWS, SHEET_ROWS, XlsxStream, neutralise
from tests.support.statements import recorded_statements

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spreadsheets"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEMS, STOCKS, MOVES = "/api/v1/items", "/api/v1/stocks", "/api/v1/stock-moves"
ITEMS_IMPORT = "/api/v1/items/import"
STOCK_IMPORT = "/api/v1/stock-adjustments/import"


def D(value: Any) -> Decimal:
    return Decimal(str(value))


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return body


async def upload(
    api,
    path: str,
    name: str,
    content: bytes,
    *,
    role: Role = Role.MANAGER,
    content_type: str | None = None,
    **form: Any,
):
    if content_type is None:
        content_type = XLSX_TYPE if name.endswith(".xlsx") else "text/csv"
    data = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in form.items()}
    return await api.post(path, files={"file": (name, content, content_type)}, data=data, role=role)


async def imported(api, path: str, name: str, content: bytes, **form: Any) -> dict:
    response = await upload(api, path, name, content, **form)
    assert response.status_code == 200, response.text
    return response.json()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sheet_rows(content: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def csv_bytes(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


async def items_by_sku(api, **params) -> dict[str, dict]:
    page = await api.ok("GET", ITEMS, params={"limit": 200, **params})
    return {item["sku"]: item for item in page["data"]}


async def count(api, path: str, **params) -> int:
    return (await api.ok("GET", path, params={"limit": 1, **params}))["count"]


@pytest.fixture
async def engines(api):
    await api.engine("LCD")
    await api.engine("KBD")


# Import: real LibreOffice files ----------------------------------------------------------


async def test_korean_workbook_imports_items_with_their_engines_flows_events_and_audit(
    api, engines, app
):
    result = await imported(api, ITEMS_IMPORT, "items_korean.xlsx", fixture("items_korean.xlsx"))
    assert result == {"dry_run": False, "created": 4, "updated": 0, "unchanged": 0, "errors": []}
    items = await items_by_sku(api)
    assert set(items) == {"MON-24-FHD", "MON-27-QHD", "KBD-MECH-RED", "KBD-KEYCAP"}
    monitor = items["MON-27-QHD"]
    assert monitor["name"] == "27인치 QHD 모니터"
    assert monitor["barcode"] == "8801234500028"
    assert D(monitor["unit_cost"]) == D("329000.5")
    assert D(monitor["reorder_point"]) == 3
    keycaps = items["KBD-KEYCAP"]
    assert (keycaps["unit"], keycaps["active"], keycaps["barcode"]) == ("세트", False, None)
    lcd = (await api.ok("GET", "/api/v1/engines", params={"q": "LCD"}))["data"][0]
    assert {i["sku"] for i in items.values() if i["engine_id"] == lcd["id"]} == {
        "MON-24-FHD",
        "MON-27-QHD",
    }
    flows = await api.ok("GET", "/api/v1/flows", params={"entity_type": "item", "limit": 50})
    assert flows["count"] == 4
    assert {f["action"] for f in flows["data"]} == {"created"}
    assert {f["entity_number"] for f in flows["data"]} == set(items)
    audit = await api.ok("GET", "/api/v1/audit", params={"action": "item.created", "limit": 50})
    assert audit["count"] == 4
    entry = next(a for a in audit["data"] if a["entity_id"] == monitor["id"])
    assert entry["changes"]["name"] == [None, "27인치 QHD 모니터"]
    assert entry["request_id"]
    summary = await api.ok("GET", "/api/v1/audit", params={"action": "items.imported"})
    assert summary["data"][0]["changes"]["created"] == 4
    # The outbox itself: the event feed may hold back rows while any older transaction runs.
    async with app.state.db_engine.connect() as connection:
        rows = (
            await connection.execute(
                select(OutboxEvent.data).where(OutboxEvent.type == "item.created")
            )
        ).scalars()
        assert {data["sku"] for data in rows} == set(items)


async def test_dry_run_validates_everything_and_writes_nothing(api, engines):
    result = await imported(
        api, ITEMS_IMPORT, "items_korean.xlsx", fixture("items_korean.xlsx"), dry_run=True
    )
    assert result == {"dry_run": True, "created": 4, "updated": 0, "unchanged": 0, "errors": []}
    assert await count(api, ITEMS) == 0
    assert await count(api, "/api/v1/flows", entity_type="item") == 0


async def test_dry_run_and_mode_are_honoured_as_query_parameters_too(api, engines):
    korean = fixture("items_korean.xlsx")
    files = {"file": ("items_korean.xlsx", korean, XLSX_TYPE)}
    response = await api.post(ITEMS_IMPORT, params={"dry_run": "true"}, files=files)
    assert response.status_code == 200, response.text
    assert (response.json()["dry_run"], response.json()["created"]) == (True, 4)
    assert await count(api, ITEMS) == 0
    await imported(api, ITEMS_IMPORT, "items_korean.xlsx", korean)
    response = await api.post(ITEMS_IMPORT, params={"mode": "upsert"}, files=files)
    assert response.status_code == 200, response.text
    assert response.json()["unchanged"] == 4
    stock = {"file": ("count.csv", csv_bytes([["SKU", "Warehouse code", "On hand"]]), "text/csv")}
    response = await api.post(STOCK_IMPORT, params={"dry_run": "1"}, files=stock)
    assert response.json()["dry_run"] is True


@pytest.mark.parametrize(
    ("path", "params", "form", "field"),
    [
        (ITEMS_IMPORT, {"dry_run": "true"}, {"dry_run": "false"}, "dry_run"),
        (ITEMS_IMPORT, {"mode": "create"}, {"mode": "upsert"}, "mode"),
        (STOCK_IMPORT, {"dry_run": "false"}, {"dry_run": "true"}, "dry_run"),
    ],
)
async def test_query_and_form_that_disagree_are_refused(api, path, params, form, field):
    header = ["SKU", "Name"] if path == ITEMS_IMPORT else ["SKU", "Warehouse code", "On hand"]
    files = {"file": ("q.csv", csv_bytes([header]), "text/csv")}
    response = await api.post(path, params=params, data=form, files=files)
    body = problem(response, 422, "validation_error")
    assert body["errors"] == [
        {
            "field": field,
            "code": "option_conflict",
            "message": body["detail"],
            "params": {"option": field},
        }
    ]
    assert (
        f"{field} is {params[field]} in the query string but {form[field]} in the form"
        in (body["detail"])
    )
    agreed = await api.post(path, params=form, data=form, files=files)
    assert agreed.status_code == 200, agreed.text


async def test_a_bad_row_in_the_middle_rejects_the_whole_file_naming_row_column_and_cell(api):
    content = fixture("items_bad_row.xlsx")
    response = await upload(api, ITEMS_IMPORT, "items_bad_row.xlsx", content)
    body = problem(response, 422, "validation_error")
    errors = body["errors"]
    assert {e["row"] for e in errors} == {4}
    by_column = {e["column"]: e for e in errors}
    assert set(by_column) == {"Name", "Unit cost", "Reorder point"}
    assert by_column["Unit cost"]["cell"] == "C4"
    assert "negative" in by_column["Unit cost"]["message"]
    assert by_column["Reorder point"]["field"] == "reorder_point"
    assert "'many'" in by_column["Reorder point"]["message"]
    assert "Expected a number" in by_column["Reorder point"]["message"]
    assert "name" in by_column["Name"]["message"]
    # What a client translates: stable codes and the values, not the English sentences.
    assert {c: (e["code"], e["params"]) for c, e in by_column.items()} == {
        "Name": ("required", {}),
        "Unit cost": ("negative", {"places": 4, "digits": 11, "got": "-5"}),
        "Reorder point": ("number_expected", {"places": 3, "digits": 12, "got": "'many'"}),
    }
    assert await count(api, ITEMS) == 0
    dry = await imported(api, ITEMS_IMPORT, "items_bad_row.xlsx", content, dry_run=True)
    assert dry["created"] == 4
    assert dry["errors"] == errors


async def test_a_value_past_the_last_header_cell_is_a_problem_never_dropped(api):
    # Row 3 has one cell too many (2,000 split in two): the rest would shift one column.
    content = fixture("items_extra_cells.xlsx")
    body = problem(
        await upload(api, ITEMS_IMPORT, "items_extra_cells.xlsx", content), 422, "validation_error"
    )
    [extra] = body["errors"]
    assert (extra["row"], extra["cell"], extra["field"]) == (3, "F3", "unheaded")
    assert extra["message"] == "Unexpected value 'yes' in column F; the header has 5 columns."
    assert (extra["code"], extra["params"]) == ("unheaded", {"got": "'yes'", "column": "F"})
    assert await count(api, ITEMS) == 0
    dry = await imported(api, ITEMS_IMPORT, "items_extra_cells.xlsx", content, dry_run=True)
    assert dry["errors"] == body["errors"]


async def test_csv_values_under_no_header_name_their_cell_and_the_likely_cause(api):
    content = csv_bytes(
        [["SKU", "", "Name"], ["G-1", "", "Fine"], ["G-2", "stray", "Gap"], ["G-3", "", "n", "4"]]
    )
    body = problem(await upload(api, ITEMS_IMPORT, "gap.csv", content), 422, "validation_error")
    found = {e["cell"]: e["message"] for e in body["errors"]}
    assert found["B3"] == "Unexpected value 'stray' in column B, which has no header."
    assert found["D4"].startswith("Unexpected value '4' in column D; the header has 3 columns.")
    assert "separator inside an unquoted value" in found["D4"]
    assert len(found) == 2


async def test_dry_run_counts_only_the_rows_that_would_be_written(api, engines):
    content = csv_bytes(
        [
            ["SKU", "Name", "Unit cost"],
            ["OK-1", "Fine", "10"],
            ["BAD-1", "Bad cost", "bad"],
            ["OK-2", "Fine too", "20", "stray"],
        ]
    )
    dry = await imported(api, ITEMS_IMPORT, "counts.csv", content, dry_run=True)
    assert [(e["row"], e["field"]) for e in dry["errors"]] == [(3, "unit_cost"), (4, "unheaded")]
    assert (dry["created"], dry["updated"], dry["unchanged"]) == (1, 0, 0)
    extra = await imported(
        api, ITEMS_IMPORT, "x.xlsx", fixture("items_extra_cells.xlsx"), dry_run=True
    )
    assert extra["created"] == 2
    await api.item("CNT-1")
    await api.item("CNT-2")
    counts = csv_bytes(
        [
            ["SKU", "Warehouse code", "Counted quantity"],
            ["CNT-1", "MAIN", "5", "x"],
            ["CNT-2", "MAIN", "-1"],
        ]
    )
    dry = await imported(api, STOCK_IMPORT, "counts.csv", counts, dry_run=True)
    assert len(dry["errors"]) == 2
    assert (dry["created"], dry["updated"], dry["unchanged"]) == (0, 0, 0)


async def test_formula_cells_import_as_literal_text_and_export_neutralised(api):
    result = await imported(api, ITEMS_IMPORT, "items_formula.xlsx", fixture("items_formula.xlsx"))
    assert result["created"] == 2
    items = await items_by_sku(api)
    assert items["FORM-1"]["name"] == "=1+2"
    assert items["FORM-2"]["name"] == '=HYPERLINK("http://example.invalid","click")'
    exported = await api.get(f"{ITEMS}/export", params={"format": "xlsx"})
    rows = sheet_rows(exported.content)
    assert rows[1][:2] == ("FORM-1", "'=1+2")
    assert rows[2][1].startswith("'=HYPERLINK(")
    again = await imported(api, ITEMS_IMPORT, "export.xlsx", exported.content, mode="upsert")
    assert (again["updated"], again["unchanged"]) == (0, 2)
    assert (await items_by_sku(api))["FORM-1"]["name"] == "=1+2"


async def test_a_formula_where_a_number_belongs_is_refused_not_evaluated(api):
    content = xlsx_bytes([["SKU", "Name", "Unit cost"], ["F-1", "Formula", "=2*3"]])
    body = problem(await upload(api, ITEMS_IMPORT, "f.xlsx", content), 422, "validation_error")
    assert body["errors"][0]["cell"] == "C2"
    assert "formulas are not evaluated" in body["errors"][0]["message"]


async def test_opening_stock_workbook_sets_on_hand_with_one_adjustment_per_warehouse(api, engines):
    await imported(api, ITEMS_IMPORT, "items_korean.xlsx", fixture("items_korean.xlsx"))
    await api.warehouse("BUSAN")
    content = fixture("opening_stock.xlsx")
    dry = await imported(api, STOCK_IMPORT, "opening_stock.xlsx", content, dry_run=True)
    assert (dry["created"], dry["updated"], dry["adjustments"]) == (2, 4, [])
    assert await count(api, MOVES) == 0
    result = await imported(api, STOCK_IMPORT, "opening_stock.xlsx", content)
    assert result == {
        "dry_run": False,
        "created": 2,
        "updated": 4,
        "unchanged": 0,
        "errors": [],
        "adjustments": ["ADJ-000001", "ADJ-000002"],
    }
    rows = (await api.ok("GET", STOCKS, params={"limit": 50}))["data"]
    on_hand = {(r["sku"], r["warehouse_code"]): D(r["on_hand"]) for r in rows}
    assert on_hand == {
        ("MON-24-FHD", "MAIN"): 12,
        ("MON-27-QHD", "MAIN"): D("3.5"),
        ("KBD-MECH-RED", "BUSAN"): 40,
        ("MON-24-FHD", "BUSAN"): 7,
    }
    moves = (await api.ok("GET", MOVES, params={"limit": 50}))["data"]
    assert len(moves) == 4
    assert {m["reason"] for m in moves} == {"adjustment"}
    assert all(D(m["quantity"]) == D(m["balance_after"]) for m in moves)
    adjustments = (await api.ok("GET", "/api/v1/stock-adjustments"))["data"]
    assert sorted(len(a["lines"]) for a in adjustments) == [2, 2]
    assert {a["reason"] for a in adjustments} == {"Opening stock import"}
    again = await imported(api, STOCK_IMPORT, "opening_stock.xlsx", content)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert again["adjustments"] == []
    assert await count(api, MOVES) == 4
    assert await count(api, "/api/v1/stock-adjustments") == 2


async def test_stock_rows_are_checked_against_items_warehouses_and_reservations(api):
    main = await api.main_warehouse()
    item = await api.item("RES-1")
    await api.item("OFF-1", active=False)
    await api.receive(item["id"], 10)
    doc = await api.document("outbound", main["id"], [(item["id"], 6)])
    await api.act("outbound", doc["id"], "approve")
    content = csv_bytes(
        [
            ["sku", "warehouse_code", "counted_quantity"],
            ["RES-1", "MAIN", "5"],
            ["NOPE", "MAIN", "1"],
            ["RES-1", "NOWHERE", "1"],
            ["OFF-1", "MAIN", "1"],
            ["RES-1", "main", "7"],
            ["RES-1", "MAIN", "8"],
            ["", "MAIN", "-1"],
        ]
    )
    body = problem(await upload(api, STOCK_IMPORT, "count.csv", content), 422, "validation_error")
    messages = {(e["row"], e["field"]): e["message"] for e in body["errors"]}
    assert "6 is reserved" in messages[(2, "counted_quantity")]
    assert messages[(3, "sku")] == "No item with SKU NOPE."
    assert messages[(4, "warehouse_code")] == "No warehouse with code NOWHERE."
    assert "inactive" in messages[(5, "sku")]
    assert "also on row 2" in messages[(6, "sku")]
    assert "also on row 2" in messages[(7, "sku")]
    assert messages[(8, "sku")].startswith("Required")
    assert "negative" in messages[(8, "counted_quantity")]
    assert (await api.stock(item["id"]))["on_hand"] == 10


# Import: rules ---------------------------------------------------------------------------


async def test_create_mode_refuses_existing_skus_and_upsert_updates_them(api):
    await api.item("UP-1", name="Old name", barcode="111")
    await api.item("UP-2", name="Same")
    content = csv_bytes(
        [
            ["SKU", "Name", "Barcode", "Reorder point"],
            ["up-1", "New name", "111", "4"],
            ["UP-2", "Same", "", "0"],
            ["UP-3", "Brand new", "333", "1"],
        ]
    )
    body = problem(await upload(api, ITEMS_IMPORT, "up.csv", content), 422, "validation_error")
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "sku"), (3, "sku")]
    assert "mode=upsert" in body["errors"][0]["message"]
    result = await imported(api, ITEMS_IMPORT, "up.csv", content, mode="upsert")
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 1)
    items = await items_by_sku(api)
    assert items["up-1"]["name"] == "New name"
    assert items["up-1"]["version"] == 2
    assert D(items["up-1"]["reorder_point"]) == 4
    assert items["UP-2"]["version"] == 1
    flows = await api.ok("GET", "/api/v1/flows", params={"entity_id": items["up-1"]["id"]})
    assert [f["action"] for f in flows["data"]].count("updated") == 1
    audit = await api.ok(
        "GET", "/api/v1/audit", params={"entity_id": items["up-1"]["id"], "action": "item.updated"}
    )
    assert audit["data"][0]["changes"]["name"] == ["Old name", "New name"]


async def test_absent_columns_keep_values_and_empty_cells_set_defaults_on_upsert(api):
    engine = await api.engine("ENG")
    await api.item("KEEP-1", barcode="999", unit_cost="10", engine_id=engine["id"])
    content = csv_bytes([["SKU", "Unit"], ["KEEP-1", ""]])
    result = await imported(api, ITEMS_IMPORT, "keep.csv", content, mode="upsert")
    assert result["unchanged"] == 1
    item = (await items_by_sku(api))["KEEP-1"]
    assert (item["barcode"], D(item["unit_cost"]), item["engine_id"]) == ("999", 10, engine["id"])
    cleared = csv_bytes([["SKU", "Barcode", "Engine code"], ["KEEP-1", "", ""]])
    await imported(api, ITEMS_IMPORT, "clear.csv", cleared, mode="upsert")
    item = (await items_by_sku(api))["KEEP-1"]
    assert (item["barcode"], item["engine_id"]) == (None, None)


async def test_duplicates_unknown_engines_and_taken_barcodes_name_their_rows(api):
    await api.item("HAS-CODE", barcode="8800000000001")
    content = csv_bytes(
        [
            ["SKU", "Name", "Barcode", "Engine code", "Active"],
            ["A-1", "A", "8800000000002", "", "yes"],
            ["a-1", "Again", "", "", ""],
            ["B-1", "B", "8800000000002", "", ""],
            ["C-1", "C", "8800000000001", "NOENG", "maybe"],
            ["D-1", "", "", "", ""],
        ]
    )
    body = problem(await upload(api, ITEMS_IMPORT, "dups.csv", content), 422, "validation_error")
    found = {(e["row"], e["field"]): e["message"] for e in body["errors"]}
    assert "also on row 2" in found[(3, "sku")]
    assert "also on row 2" in found[(4, "barcode")]
    assert found[(5, "barcode")] == "8800000000001 already belongs to SKU HAS-CODE."
    assert found[(5, "engine_code")] == "No engine with code NOENG."
    assert "TRUE or FALSE" in found[(5, "active")]
    assert "name" in found[(6, "name")]
    assert len(body["errors"]) == 6
    coded = {(e["row"], e["field"]): (e["code"], e["params"]) for e in body["errors"]}
    assert coded == {
        (3, "sku"): ("sku_twice", {"sku": "a-1", "row": 2}),
        (4, "barcode"): ("barcode_twice", {"barcode": "8800000000002", "row": 2}),
        (5, "barcode"): ("barcode_taken", {"barcode": "8800000000001", "sku": "HAS-CODE"}),
        (5, "engine_code"): ("unknown_code", {"code": "NOENG"}),
        (5, "active"): ("boolean_expected", {"got": "'maybe'"}),
        (6, "name"): ("required", {}),
    }


async def test_unknown_duplicate_and_missing_columns_are_header_problems(api):
    content = csv_bytes([["Name", "Colour", "Name"], ["x", "red", "y"]])
    body = problem(await upload(api, ITEMS_IMPORT, "h.csv", content), 422, "validation_error")
    found = {(e["row"], e["column"]): e for e in body["errors"]}
    assert "Unknown column" in found[(1, "Colour")]["message"]
    assert found[(1, "Colour")]["cell"] == "B1"
    assert "appears twice" in found[(1, "Name")]["message"]
    assert found[(1, "SKU")]["message"] == "Missing required column."
    assert [found[key]["code"] for key in ((1, "Colour"), (1, "Name"), (1, "SKU"))] == [
        "unknown_column",
        "column_twice",
        "missing_column",
    ]
    assert found[(1, "Name")]["params"] == {"column": "Name", "first": "A"}


async def test_korean_and_alias_headers_are_understood(api):
    content = csv_bytes(
        [["품목코드", "품목명", "단가", "사용여부"], ["KO-1", "한글", "1,500", "예"]]
    )
    result = await imported(api, ITEMS_IMPORT, "ko.csv", content)
    assert result["created"] == 1
    item = (await items_by_sku(api))["KO-1"]
    assert (item["name"], D(item["unit_cost"]), item["active"]) == ("한글", 1500, True)


async def test_csv_with_bom_semicolons_and_a_header_only_template(api):
    content = codecs.BOM_UTF8 + "SKU;Name;Unit cost\r\nSEMI-1;세미콜론;12.5\r\n".encode()
    assert (await imported(api, ITEMS_IMPORT, "semi.csv", content))["created"] == 1
    template = await api.get(f"{ITEMS}/import-template", params={"format": "csv"})
    assert (await imported(api, ITEMS_IMPORT, "t.csv", template.content))["created"] == 0


async def test_import_needs_a_manager(api):
    content = csv_bytes([["SKU", "Name"], ["S-1", "Staff"]])
    response = await upload(api, ITEMS_IMPORT, "s.csv", content, role=Role.STAFF)
    problem(response, 403, "forbidden")
    response = await upload(api, STOCK_IMPORT, "s.csv", content, role=Role.VIEWER)
    problem(response, 403, "forbidden")


async def test_more_than_100000_rows_is_refused_naming_the_limit(api):
    lines = ["SKU,Name"] + [f"R{i},n" for i in range(100_001)]
    content = "\n".join(lines).encode()
    body = problem(await upload(api, ITEMS_IMPORT, "big.csv", content), 422, "validation_error")
    assert "100,000" in body["detail"]
    assert await count(api, ITEMS) == 0


async def test_a_file_of_exactly_ten_mebibytes_passes_and_one_byte_more_is_refused_with_413(api):
    # The limit is on the file, not on the multipart envelope around it.
    exact = PNG + b"\0" * (10 * 2**20 - len(PNG))
    body = problem(await upload(api, ITEMS_IMPORT, "exact.csv", exact), 422, "validation_error")
    assert "PNG image" in body["detail"]  # read whole, then refused for what it is
    over = problem(
        await upload(api, ITEMS_IMPORT, "over.csv", exact + b"\0", dry_run=True),
        413,
        "payload_too_large",
    )
    assert over["detail"] == (
        "The file is 10,485,761 bytes; the limit is 10 MiB (10,485,760 bytes) per file."
    )
    far = problem(await upload(api, STOCK_IMPORT, "far.csv", exact * 2), 413, "payload_too_large")
    assert far["detail"] == "The upload exceeds the limit of 10 MiB (10,485,760 bytes) per file."


async def test_errors_beyond_a_thousand_are_counted_not_listed(api):
    content = csv_bytes(
        [["SKU", "Name", "Unit cost"]] + [[f"E{i}", "n", "bad"] for i in range(1500)]
    )
    body = problem(await upload(api, ITEMS_IMPORT, "many.csv", content), 422, "validation_error")
    assert len(body["errors"]) == 1001
    assert body["errors"][-1]["message"] == "… and 500 more problem(s) not listed."
    assert "1500 problem(s)" in body["detail"]


async def _deleted_meanwhile(app, lookups: ImportLookups, sku: str) -> None:
    """Delete the item as a concurrent request would, after the import read it and before it
    locks it: for real on PostgreSQL; on SQLite, whose writers take turns so the race cannot
    happen, inside the import's own transaction, which its refusal rolls back."""
    stmt = delete(Item).where(Item.sku == sku)
    if app.state.db_engine.dialect.name == "postgresql":
        async with app.state.db_engine.begin() as connection:
            await connection.execute(stmt)
    else:
        await lookups.session.execute(stmt)


async def test_an_item_deleted_while_an_upsert_import_runs_is_a_conflict_not_a_500(
    api, app, monkeypatch
):
    original = ImportLookups.item_values

    async def item_values(self, item_ids, fields, *, lock):
        await _deleted_meanwhile(app, self, "GONE-1")
        return await original(self, item_ids, fields, lock=lock)

    monkeypatch.setattr(ImportLookups, "item_values", item_values)
    await api.item("STAY-1", name="Old")
    content = csv_bytes([["SKU", "Name"], ["GONE-1", "New"], ["STAY-1", "New"], ["NEW-1", "New"]])
    for dry_run in (True, False):
        if "GONE-1" not in await items_by_sku(api):
            await api.item("GONE-1", name="Old")
        response = await upload(
            api, ITEMS_IMPORT, "up.csv", content, mode="upsert", dry_run=dry_run
        )
        body = problem(response, 409, "conflict")
        assert "1 item(s) were deleted while the import ran (GONE-1)" in body["detail"]
    items = await items_by_sku(api)
    assert "NEW-1" not in items
    assert items["STAY-1"]["name"] == "Old"


async def test_an_item_deleted_while_a_stock_import_runs_is_a_conflict(api, app, monkeypatch):
    original = ImportLookups.lock_items

    async def lock_items(self, item_ids):
        await _deleted_meanwhile(app, self, "GONE-2")
        return await original(self, item_ids)

    monkeypatch.setattr(ImportLookups, "lock_items", lock_items)
    await api.item("GONE-2")
    content = csv_bytes([["SKU", "Warehouse code", "Counted quantity"], ["GONE-2", "MAIN", "5"]])
    body = problem(await upload(api, STOCK_IMPORT, "count.csv", content), 409, "conflict")
    assert "(GONE-2)" in body["detail"]
    assert await count(api, MOVES) == 0
    assert await count(api, "/api/v1/stock-adjustments") == 0


# Import: hostile files -------------------------------------------------------------------


def _rewrite(content: bytes, replace: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return target.getvalue()


ENTITY_BOMB = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol4;</t></si></sst>"""


async def test_xml_entity_bomb_is_refused(api):
    content = _rewrite(fixture("items_korean.xlsx"), {"xl/sharedStrings.xml": ENTITY_BOMB})
    body = problem(
        await upload(api, ITEMS_IMPORT, "bomb.xlsx", content, dry_run=True), 422, "validation_error"
    )
    assert "DTD" in body["detail"]
    assert body["errors"] == [
        {
            "row": None,
            "column": None,
            "cell": None,
            "field": "file",
            "code": "file_refused",
            "message": body["detail"],
            "params": {},
        }
    ]


async def test_zip_bomb_is_refused_before_it_is_inflated(api):
    filler = b"<!-- " + b" " * (50 * 1024 * 1024) + b" -->"
    content = _rewrite(fixture("items_korean.xlsx"), {"xl/styles.xml": filler})
    assert len(content) < 200 * 1024
    body = problem(await upload(api, ITEMS_IMPORT, "zip.xlsx", content), 422, "validation_error")
    assert "zip bomb" in body["detail"]


async def test_zip_whose_declared_sizes_lie_is_refused(api):
    content = bytearray(_rewrite(fixture("items_korean.xlsx"), {}))
    # Shrink every declared uncompressed size in the central directory to 10 bytes.
    position = content.find(b"PK\x01\x02")
    while position != -1:
        content[position + 24 : position + 28] = struct.pack("<I", 10)
        position = content.find(b"PK\x01\x02", position + 4)
    body = problem(
        await upload(api, ITEMS_IMPORT, "lies.xlsx", bytes(content)), 422, "validation_error"
    )
    assert "not a readable .xlsx" in body["detail"]


def _sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>SKU</t></is></c></row>'
            '<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>X</t></is></c></row>',
            "more than 1048576 rows",
        ),
        (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>SKU</t></is></c>'
            '<c r="ZZ1" t="inlineStr"><is><t>far</t></is></c></row>',
            "more than 200 columns",
        ),
        ('<row r="1"><c r="A1" t="s"><v>999999</v></c></row>', "not a readable .xlsx"),
    ],
)
async def test_sheets_beyond_the_row_and_column_limits_are_refused(api, rows, expected):
    content = _rewrite(fixture("items_korean.xlsx"), {"xl/worksheets/sheet1.xml": _sheet_xml(rows)})
    body = problem(await upload(api, ITEMS_IMPORT, "far.xlsx", content), 422, "validation_error")
    assert expected in body["detail"]


SST = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>'
)


def _words(characters: int) -> bytes:
    """Text of words from a 4,000-word vocabulary: it deflates about 2.3 times, like real
    text, so no zip-bomb check stops a file of it before the limit under test."""
    rng = random.Random(characters)
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(4000)]
    return " ".join(rng.choices(vocabulary, k=characters // 7)).encode()


def _hostile(part: str, xml: bytes) -> bytes:
    return _rewrite(fixture("items_korean.xlsx"), {part: xml})


MEMORY_PROBE = """
import resource, sys
import openpyxl.reader.excel, openpyxl.styles.stylesheet
from erp_engine.spreadsheets.reading import SpreadsheetError, read_table
from erp_engine.spreadsheets.repository import ImportLookups
data = sys.stdin.buffer.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    for _ in read_table(data, filename="hostile.xlsx").rows:
        pass
    print("read")
except SpreadsheetError as error:
    print(error.detail)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_shared_strings_read_as_openpyxl_reads_them():
    from openpyxl.reader.strings import read_string_table

    entries = (
        b"<si><t>plain</t></si><si><t/></si><si><t xml:space='preserve'> spaced </t></si>"
        b"<si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r>"
        b'<rPh sb="0" eb="1"><t>ignored</t></rPh></si>'
        b"<si><t>_x005F_x000D_ escaped</t></si><si><t>\xed\x95\x9c\xea\xb8\x80</t></si>"
    )
    xml = SST % entries
    archive = zipfile.ZipFile(io.BytesIO(_hostile("xl/sharedStrings.xml", xml)))
    ours = reading.read_shared_strings(archive, "xl/sharedStrings.xml")
    theirs = read_string_table(io.BytesIO(xml))
    assert [ours[n] for n in range(len(ours))] == theirs
    assert theirs[3] == "rich text"
    with pytest.raises(IndexError):
        ours[len(ours)]


def test_a_million_tiny_shared_strings_are_refused_in_bounded_memory():
    # 2.6 MB that passes every zip check; read as openpyxl does, its strings took 150 MiB
    # more (four million of them, in 10 MiB, 620 MiB and 40 s of CPU).
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(1_000_100))
    content = _hostile("xl/sharedStrings.xml", SST % strings)
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE],
        input=content,
        capture_output=True,
        timeout=120,
        check=True,
    )
    refusal, grown_mib = done.stdout.decode().splitlines()
    assert refusal == "The workbook has more than 1,000,000 shared strings (the limit)."
    assert int(grown_mib) < 48


def test_long_shared_strings_are_refused_past_their_character_limit_in_bounded_memory():
    text = _words(100_000)
    content = _hostile(
        "xl/sharedStrings.xml", SST % b"".join(b"<si><t>%s</t></si>" % text for _ in range(170))
    )
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError, match="more than 16,777,216 characters"):
            list(read_table(content, filename="long.xlsx").rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 48 * 2**20


@pytest.mark.parametrize(
    ("part", "xml", "limits", "expected"),
    [
        (
            "xl/sharedStrings.xml",
            lambda: SST % b"".join(b"<si><t>%s</t></si>" % _words(100_000) for _ in range(3)),
            {"MAX_SHARED_STRINGS_BYTES": 200_000},
            "shared strings part expands to 300,",
        ),
        (
            "xl/sharedStrings.xml",
            lambda: SST % (b"<si>" + b"<r/>" * 100_001 + b"</si>"),
            {},
            "A shared string holds more than 100,000 XML elements",
        ),
        ("xl/styles.xml", lambda: b"<!-- " + _words(5 * 2**20) + b" -->", {}, "styles part"),
        (
            "xl/worksheets/sheet1.xml",
            lambda: _sheet_xml('<row r="1">' + "<c/>" * 100_001 + "</row>"),
            {},
            "more than 100,000 XML elements",
        ),
        (
            "xl/worksheets/sheet1.xml",
            lambda: _sheet_xml(
                "".join(f'<row r="{n}"><c r="A{n}"/><c r="B{n}"/></row>' for n in range(1, 502))
            ),
            {"MAX_SHEET_CELLS": 1000},
            "more than 1,000 cells (the limit)",
        ),
    ],
    ids=["shared-strings-part", "string-elements", "styles-part", "row-elements", "sheet-cells"],
)
async def test_parts_that_would_expand_past_a_limit_are_refused_naming_it(
    api, monkeypatch, part, xml, limits, expected
):
    # Two limits are lowered here, so that a small file shows the check exists.
    for name, value in limits.items():
        monkeypatch.setattr(reading, name, value)
    content = _hostile(part, xml())
    assert len(content) < 10 * 2**20
    response = await upload(api, ITEMS_IMPORT, "parts.xlsx", content, dry_run=True)
    body = problem(response, 422, "validation_error")
    assert expected in body["detail"]
    assert body["errors"][0]["field"] == "file"


async def test_utf16_xml_that_could_hide_a_dtd_is_refused(api):
    content = _rewrite(
        fixture("items_korean.xlsx"),
        {"xl/sharedStrings.xml": ENTITY_BOMB.decode().replace("UTF-8", "UTF-16").encode("utf-16")},
    )
    body = problem(await upload(api, ITEMS_IMPORT, "u16.xlsx", content), 422, "validation_error")
    assert "not UTF-8" in body["detail"]


PNG = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + b"\x00" * 17 + zlib.compress(b"")


@pytest.mark.parametrize(
    ("name", "content", "content_type", "expected"),
    [
        ("picture.xlsx", PNG, XLSX_TYPE, "PNG image"),
        ("picture.csv", PNG, "text/csv", "PNG image"),
        ("items.xlsx", b"SKU,Name\nA,B\n", XLSX_TYPE, "named as an .xlsx workbook"),
        ("items.csv", None, "text/csv", "named as a CSV file"),
        ("nul.csv", b"SKU,Name\nA\x00,B\n", "text/csv", "NUL bytes"),
        ("korean.csv", "SKU,Name\nA,한글\n".encode("cp949"), "text/csv", "not UTF-8"),
        ("zip.xlsx", None, XLSX_TYPE, "not an .xlsx workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "application/vnd.ms-excel", ".xls"),
        ("empty.csv", b"", "text/csv", "empty"),
    ],
)
async def test_files_that_are_not_what_they_claim_are_refused(
    api, name, content, content_type, expected
):
    if content is None and name == "items.csv":
        content = fixture("items_korean.xlsx")
    elif content is None:
        target = io.BytesIO()
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        content = target.getvalue()
    response = await upload(api, ITEMS_IMPORT, name, content, content_type=content_type)
    body = problem(response, 422, "validation_error")
    assert expected in body["detail"]
    assert body["errors"][0]["field"] == "file"


async def test_a_content_type_alone_decides_when_the_name_says_nothing(api):
    content = csv_bytes([["SKU", "Name"], ["NONAME-1", "x"]])
    body = problem(
        await upload(api, ITEMS_IMPORT, "upload", content, content_type=XLSX_TYPE),
        422,
        "validation_error",
    )
    assert "named as an .xlsx" in body["detail"]
    result = await imported(api, ITEMS_IMPORT, "upload", content, content_type="text/csv")
    assert result["created"] == 1


# Export ----------------------------------------------------------------------------------


HOSTILE_NAMES = [
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\tTabbed",
    "'quoted",
    "plain 텍스트",
]


async def test_items_export_neutralises_text_but_never_numbers(api):
    for index, name in enumerate(HOSTILE_NAMES):
        await api.item(
            f"H-{index}",
            name=name.strip() if name.startswith("\t") else name,
            unit_cost="12.5",
            reorder_point="2",
        )
    await api.item("-NEG", name="Dash SKU")
    response = await api.get(f"{ITEMS}/export", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="items-')
    assert response.headers["content-disposition"].endswith('.csv"')
    assert b"\r\n" in response.content
    rows = csv_rows(response.content)
    assert rows[0][:8] == [
        "SKU",
        "Name",
        "Engine code",
        "Unit",
        "Barcode",
        "Unit cost",
        "Reorder point",
        "Active",
    ]
    names = {row[0]: row[1] for row in rows[1:]}
    assert names["H-0"] == "'=cmd|' /C calc'!A0"
    assert names["H-1"] == "'+SUM(1,2)"
    assert names["H-2"] == "'-2+3"
    assert names["H-3"] == "'@SUM(A1)"
    assert names["H-5"] == "''quoted"
    assert names["H-6"] == "plain 텍스트"
    assert names["'-NEG"] == "Dash SKU"
    first = next(row for row in rows if row[0] == "H-0")
    assert first[5:8] == ["12.5", "2", "TRUE"]


async def test_xlsx_export_has_typed_cells_readable_headers_and_a_frozen_header(api):
    item = await api.item("TYPED-1", name="=1+1", unit_cost="1234.5678")
    await api.receive(item["id"], 5)
    await api.ship(item["id"], 2)
    response = await api.get(f"{MOVES}/export")
    assert response.headers["content-type"] == XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Created at (UTC)",
        "Document",
        "Document type",
        "Reason",
        "SKU",
        "Item name",
        "Warehouse code",
        "Quantity",
        "Balance after",
    )
    shipped, received = rows[1], rows[2]
    assert shipped[7] == -2
    assert isinstance(shipped[7], int | float)
    assert shipped[8] == 3
    assert received[3] == "inbound"
    assert shipped[5] == "'=1+1"
    assert shipped[0].year >= 2026
    assert shipped[0].tzinfo is None
    items_sheet = sheet_rows((await api.get(f"{ITEMS}/export")).content)
    assert items_sheet[1][5] == pytest.approx(1234.5678)
    assert items_sheet[1][8:12] == (3, 0, 3, False)


async def test_exports_take_the_lists_filters_and_sorts(api):
    engine = await api.engine("FLT")
    main = await api.main_warehouse()
    other = await api.warehouse("OTHER")
    first = await api.item("F-1", name="Alpha", engine_id=engine["id"])
    second = await api.item("F-2", name="Beta")
    await api.receive(first["id"], 4)
    await api.receive(second["id"], 6, warehouse_id=other["id"])
    await api.ship(first["id"], 1)
    checks = [
        (ITEMS, {"engine_id": engine["id"]}, 0, {"F-1"}),
        (ITEMS, {"q": "bet"}, 0, {"F-2"}),
        (STOCKS, {"warehouse_id": other["id"]}, 0, {"F-2"}),
        (MOVES, {"reason": "outbound"}, 4, {"F-1"}),
        (MOVES, {"warehouse_id": main["id"]}, 4, {"F-1"}),
        ("/api/v1/inbounds", {"item_id": second["id"]}, 12, {"F-2"}),
        ("/api/v1/outbounds", {"status": "committed"}, 12, {"F-1"}),
    ]
    for path, params, sku_column, skus in checks:
        response = await api.get(f"{path}/export", params={"format": "csv", **params})
        assert response.status_code == 200, (path, response.text)
        rows = csv_rows(response.content)[1:]
        assert {row[sku_column] for row in rows} == skus, (path, params)
        listed = await api.ok("GET", path, params={"limit": 200, **params})
        if path in (ITEMS, STOCKS, MOVES):
            assert len(rows) == listed["count"]
    ordered = csv_rows(
        (await api.get(f"{ITEMS}/export", params={"format": "csv", "sort": "-name"})).content
    )
    assert [row[0] for row in ordered[1:]] == ["F-2", "F-1"]
    problem(await api.get(f"{ITEMS}/export", params={"sort": "colour"}), 422, "validation_error")
    problem(await api.get(f"{ITEMS}/export", params={"format": "pdf"}), 422, "validation_error")


async def test_document_export_has_one_row_per_line(api):
    main = await api.main_warehouse()
    a, b = await api.item("L-1"), await api.item("L-2")
    await api.document(
        "inbound", main["id"], [(a["id"], 2), (b["id"], 3)], partner="+Evil", reference="REF-1"
    )
    rows = csv_rows((await api.get("/api/v1/inbounds/export", params={"format": "csv"})).content)
    assert rows[0][:3] == ["Number", "Status", "Warehouse code"]
    assert [(r[0], r[1], r[3], r[11], r[12], r[14]) for r in rows[1:]] == [
        ("IN-000001", "draft", "'+Evil", "1", "L-1", "2"),
        ("IN-000001", "draft", "'+Evil", "2", "L-2", "3"),
    ]


async def test_exports_need_a_viewer_and_answer_before_item_routes(api, client):
    problem(await client.get(f"{ITEMS}/export"), 401, "unauthorized")
    for path in (ITEMS, STOCKS, MOVES, "/api/v1/inbounds", "/api/v1/outbounds"):
        for suffix in ("/export", "/export/"):
            response = await api.get(path + suffix, role=Role.VIEWER)
            assert response.status_code == 200, (path, response.text)
    template = await api.get(f"{ITEMS}/import-template", role=Role.VIEWER)
    assert template.status_code == 200


async def test_templates_list_the_import_columns_with_a_help_sheet(api):
    response = await api.get(f"{ITEMS}/import-template")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Items", "Help"]
    header = next(workbook["Items"].iter_rows(values_only=True))
    assert header == (
        "SKU",
        "Name",
        "Engine code",
        "Unit",
        "Barcode",
        "Unit cost",
        "Reorder point",
        "Active",
    )
    help_rows = list(workbook["Help"].iter_rows(values_only=True))
    assert help_rows[1][:2] == ("SKU", "yes")
    stock = await api.get("/api/v1/stock-adjustments/import-template", params={"format": "csv"})
    assert csv_rows(stock.content) == [["SKU", "Warehouse code", "Counted quantity"]]


async def test_xlsx_export_sends_bytes_while_rows_are_still_being_read(monkeypatch):
    read = 0

    async def stream_rows(session, query):
        nonlocal read
        for batch in range(10):
            read += 1
            document = (datetime(2026, 1, 1, 9), f"ADJ-{batch:06d}", "adjustment", "adjustment")
            yield [
                (*document, f"SKU-{n}", f"품목 {n * batch}", "MAIN", Decimal(n), Decimal(n * batch))
                for n in range(2000)
            ]

    monkeypatch.setattr(queries, "stream_rows", stream_rows)
    received = [(read, chunk) async for chunk in queries.xlsx_chunks(None, queries.moves_query())]
    assert received[0][0] == 0, "the zip's first bytes leave before the first rows arrive"
    assert received[0][1].startswith(b"PK\x03\x04")
    assert received[1][0] == 1
    content = b"".join(chunk for _, chunk in received)
    early = sum(len(chunk) for batches, chunk in received if batches < 10)
    assert early > len(content) / 2, "most bytes left before the last rows were read"
    rows = sheet_rows(content)
    assert len(rows) == 20_001
    assert rows[-1][1:6] == ("ADJ-000009", "adjustment", "adjustment", "SKU-1999", "품목 17991")


def test_an_xlsx_sheet_past_excels_row_limit_continues_on_a_new_sheet():
    writer = XlsxStream((Column("sku", "SKU"),), title="Items")
    target = io.BytesIO()
    total = SHEET_ROWS + 2
    for start in range(0, total, 100_000):
        target.write(writer.write((f"S{n}",) for n in range(start, min(start + 100_000, total))))
    target.write(writer.finish())
    archive = zipfile.ZipFile(target)
    with archive.open("xl/worksheets/sheet1.xml") as part:
        while chunk := part.read(1 << 20):
            tail = chunk[-200:]
    assert f'<row r="{EXCEL_MAX_ROWS}"><c r="A{EXCEL_MAX_ROWS}"'.encode() in tail
    # Read with the zip itself: openpyxl would scan all million rows first.
    names = re.findall(r'<sheet name="([^"]+)"', archive.read("xl/workbook.xml").decode())
    assert names == ["Items", "Items 2"]
    second = archive.read("xl/worksheets/sheet2.xml").decode()
    assert re.findall(r'<row r="(\d+)">.*?<t>([^<]*)</t>', second) == [
        ("1", "SKU"),
        ("2", f"S{SHEET_ROWS}"),
        ("3", f"S{SHEET_ROWS + 1}"),
    ]
    assert 'autoFilter ref="A1:A3"' in second


def test_an_xlsx_sheet_that_would_outgrow_a_zip_entry_continues_on_a_new_sheet(monkeypatch):
    monkeypatch.setattr(writing, "SHEET_BYTES", 4000)
    writer = XlsxStream((Column("sku", "SKU"), Column("n", "N", CellType.INTEGER)), title="Moves")
    content = writer.write([(f"S{n:04d}", n) for n in range(300)]) + writer.finish()
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert len(workbook.sheetnames) > 2
    assert workbook.sheetnames[:3] == ["Moves", "Moves 2", "Moves 3"]
    seen = []
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("SKU", "N")
        assert sheet.auto_filter.ref == f"A1:B{len(rows)}"
        seen += rows[1:]
    assert seen == [(f"S{n:04d}", n) for n in range(300)]


# Round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
async def test_an_items_export_reimports_cleanly_and_edits_apply(api, engines, fmt):
    await imported(api, ITEMS_IMPORT, "items_korean.xlsx", fixture("items_korean.xlsx"))
    await api.item("=RISKY", name="-minus 이름", barcode="+82-10", unit_cost="0.0001")
    exported = (await api.get(f"{ITEMS}/export", params={"format": fmt})).content
    name = f"export.{fmt}"
    again = await imported(api, ITEMS_IMPORT, name, exported, mode="upsert")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 5)
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(exported))
        sheet = workbook.active
        row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "KBD-KEYCAP")
        row[1].value = "바뀐 이름"
        target = io.BytesIO()
        workbook.save(target)
        edited = target.getvalue()
    else:
        rows = csv_rows(exported)
        next(r for r in rows if r[0] == "KBD-KEYCAP")[1] = "바뀐 이름"
        edited = codecs.BOM_UTF8 + csv_bytes(rows)
    result = await imported(api, ITEMS_IMPORT, name, edited, mode="upsert")
    assert (result["updated"], result["unchanged"]) == (1, 4)
    items = await items_by_sku(api)
    assert items["=RISKY"]["name"] == "-minus 이름"
    assert items["=RISKY"]["barcode"] == "+82-10"
    assert items["KBD-KEYCAP"]["name"] == "바뀐 이름"


async def test_a_stocks_export_reimports_as_a_count_that_changes_nothing_and_writes_nothing(
    api, app
):
    item = await api.item("CNT-1")
    other = await api.item("CNT-2")
    await api.receive(item["id"], 9)
    await api.receive(other["id"], 4)
    exported = (await api.get(f"{STOCKS}/export")).content
    result = await imported(api, STOCK_IMPORT, "stocks.xlsx", exported)
    assert result == {
        "dry_run": False,
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "errors": [],
        "adjustments": [],
    }
    assert await count(api, "/api/v1/stock-adjustments") == 0
    async with app.state.db_engine.connect() as connection:
        events = (await connection.execute(select(OutboxEvent.type))).scalars().all()
    assert "stock.adjusted" not in events
    # A count with one change and one confirmation records only the change.
    rows = csv_rows(
        (await api.get(f"{STOCKS}/export", params={"format": "csv", "sort": "sku"})).content
    )
    rows[1][3] = "7"
    result = await imported(api, STOCK_IMPORT, "stocks.csv", codecs.BOM_UTF8 + csv_bytes(rows))
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 1)
    assert result["adjustments"] == ["ADJ-000001"]
    [adjustment] = (await api.ok("GET", "/api/v1/stock-adjustments"))["data"]
    assert [line["item_id"] for line in adjustment["lines"]] == [item["id"]]
    assert (await api.stock(item["id"]))["on_hand"] == 7


# Cells ------------------------------------------------------------------------------------


@given(st.text())
def test_neutralising_is_reversed_exactly_by_the_importer(text):
    written = neutralise(text)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r", "\0"))
    assert unescape(written) == text


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Unit cost", "unit_cost"),
        ("UNIT COST (KRW)", "unit_cost"),
        ("Created at (UTC)", "created_at"),
        ("  sku ", "sku"),
        ("품목코드", "품목코드"),
        ("'=Name", "name"),
    ],
)
def test_headers_match_ignoring_case_spacing_and_notes(header, key):
    assert header_key(header) == key


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (" 12 ", Decimal(12)),
        ("1,234.5", Decimal("1234.5")),
        (7, Decimal(7)),
        (0.5, Decimal("0.5")),
        ("1e3", Decimal(1000)),
        (None, None),
        ("", None),
    ],
)
def test_quantities_read_from_text_and_typed_cells(cell, expected):
    assert as_decimal(cell, places=3, integer_digits=12) == expected


@pytest.mark.parametrize(
    "cell", ["NaN", "Infinity", "1e400", 0.1 + 0.2, "1.0001", "-1", True, "12,34", "=A1*2"]
)
def test_impossible_quantities_are_cell_errors(cell):
    with pytest.raises(CellError, match="Expected a number"):
        as_decimal(cell, places=3, integer_digits=12)


async def test_the_item_total_follows_creates_imports_refusals_rollbacks_and_deletes(api, app):
    """PostgreSQL answers the unfiltered total from a count its triggers keep: it must stay
    the number of rows through every way items come and go."""

    async def totals() -> tuple[int, int]:
        async with app.state.read_sessions() as session:
            rows = (await session.execute(select(func.count()).select_from(Item))).scalar()
        return await count(api, ITEMS), rows

    assert await totals() == (0, 0)
    first = await api.item("T-1")
    await api.item("T-2")
    assert await totals() == (2, 2)
    await imported(
        api, ITEMS_IMPORT, "t.csv", csv_bytes([["SKU", "Name"], ["T-3", "c"], ["T-4", "d"]])
    )
    assert await totals() == (4, 4)
    refused = csv_bytes([["SKU", "Name", "Unit cost"], ["T-5", "e", "1"], ["T-6", "f", "-1"]])
    problem(await upload(api, ITEMS_IMPORT, "bad.csv", refused), 422, "validation_error")
    assert await totals() == (4, 4)
    async with app.state.db_engine.connect() as connection:  # written, then rolled back
        await connection.execute(
            insert(Item.__table__), [{"sku": "T-7", "sku_key": "t-7", "name": "g"}]
        )
        await connection.rollback()
    assert await totals() == (4, 4)
    assert (await api.delete(f"{ITEMS}/{first['id']}", role=Role.ADMIN)).status_code == 204
    assert await totals() == (3, 3)
    assert await count(api, ITEMS, q="t-") == 3
    assert await count(api, ITEMS, active=False) == 0


@pytest.mark.postgres_only
async def test_an_import_writes_its_items_in_one_statement(api, app, backend):
    """One INSERT for all the rows (unnested arrays), not one per row: the item count's
    statement trigger then runs once per import, not once per item."""
    rows = [["SKU", "Name", "Unit cost", "Reorder point"]]
    rows += [[f"ONE-{n}", f"item {n}", "1.25", str(n)] for n in range(40)]
    with recorded_statements(app) as seen:
        await imported(api, ITEMS_IMPORT, "many.csv", csv_bytes(rows))
    (written,) = [sql for sql in seen if sql.startswith("INSERT INTO items")]
    assert "FROM unnest(" in written  # not an executemany, which runs once per row
    page = await api.ok("GET", ITEMS, params={"q": "one-3", "sort": "sku"})
    assert [(i["sku"], i["unit_cost"], i["reorder_point"]) for i in page["data"]] == [
        ("ONE-3", 1.25, 3.0),
        *((f"ONE-{n}", 1.25, float(n)) for n in range(30, 40)),
    ]
    assert page["data"][0]["created_at"] == page["data"][0]["updated_at"]
