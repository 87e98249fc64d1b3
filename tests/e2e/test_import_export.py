"""Spreadsheets in the browser: a dry run that names the bad row, a clean import, exports."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SPREADSHEETS, check_accessibility, login, screenshot
from tests.e2e.pages import ImportScreen, ItemsScreen, export

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_bad_row_shows_in_the_dry_run_and_a_clean_file_imports(page, tmp_path):
    login(page, "manager")
    screen = ImportScreen(page).open()
    screen.check(SPREADSHEETS / "items_bad_row.xlsx")

    expect(page.get_by_role("alert").filter(has_text="3 problem(s) in the file")).to_be_visible()
    row = screen.problems.get_by_role("row").filter(has_text="B4")
    expect(row).to_contain_text("Name")
    expect(row).to_contain_text("Required: a name (1–200 characters).")
    expect(screen.problems.get_by_role("row").filter(has_text="D4")).to_contain_text("got 'many'")
    expect(page.get_by_role("button", name="Import", exact=True)).to_have_count(0)
    screen.problems.scroll_into_view_if_needed()
    check_accessibility(page, "import preview")
    screenshot(page, "import-preview")

    sku = f"IMP-{uuid.uuid4().hex[:6].upper()}"
    clean = tmp_path / "items.csv"
    rows = [
        "SKU,Name,Unit cost,Reorder point",
        f"{sku}-1,가져온 품목 하나,1000,1",
        f"{sku}-2,가져온 품목 둘,2500.5,0",
    ]
    clean.write_text("\n".join(rows) + "\n", encoding="utf-8")
    screen.check(clean)
    expect(page.get_by_text("The file is ready to import")).to_be_visible()
    expect(page.get_by_test_id("import-created")).to_have_text("2")
    page.get_by_role("button", name="Import", exact=True).click()
    done = page.get_by_role("status").filter(has_text="Import finished: 2 created, 0 updated.")
    expect(done).to_be_visible()

    page.get_by_role("link", name="Open the items").click()
    expect(page.get_by_role("heading", name="Items", level=1)).to_be_visible()
    page.get_by_role("searchbox", name="Search").fill(sku)
    listed = page.get_by_role("table").first.locator("tbody tr")
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text("가져온 품목 하나")


def test_export_downloads_the_filtered_list_with_the_servers_name(page, tmp_path):
    login(page, "viewer")
    ItemsScreen(page).open("?q=LCD-24")
    expect(page.get_by_role("table").first.locator("tbody tr")).to_have_count(1)
    download = export(page, "CSV (.csv)")
    name = download.suggested_filename
    assert re.fullmatch(r"items-\d{8}-\d{6}\.csv", name), name
    download.save_as(tmp_path / "items.csv")
    text = (tmp_path / "items.csv").read_text(encoding="utf-8-sig")
    assert "LCD-24-FHD" in text
    assert "KBD-MECH-RED" not in text, "the export ignored the table's search"

    page.goto("/inbounds?status=committed")
    expect(page.get_by_role("heading", name="Inbounds", level=1)).to_be_visible()
    download = export(page, "Excel (.xlsx)")
    assert re.fullmatch(r"inbounds-\d{8}-\d{6}\.xlsx", download.suggested_filename)
    download.save_as(tmp_path / "inbounds.xlsx")
    assert (tmp_path / "inbounds.xlsx").read_bytes()[:2] == b"PK", "not an xlsx workbook"
