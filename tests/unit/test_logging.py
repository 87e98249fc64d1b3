"""Logs: JSON by default in production, never a credential, and an outage in a few lines."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from erp_engine.ops.logging import OutageLog, configure_logging, json_logs, redact
from erp_engine.settings import Settings

PASSWORD = "s3cretpw"
NATS_URL = f"nats://relayuser:{PASSWORD}@127.0.0.1:4222"
DATABASE_URL = f"postgresql+asyncpg://erp:{PASSWORD}@db.internal/erp"
REDIS_URL = f"redis://:{PASSWORD}@127.0.0.1:6379/0"


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def settings(monkeypatch, **env: str) -> Settings:
    for name in ("ENGINE_ENV", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ENGINE_ENV": "production"}, True),
        ({"ENGINE_ENV": "production", "LOG_FORMAT": "console"}, False),
        ({"ENGINE_ENV": "production", "LOG_FORMAT": "json"}, True),
        ({}, False),
        ({"LOG_FORMAT": "json"}, True),
        ({"LOG_FORMAT": "JSON"}, True),
    ],
)
def test_production_logs_json_unless_log_format_says_otherwise(monkeypatch, env, expected):
    assert json_logs(settings(monkeypatch, **env)) is expected


def test_a_production_server_writes_json_lines_by_default(monkeypatch, capsys, restore_logging):
    configure_logging(settings(monkeypatch, ENGINE_ENV="production"))
    logging.getLogger("erp_engine.test").warning("hello %s", "world")
    [line] = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert (record["event"], record["level"]) == ("hello world", "warning")


def _fail_with_a_url_in_scope():
    netloc = f"relayuser:{PASSWORD}@127.0.0.1:4222"  # what urlsplit leaves in a library's frame
    raise ConnectionRefusedError(f"cannot connect to {NATS_URL} ({netloc!r} refused)")


@pytest.mark.parametrize("log_format", ["console", "json"])
def test_no_log_line_shows_a_password(monkeypatch, capsys, restore_logging, log_format):
    configure_logging(settings(monkeypatch, LOG_FORMAT=log_format))
    library = logging.getLogger("nats.aio.client")
    try:
        _fail_with_a_url_in_scope()
    except ConnectionRefusedError as error:
        library.error("nats: encountered error", exc_info=error)
    logging.getLogger("erp_engine.test").warning("database at %s is down", DATABASE_URL)
    structlog.get_logger("erp_engine.test").warning("redis down", url=REDIS_URL)
    output = capsys.readouterr().err
    assert "Traceback" in output
    assert "_fail_with_a_url_in_scope" in output
    assert PASSWORD not in output
    assert "relayuser:***@127.0.0.1:4222" in output
    assert "erp:***@db.internal" in output
    assert "redis://:***@127.0.0.1" in output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (NATS_URL, "nats://relayuser:***@127.0.0.1:4222"),
        ("nats://s3cret-token@nats.internal:4222", "nats://***@nats.internal:4222"),
        (REDIS_URL, "redis://:***@127.0.0.1:6379/0"),
        ("postgresql://db/erp?user=erp&password=x1", "postgresql://db/erp?user=erp&password=***"),
        ("http://example.com/a@b and nats://127.0.0.1:4222", None),
    ],
)
def test_redact_masks_url_credentials_only(text, expected):
    assert redact(text) == (expected or text)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_is_logged_once_then_reminded_then_ended(caplog):
    clock = Clock()
    outage = OutageLog(logging.getLogger("erp_engine.test"), "relay: NATS", clock=clock)
    with caplog.at_level(logging.INFO, logger="erp_engine.test"):
        outage.recovered()  # nothing was failing: nothing to say
        for _ in range(600):  # two attempts a second for five minutes less a moment
            outage.failed(ConnectionRefusedError(f"connect to {NATS_URL} refused"))
            clock.now += 0.499
        clock.now = 300.0
        outage.failed(TimeoutError())
        clock.now = 312.0
        outage.recovered()
        outage.recovered()
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 3, lines
    assert lines[0].startswith("relay: NATS failing (ConnectionRefusedError: connect to nats://")
    assert "still failing after 300 s (601 errors; last: TimeoutError)" in lines[1]
    assert "working again after 312 s" in lines[2]
    assert all(PASSWORD not in line for line in lines)
