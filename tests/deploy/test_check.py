"""`erp check URL` for cron and monitors: one unwrapped line, exit 0 or 1, redirects once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

HEALTHY = {
    "status": "healthy",
    "database": "ok",
    "engine": {"commit": "abc1234", "schema": "119a596c6e98"},
    "schema_ok": True,
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/moved"):  # like nginx's http -> https redirect
            self._send(301, b"", location=self.path.replace("/moved", "", 1))
        elif self.path.startswith("/loop"):
            self._send(301, b"", location="/loop/again")
        elif self.path.startswith("/down"):
            body = {**HEALTHY, "status": "unhealthy", "database": "error: OSError"}
            self._send(503, json.dumps(body).encode())
        else:
            self._send(200, json.dumps(HEALTHY).encode())

    def _send(self, status: int, body: bytes, location: str | None = None) -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def _check(url: str) -> subprocess.CompletedProcess:
    # Piped, as under cron: that is where a Rich console wrapped the line at 80 columns.
    return subprocess.run(
        [sys.executable, "-m", "erp_engine", "check", url, "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_healthy_server_is_one_unwrapped_line_and_exit_0(server: str):
    long_path = "/" + "x" * 60 + "/healthz"
    result = _check(server + long_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith(f"healthy {server}{long_path} http=200 db=ok commit=abc1234")
    assert "schema_ok=True" in result.stdout


def test_a_redirect_is_followed_once(server: str):
    result = _check(f"{server}/moved/healthz")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith(f"healthy {server}/healthz http=200")


def test_a_second_redirect_is_reported(server: str):
    result = _check(f"{server}/loop/healthz")
    assert result.returncode == 1
    assert result.stdout == f"unhealthy {server}/loop/again: http=301 redirects to /loop/again\n"


def test_an_unhealthy_or_unreachable_server_exits_1(server: str):
    down = _check(f"{server}/down/healthz")
    assert down.returncode == 1
    assert down.stdout.startswith("unhealthy ")
    assert "db=error: OSError" in down.stdout
    closed = _check("http://127.0.0.1:9/healthz")
    assert closed.returncode == 1
    assert closed.stdout.startswith("unhealthy http://127.0.0.1:9/healthz: ConnectError")
    assert closed.stdout.count("\n") == 1
