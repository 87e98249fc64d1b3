"""Alerts, the audit log, users and API keys: who sees them, and the key shown only once."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, SPREADSHEETS, check_accessibility, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ADMIN_LINKS = ["Import", "Audit log", "Users", "API keys"]


def test_an_admin_manages_users_and_sees_a_new_api_key_only_once(page, server, console):
    console.allow(r"status of 422")  # the weak password below
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    login(page)
    nav = page.get_by_role("navigation", name="Main navigation")
    for name in ADMIN_LINKS:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()

    nav.get_by_role("link", name="Users", exact=True).click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="viewer@e2e.test")).to_contain_text("Viewer")
    check_accessibility(page, "users")
    screenshot(page, "users")

    email = f"new-{uuid.uuid4().hex[:6]}@e2e.test"
    page.get_by_role("button", name="New user").click()
    dialog = page.get_by_role("dialog", name="New user")
    dialog.get_by_label("Email").fill(email)
    dialog.get_by_label("Name").fill("Park New")
    dialog.get_by_label("Initial password").fill("short")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_text("Use at least 10 characters.")).to_be_visible()
    check_accessibility(page, "user form with a field error")
    dialog.get_by_label("Initial password").fill(PASSWORD + "-new")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("row").filter(has_text=email)).to_contain_text("Staff")

    nav.get_by_role("link", name="API keys", exact=True).click()
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    name = f"Scanner {uuid.uuid4().hex[:4]}"
    page.get_by_role("button", name="New API key").click()
    form = page.get_by_role("dialog", name="New API key")
    form.get_by_label("Name").fill(name)
    check_accessibility(page, "new API key form")
    form.get_by_role("button", name="Create key").click()

    shown = page.get_by_role("dialog", name=f"API key {name} created")
    expect(shown).to_contain_text("It will not be shown again")
    secret = shown.get_by_label("Secret key").input_value()
    assert secret.startswith("erp_")
    assert len(secret) > 40
    shown.get_by_role("button", name="Copy key").click()
    expect(shown.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    check_accessibility(page, "API key secret")
    screenshot(page, "api-key-secret")

    shown.get_by_role("button", name="I have stored the key").click()
    expect(shown).to_be_hidden()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text(secret[:12] + "…")
    expect(page.get_by_text(secret)).to_have_count(0)
    page.reload()
    expect(page.get_by_role("row").filter(has_text=name)).to_be_visible()
    assert secret not in page.content()

    # The key works as a bearer token until it is revoked.
    items = f"{server.url}/api/v1/items"
    as_key = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(items, headers=as_key, params={"limit": 1}).status_code == 200
    page.get_by_role("button", name=f"Revoke the key {name}").click()
    confirm = page.get_by_role("dialog", name=f"Revoke {name}?")
    expect(confirm.get_by_role("button", name="Revoke")).to_be_visible()
    check_accessibility(page, "revoke confirmation")
    confirm.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text(f"Key {name} revoked.")).to_be_visible()
    assert httpx.get(items, headers=as_key).status_code == 401


def test_a_viewer_sees_no_admin_screens(page):
    login(page, "viewer")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Low-stock alerts")).to_be_visible()
    for name in ADMIN_LINKS:
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(nav.get_by_text("Administration")).to_have_count(0)
    refused = page.get_by_role("heading", name="Not available for your role", level=1)
    for path in ("/users", "/api-keys", "/audit", "/import"):
        page.goto(path)
        expect(refused).to_be_visible()


def test_alerts_are_acknowledged_and_the_audit_log_names_the_change(page, server):
    item = server.api.item("Running low", reorder_point="5")
    server.api.receive(item["id"], "2")
    login(page)
    page.goto("/alerts")
    expect(page.get_by_role("heading", name="Low-stock alerts", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=item["sku"])
    expect(row).to_contain_text("Not acknowledged")
    check_accessibility(page, "alerts")
    screenshot(page, "alerts")
    row.get_by_role("button", name=f"Acknowledge the alert for {item['sku']}").click()
    expect(row).to_contain_text(re.compile(r"E2E Admin, "))

    page.goto(f"/audit?entity_id={item['id']}")
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    created = page.get_by_role("row").filter(has_text="item.created")
    expect(created).to_contain_text("E2E Admin")
    created.get_by_role("button", name=re.compile(r"^Details of item\.created")).click()
    details = page.get_by_role("dialog", name="Audit entry")
    expect(details.get_by_role("row").filter(has_text="reorder_point")).to_contain_text("5")
    check_accessibility(page, "audit entry")
    details.get_by_role("button", name="Close").click()
    check_accessibility(page, "audit log")
    screenshot(page, "audit")


def test_the_admin_screens_in_korean(page):
    login(page)
    page.get_by_text("한국어", exact=True).filter(visible=True).first.click()
    expect(page.get_by_role("heading", name="대시보드", level=1)).to_be_visible()
    for path, heading, name in [
        ("/alerts?status=all", "재고 부족 알림", "alerts-ko"),
        ("/audit", "감사 로그", "audit-ko"),
        ("/users", "사용자", "users-ko"),
        ("/api-keys?show=all", "API 키", "api-keys-ko"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.get_by_role("table").first.locator("tbody tr").first).to_be_visible()
        check_accessibility(page, f"{path} (ko)")
        screenshot(page, name)

    page.goto("/import")
    page.locator('input[type="file"]').set_input_files(str(SPREADSHEETS / "items_bad_row.xlsx"))
    page.get_by_role("button", name="파일 검사").click()
    problems = page.get_by_role("table", name="파일에 문제가 3건 있습니다")
    name_missing = problems.get_by_role("row").filter(has_text="B4")
    expect(name_missing).to_contain_text("필수: 품목명(1–200자)을 입력하세요.")
    expect(problems).not_to_contain_text("Required")
    problems.scroll_into_view_if_needed()
    check_accessibility(page, "import preview (ko)")
    screenshot(page, "import-preview-ko")
