"""Stock screens, and the UI in Korean."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_accessibility, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.mark.parametrize(
    ("path", "heading", "name"),
    [
        ("/stock", "Stock levels", "stock"),
        ("/stock/moves", "Stock ledger", "ledger"),
        ("/stock/as-of?at=now", "Stock at a date", "stock-as-of"),
        ("/stock/adjustments", "Stock adjustments", "adjustments"),
        ("/stock/transfers", "Transfers", "transfers"),
    ],
)
def test_stock_screens_render_accessibly(page, path, heading, name):
    login(page)
    page.goto(path.replace("now", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    check_accessibility(page, name)
    screenshot(page, name)


def test_low_stock_filter_and_stock_at_a_past_date(page, server):
    item = server.api.item("Nearly out", reorder_point="5")
    server.api.receive(item["id"], "3")
    login(page)
    page.goto("/stock?low_stock=true")
    expect(page.get_by_role("checkbox", name="Low stock only")).to_be_checked()
    expect(page.get_by_role("link", name=item["sku"])).to_be_visible()

    page.goto("/stock/as-of?at=2000-01-01T00:00:00Z")
    expect(page.get_by_text("Nothing matches.")).to_be_visible()


def test_an_adjustment_sets_the_counted_quantity(page, server):
    item = server.api.item("Counted")
    server.api.receive(item["id"], "7")
    login(page)
    page.goto("/stock/adjustments")
    page.get_by_role("button", name="New adjustment").click()
    dialog = page.get_by_role("dialog", name="New adjustment")
    dialog.get_by_role("textbox", name="Warehouse").click()
    page.get_by_role("option", name=re.compile("^MAIN")).click()
    dialog.get_by_label("Reason").fill("Cycle count")
    picker = dialog.get_by_role("textbox", name="Item, line 1")
    picker.fill(item["sku"])
    page.get_by_role("option", name=re.compile(item["sku"])).click()
    dialog.get_by_role("textbox", name="Counted quantity, line 1").fill("4")
    check_accessibility(page, "adjustment form")
    dialog.get_by_role("button", name="Post adjustment").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"{item['sku']}: 7 → 4 (−3)")).to_be_visible()

    # The item's recent moves link each document: the count opens the adjustment's page.
    page.goto(f"/items/{item['id']}")
    moves = page.get_by_role("table", name="Recent stock moves")
    adjustment = moves.get_by_role("link", name=re.compile(r"^ADJ-"))
    number = adjustment.inner_text()
    expect(moves.get_by_role("link", name=re.compile(r"^IN-"))).to_be_visible()
    adjustment.click()
    expect(page.get_by_role("heading", name=number, level=1)).to_be_visible()
    expect(page.get_by_text("Cycle count")).to_be_visible()
    line = page.get_by_role("table", name="Lines").get_by_role("row").filter(has_text=item["sku"])
    expect(line).to_contain_text("7")
    expect(line).to_contain_text("−3")
    check_accessibility(page, "adjustment")


def test_switching_to_korean_translates_the_ui(page):
    login(page)
    page.get_by_text("한국어", exact=True).filter(visible=True).first.click()
    expect(page.get_by_role("heading", name="대시보드", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="품목", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("img", name=re.compile(r"^최근 30일 입출고: "))).to_be_visible()
    check_accessibility(page, "dashboard (ko)")
    screenshot(page, "dashboard-ko")
    page.get_by_role("link", name="품목", exact=True).click()
    expect(page.get_by_role("heading", name="품목", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="품목명")).to_be_visible()
    screenshot(page, "items-ko")
    page.reload()
    expect(page.get_by_role("heading", name="품목", level=1)).to_be_visible()


def test_a_browser_that_prefers_korean_gets_korean(new_page):
    page = new_page(locale="ko-KR")
    page.goto("/login")
    expect(page.get_by_role("button", name="로그인")).to_be_visible()
    expect(page.get_by_label("이메일")).to_be_visible()
