"""Structured logs: JSON in production, readable in development, one line per request.

No line shows a credential: whatever a renderer writes (message, fields, traceback) passes
through `redact`, and tracebacks are plain text without local variables, so a URL cannot
be split over wrapped lines or shown piecemeal as a `netloc` local.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable

import structlog
from sqlalchemy.exc import StatementError

from erp_engine.ops.failures import describe
from erp_engine.settings import Settings

access_log = structlog.get_logger("erp_engine.access")

# scheme://user:password@host or scheme://token@host (NATS and Redis take tokens that way),
# and a bare user:password@host, as a library's message may quote a URL's netloc.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.\-]*://)(?P<userinfo>[^@/\s'\"]+)@", re.I)
_NETLOC_PASSWORD = re.compile(r"(?P<user>(?<![\w/:])[\w.~%+\-]+:)[^@/\s'\"]+@(?=[\w\[])")
_SECRET_PARAMETER = re.compile(r"(?P<name>\b(?:password|passwd|pwd|token|secret)=)[^&\s'\"]+", re.I)
MAX_ERROR_TEXT = 300


def _mask_userinfo(match: re.Match[str]) -> str:
    user, colon, _ = match["userinfo"].partition(":")
    return f"{match['scheme']}{user + ':***' if colon else '***'}@"


def redact(text: str) -> str:
    """`text` with every URL's password (or token) and `password=` parameter masked."""
    text = _URL_USERINFO.sub(_mask_userinfo, text)
    return _SECRET_PARAMETER.sub(r"\g<name>***", _NETLOC_PASSWORD.sub(r"\g<user>***@", text))


def error_text(error: BaseException | str) -> str:
    """One line naming an error: its type and redacted message, never SQL or parameters."""
    if isinstance(error, str):
        return redact(error)
    if isinstance(error, StatementError):
        return describe(error)
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return redact(text)[:MAX_ERROR_TEXT]


class OutageLog:
    """A failing dependency in a few lines however long it stays down: a warning when it
    starts failing, a reminder every `remind_s` while it keeps failing, a line when it
    works again. A retry loop that logged each attempt would write two lines a second."""

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        remind_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.logger, self.what, self.remind_s, self.clock = logger, what, remind_s, clock
        self.since: float | None = None
        self.reminded_at = 0.0
        self.errors = 0

    @property
    def failing(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException | str) -> None:
        now = self.clock()
        self.errors += 1
        if self.since is None:
            self.since = self.reminded_at = now
            self.logger.warning("%s failing (%s); retrying", self.what, error_text(error))
        elif now - self.reminded_at >= self.remind_s:
            self.reminded_at = now
            self.logger.warning(
                "%s still failing after %.0f s (%d errors; last: %s)",
                self.what,
                now - self.since,
                self.errors,
                error_text(error),
            )

    def recovered(self) -> None:
        if self.since is not None:
            self.logger.warning(
                "%s working again after %.0f s (%d errors)",
                self.what,
                self.clock() - self.since,
                self.errors,
            )
            self.since, self.errors = None, 0


def json_logs(settings: Settings) -> bool:
    """JSON when LOG_FORMAT=json, or in production unless LOG_FORMAT says otherwise."""
    if settings.log_format:
        return settings.log_format.lower() == "json"
    return settings.is_production


def configure_logging(settings: Settings) -> None:
    """Route stdlib and structlog records through one renderer (called by create_app)."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if json_logs(settings):
        formatting = [structlog.processors.format_exc_info]
        renderer = structlog.processors.JSONRenderer()
    else:
        formatting = []
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )

    def render_redacted(logger, name: str, event_dict) -> str:
        return redact(renderer(logger, name, event_dict))

    structlog.configure(
        # filter_by_level first: an access line below LOG_LEVEL is dropped before its
        # timestamp and context are built (a twentieth of a small request's CPU).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *formatting,
                render_redacted,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our access line replaces it
