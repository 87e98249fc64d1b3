"""Logging in and out, creating items with field errors, barcode lookup, big tables."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, PHONE, check_accessibility, login, screenshot
from tests.e2e.pages import ItemsScreen

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_login_keeps_the_session_across_reloads_and_logout_ends_it(page, console):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="ERP Engine")).to_be_visible()
    check_accessibility(page, "login")
    screenshot(page, "login")

    console.allow(r"status of 401")  # the wrong password below
    page.get_by_label("Email").fill("admin@e2e.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not correct")

    # Keyboard only: the email field has focus, Tab moves on, Enter submits.
    page.reload()
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type("admin@e2e.test")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_test_id("engine-identity")).to_contain_text("erp-engine")
    expect(page.get_by_test_id("engine-identity")).to_contain_text("development")
    chart = page.get_by_role("img", name=re.compile(r"^Inbound and outbound, last 30 days: "))
    expect(chart).to_be_visible()
    expect(page.get_by_text(re.compile(r"^₩[\d,]+"))).to_be_visible()
    check_accessibility(page, "dashboard")
    screenshot(page, "dashboard")

    page.reload()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    page.get_by_role("button", name=re.compile("Account menu")).click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto("/items")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fitems"))


def test_create_an_item_shows_field_errors_then_opens_it(page, server, console):
    taken = server.api.item("Already here")
    console.allow(r"status of 409")  # the duplicate SKU
    login(page)
    items = ItemsScreen(page).open()
    check_accessibility(page, "items")
    screenshot(page, "items")

    items.create(sku=taken["sku"], name="Clash")
    dialog = page.get_by_role("dialog", name="New item")
    expect(dialog.get_by_text("Already taken.")).to_be_visible()
    expect(dialog.get_by_label("SKU")).to_have_attribute("aria-invalid", "true")
    check_accessibility(page, "new item form with a field error")
    dialog.get_by_label("Reorder point").fill("1.2345")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_text("At most 3 decimal places.")).to_be_visible()

    sku = f"NEW-{uuid.uuid4().hex[:6].upper()}"
    dialog.get_by_label("SKU").fill(sku)
    dialog.get_by_label("Reorder point").fill("2.5")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=sku, level=1)).to_be_visible()
    expect(page.get_by_text("Clash")).to_be_visible()
    expect(page.get_by_test_id("item-on-hand")).to_have_text("0")

    page.get_by_role("button", name="Edit").click()
    edit = page.get_by_role("dialog", name="Edit item")
    expect(edit.get_by_label("SKU")).to_have_value(sku)
    check_accessibility(page, "edit item form")
    edit.get_by_label("Name").fill("Clash, renamed")
    edit.get_by_role("button", name="Save").click()
    expect(edit).to_be_hidden()
    expect(page.get_by_text("Clash, renamed")).to_be_visible()


def test_a_scanned_barcode_opens_its_item(page, server):
    barcode = str(uuid.uuid4().int)[:13]
    item = server.api.item("Scanned thing", barcode=barcode)
    login(page)
    lookup = page.get_by_role("textbox", name="Barcode lookup")
    lookup.fill(barcode)
    lookup.press("Enter")
    expect(page.get_by_role("heading", name=item["sku"], level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(f"/items/{item['id']}$"))


def test_items_table_pages_sorts_and_filters_in_the_url(page):
    login(page)
    ItemsScreen(page).open("?limit=200")
    rows = page.get_by_role("table").first.locator("tbody tr")
    expect(rows).to_have_count(200)
    expect(page.get_by_text(re.compile(r"^1–200 of \d"))).to_be_visible()

    page.get_by_role("button", name="Name").click()
    expect(page).to_have_url(re.compile(r"sort=name"))
    page.get_by_role("searchbox", name="Search").fill("LCD-24")
    expect(page).to_have_url(re.compile(r"q=LCD-24"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("LCD-24-FHD")

    page.reload()
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("LCD-24")
    expect(rows).to_have_count(1)


def test_a_page_of_200_items_renders_every_row(page, server):
    """The largest page the API serves, chosen in the page-size selector the URL mirrors."""
    token = f"BULK{uuid.uuid4().hex[:6].upper()}"
    for number in range(1, 206):
        server.api.post("/api/v1/items", {"sku": f"{token}-{number:03d}", "name": f"Bulk {number}"})
    login(page)
    ItemsScreen(page).open(f"?q={token}&sort=sku")
    rows = page.get_by_role("table").first.locator("tbody tr")
    expect(rows).to_have_count(25)

    page.get_by_role("textbox", name="Rows per page").click()
    page.get_by_role("option", name="200 / page").click()
    expect(page).to_have_url(re.compile(r"[?&]limit=200(&|$)"))
    expect(rows).to_have_count(200)
    expect(rows.first).to_contain_text(f"{token}-001")
    expect(rows.last).to_contain_text(f"{token}-200")
    expect(page.get_by_text("1–200 of 205", exact=True)).to_be_visible()

    page.get_by_role("button", name="Page 2", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    expect(rows).to_have_count(5)
    expect(rows.last).to_contain_text(f"{token}-205")
    page.reload()
    expect(page.get_by_text("201–205 of 205", exact=True)).to_be_visible()
    expect(page.get_by_role("textbox", name="Rows per page")).to_have_value("200 / page")


def test_engines_screen_and_phone_width(new_page):
    page = new_page(viewport=PHONE)
    login(page)
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="Engines", exact=True).click()
    expect(page.get_by_role("heading", name="Engines", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="LCD", exact=True)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at phone width ({width}px)"
    check_accessibility(page, "engines (phone)")
    screenshot(page, "engines-phone")
