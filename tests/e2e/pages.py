"""Page objects: what a person does on each screen, in terms of roles and labels."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import check_accessibility


class ItemsScreen:
    def __init__(self, page: Page):
        self.page = page

    def open(self, query: str = "") -> ItemsScreen:
        self.page.goto(f"/items{query}")
        expect(self.page.get_by_role("heading", name="Items", level=1)).to_be_visible()
        return self

    def create(self, *, sku: str, name: str, barcode: str = "", reorder_point: str = "0") -> None:
        self.page.get_by_role("button", name="New item").click()
        dialog = self.page.get_by_role("dialog", name="New item")
        dialog.get_by_label("SKU").fill(sku)
        dialog.get_by_label("Name").fill(name)
        if barcode:
            dialog.get_by_label("Barcode").fill(barcode)
        dialog.get_by_label("Reorder point").fill(reorder_point)
        dialog.get_by_role("button", name="Save").click()


class DocumentScreen:
    """An inbound or outbound: the form, the detail page and its workflow buttons."""

    def __init__(self, page: Page, kind: str):
        self.page = page
        self.kind = kind

    def open(self, document_id: str) -> DocumentScreen:
        self.page.goto(f"/{self.kind}s/{document_id}")
        expect(self.page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^(IN|OUT)-\d+"))
        return self

    def start_new(self) -> None:
        self.page.goto(f"/{self.kind}s/new")
        expect(self.page.get_by_role("heading", name=f"New {self.kind}", level=1)).to_be_visible()

    def fill_line(self, index: int, search: str, option: str, quantity: str) -> None:
        picker = self.page.get_by_role("textbox", name=f"Item, line {index}")
        picker.click()
        picker.fill(search)
        self.page.get_by_role("option", name=re.compile(re.escape(option))).click()
        self.page.get_by_role("textbox", name=f"Quantity, line {index}").fill(quantity)

    def submit_draft(self) -> None:
        self.page.get_by_role("button", name="Create draft").click()
        expect(self.status).to_have_text("Draft")

    @property
    def status(self):
        return self.page.get_by_test_id("document-status")

    def run(self, action: str, reason: str | None = None, *, check: str | None = None) -> None:
        """Click `action` and confirm it; `check` names the confirmation for an axe check."""
        self.page.get_by_role("button", name=action, exact=True).click()
        dialog = self.page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        if check:
            check_accessibility(self.page, check)
        if reason is not None:
            dialog.get_by_label("Reason").fill(reason)
        dialog.get_by_role("button", name=action, exact=True).click()
        expect(dialog).to_be_hidden()

    def action_buttons(self):
        names = ["Approve", "Commit", "Reopen", "Reverse", "Cancel document", "Edit"]
        return {name: self.page.get_by_role("button", name=name, exact=True) for name in names}


class ImportScreen:
    """Upload a spreadsheet, check it (a dry run), then import it."""

    def __init__(self, page: Page):
        self.page = page

    def open(self) -> ImportScreen:
        self.page.goto("/import")
        expect(self.page.get_by_role("heading", name="Import", level=1)).to_be_visible()
        return self

    def check(self, path) -> None:
        self.page.locator('input[type="file"]').set_input_files(str(path))
        self.page.get_by_role("button", name="Check file").click()

    @property
    def problems(self):
        return self.page.get_by_role("table", name=re.compile(r"problem\(s\) in the file$"))


def export(page: Page, label: str):
    """Choose `label` in the screen's Export menu and return the download it starts."""
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("menuitem", name=label).click()
    return download.value
