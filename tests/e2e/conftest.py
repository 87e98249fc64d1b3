"""The built web UI in headless Chromium against a live `erp serve` on a fresh database.

One server per test session (all e2e tests share an xdist group), seeded through the CLI
(migrate, users, demo data) and the HTTP API; every test gets its own browser context and
fails when the page logs a console error it did not expect.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
WEB_DIST = REPO / "web" / "dist"
AXE_JS = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
SPREADSHEETS = REPO / "tests" / "fixtures" / "spreadsheets"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "e2e-correct-horse-42"
USERS = {
    "admin": ("admin@e2e.test", "E2E Admin", "admin"),
    "manager": ("manager@e2e.test", "E2E Manager", "manager"),
    "viewer": ("viewer@e2e.test", "E2E Viewer", "viewer"),
}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Where screenshots go: var/ (ignored by git) by default, docs/screenshots for `make screenshots`.
SCREENSHOT_DIR = Path(os.environ.get("E2E_SCREENSHOT_DIR") or REPO / "var" / "e2e-screenshots")


def _erp(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "erp_engine", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"erp {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class SeedApi:
    """Seeds data through the HTTP API as the admin, the way any client would."""

    url: str
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, timeout=30)
        email = USERS["admin"][0]
        token = self.post("/api/v1/auth/login", {"email": email, "password": PASSWORD})
        self.client.headers["Authorization"] = f"Bearer {token['access_token']}"

    def post(self, path: str, body: dict | None = None, expect: int | None = None) -> dict:
        response = self.client.post(path, json=body)
        if expect is not None:
            assert response.status_code == expect, response.text
        else:
            assert response.is_success, response.text
        return response.json() if response.content else {}

    def get(self, path: str, **params) -> dict:
        response = self.client.get(path, params=params)
        assert response.is_success, response.text
        return response.json()

    def warehouse_id(self, code: str = "MAIN") -> str:
        rows = self.get("/api/v1/warehouses", q=code, limit=10)["data"]
        return next(row["id"] for row in rows if row["code"] == code)

    def item(self, name: str, *, barcode: str | None = None, reorder_point: str = "0") -> dict:
        sku = f"E2E-{uuid.uuid4().hex[:8].upper()}"
        body = {"sku": sku, "name": name, "barcode": barcode, "reorder_point": reorder_point}
        return self.post("/api/v1/items", body)

    def document(self, kind: str, lines: list[tuple[str, str]], **header) -> dict:
        body = {
            "warehouse_id": self.warehouse_id(),
            "lines": [{"item_id": item_id, "quantity": qty} for item_id, qty in lines],
            **header,
        }
        return self.post(f"/api/v1/{kind}s", body)

    def receive(self, item_id: str, quantity: str) -> dict:
        doc = self.document("inbound", [(item_id, quantity)], partner="E2E Supplier")
        for action in ("approve", "commit"):
            doc = self.post(f"/api/v1/inbounds/{doc['id']}/{action}")
        return doc


@dataclass
class Server:
    url: str
    api: SeedApi
    log: Path


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail("web/dist is not built: run `make web` (make test does) before the e2e tests")
    tmp = tmp_path_factory.mktemp("e2e")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REDIS_", "NATS_", "DATABASE_", "RATE_LIMIT_"))
    }
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp / 'e2e.db'}",
        WEB_DIST=str(WEB_DIST),
        ENGINE_ENV="development",
        LOG_LEVEL="WARNING",
        # A browser test logs in often from one address; the limiter has its own tests.
        RATE_LIMIT_ENABLED="false",
    )
    _erp("migrate", env=env)
    creating = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "erp_engine",
                "user",
                "create",
                "--email",
                email,
                "--name",
                name,
                "--role",
                role,
                "--password",
                PASSWORD,
            ],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for email, name, role in USERS.values()
    ]
    for process in creating:
        output, _ = process.communicate(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"erp user create failed:\n{output}")
    # The original system's engines and items, plus enough items for a 200-row page.
    _erp("demo", "--items", "210", env=env)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    with log.open("w") as out:
        serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(
            [sys.executable, "-m", "erp_engine", *serve],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"erp serve did not come up:\n{log.read_text()}")
            time.sleep(0.1)
        yield Server(url=url, api=SeedApi(url), log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleGuard:
    """Collects console errors and uncaught exceptions; a test allows the ones it provokes."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def console() -> ConsoleGuard:
    return ConsoleGuard()


def _new_page(browser, server: Server, console: ConsoleGuard, **options):
    context = browser.new_context(base_url=server.url, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console.errors.append(f"pageerror: {error}"))
    return context, page


@pytest.fixture
def new_page(browser, server, console):
    """Open more pages (another viewport, another language) that the console guard watches."""
    contexts = []

    def open_page(viewport=DESKTOP, locale="en-US"):
        context, page = _new_page(browser, server, console, viewport=viewport, locale=locale)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not console.unexpected(), f"console errors: {console.unexpected()}"


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, role: str = "admin") -> None:
    email = USERS[role][0]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Dashboard", level=1).wait_for()


AXE_VIOLATIONS = """async ([context, impacts]) => {
    // A dialog that is still fading in would show as low contrast: let it settle first.
    await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)));
    const result = await axe.run(context, {resultTypes: ['violations']});
    return result.violations
      .filter(v => impacts.includes(v.impact))
      .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3)
        .map(n => n.target.join(' ')).join(' | ')}`);
}"""
SCREEN_IMPACTS = ["serious", "critical"]
# Dialogs are small and all ours: a moderate violation in one (a second banner landmark, an
# unlabelled region) is fixed, not tolerated.
DIALOG_IMPACTS = ["moderate", *SCREEN_IMPACTS]


def check_accessibility(page, screen: str) -> None:
    """axe-core (from npm's axe-core package): no serious or critical violations on the screen,
    and none from moderate up in an open dialog (forms, confirmations, the API key secret)."""
    if not AXE_JS.is_file():
        pytest.fail("web/node_modules/axe-core is missing: run `npm ci` in web/")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    violations = page.evaluate(AXE_VIOLATIONS, ["html", SCREEN_IMPACTS])
    dialogs = page.get_by_role("dialog")
    for index in range(dialogs.count()):
        dialog = dialogs.nth(index)
        name = dialog.evaluate(
            "(element) => document.getElementById(element.getAttribute('aria-labelledby'))"
            "?.textContent ?? ''"
        )
        found = dialog.evaluate(
            f"(element, impacts) => ({AXE_VIOLATIONS})([element, impacts])", DIALOG_IMPACTS
        )
        violations += [f"dialog “{name}”: {violation}" for violation in found]
    assert not violations, f"{screen}: accessibility violations:\n" + "\n".join(violations)


def screenshot(page, name: str) -> None:
    """Save a screenshot of the current screen (docs/screenshots under `make screenshots`)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), animations="disabled")
