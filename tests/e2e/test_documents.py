"""Receiving and shipping through the document workflow, as a manager and as a viewer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_accessibility, login, screenshot
from tests.e2e.pages import DocumentScreen

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_receiving_an_item_raises_its_on_hand(page, server):
    item = server.api.item("Receivable widget")
    login(page)
    inbound = DocumentScreen(page, "inbound")
    inbound.start_new()
    page.get_by_label("Supplier").fill("(주)한빛전자")
    inbound.fill_line(1, item["sku"], item["sku"], "12.5")
    expect(page.get_by_test_id("lines-total")).to_contain_text("12.5")
    check_accessibility(page, "inbound form")
    screenshot(page, "inbound-form")
    inbound.submit_draft()

    inbound.run("Approve", check="approve confirmation")
    expect(inbound.status).to_have_text("Approved")
    inbound.run("Commit", check="commit confirmation")
    expect(inbound.status).to_have_text("Committed")
    expect(page.get_by_text("Approved → Committed")).to_be_visible()
    expect(page.get_by_role("button", name="Reverse")).to_be_visible()
    check_accessibility(page, "inbound detail")
    screenshot(page, "inbound-detail")

    page.get_by_role("link", name=item["sku"]).click()
    expect(page.get_by_role("heading", name=item["sku"], level=1)).to_be_visible()
    expect(page.get_by_test_id("item-on-hand")).to_have_text("12.5")
    expect(page.get_by_role("cell", name=re.compile(r"^\+12\.5$"))).to_be_visible()


def test_an_outbound_above_stock_shows_the_short_line(page, server, console):
    plenty = server.api.item("Plenty")
    scarce = server.api.item("Scarce")
    server.api.receive(plenty["id"], "10")
    server.api.receive(scarce["id"], "2")
    outbound = server.api.document(
        "outbound", [(plenty["id"], "3"), (scarce["id"], "5")], partner="서울컴퓨터"
    )

    console.allow(r"status of 409")  # the refused approval
    login(page)
    screen = DocumentScreen(page, "outbound").open(outbound["id"])
    screen.run("Approve")
    alert = page.get_by_role("alert").filter(has_text="Not enough stock")
    expect(alert).to_contain_text(f"Line 2 ({scarce['sku']}): requested 5, available 2")
    short_rows = page.locator("tr[data-short]")
    expect(short_rows).to_have_count(1)
    expect(short_rows).to_contain_text(scarce["sku"])
    expect(short_rows).to_contain_text("Requested 5, available 2")
    expect(screen.status).to_have_text("Draft")
    check_accessibility(page, "outbound with short line")
    screenshot(page, "outbound-short-line")


def test_cancel_asks_for_a_reason_and_the_timeline_keeps_it(page, server):
    item = server.api.item("Cancellable")
    inbound = server.api.document("inbound", [(item["id"], "1")])
    login(page)
    screen = DocumentScreen(page, "inbound").open(inbound["id"])
    screen.run("Cancel document", reason="Supplier withdrew the order", check="cancel confirmation")
    expect(screen.status).to_have_text("Cancelled")
    expect(page.get_by_text("“Supplier withdrew the order”")).to_be_visible()
    for button in screen.action_buttons().values():
        expect(button).to_have_count(0)


def test_a_viewer_sees_no_action_buttons(page, server):
    item = server.api.item("Viewed only")
    draft = server.api.document("inbound", [(item["id"], "4")])
    login(page, "viewer")
    screen = DocumentScreen(page, "inbound").open(draft["id"])
    expect(screen.status).to_have_text("Draft")
    expect(page.get_by_role("cell", name=item["sku"])).to_be_visible()
    for name, button in screen.action_buttons().items():
        expect(button, f"{name} must not show for a viewer").to_have_count(0)
    page.goto("/inbounds")
    expect(page.get_by_role("heading", name="Inbounds", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="New inbound")).to_have_count(0)
    page.goto("/items")
    expect(page.get_by_role("heading", name="Items", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="New item")).to_have_count(0)


def test_document_lists_have_status_tabs(page, server):
    item = server.api.item("Listed")
    draft = server.api.document("outbound", [(item["id"], "1")], partner="Tab test")
    login(page)
    page.goto("/outbounds")
    page.get_by_role("tab", name="Draft").click()
    expect(page).to_have_url(re.compile(r"status=draft"))
    expect(page.get_by_role("link", name=draft["number"])).to_be_visible()
    page.get_by_role("tab", name="Committed").click()
    expect(page.get_by_role("link", name=draft["number"])).to_have_count(0)
    check_accessibility(page, "outbounds list")
    screenshot(page, "outbounds")
