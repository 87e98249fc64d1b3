"""The one place errors become RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from erp_engine.audit.service import record_event
from erp_engine.errors import DomainError, ForbiddenError, field_error
from erp_engine.uow import UnitOfWork

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("erp_engine.errors")

_STATUS_CODES = {
    400: ("validation_error", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not_found", "Not found"),
    405: ("validation_error", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Payload too large"),
    415: ("validation_error", "Unsupported media type"),
    422: ("validation_error", "Validation failed"),
    429: ("rate_limited", "Too many requests"),
    503: ("unavailable", "Service unavailable"),
}


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://erp-engine.dev/problems/{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        # Every entry has a code; one raised without its own says what the problem says.
        errors = [error if "code" in error else {**error, "code": code} for error in errors]
        body["errors"] = jsonable_encoder(errors, custom_encoder={Decimal: float})
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or (str(loc[0]) if loc else "")


def _validation_message(error: dict[str, Any]) -> str:
    if error.get("type") == "extra_forbidden":
        return "Unknown or read-only field."
    return str(error.get("msg", "Invalid value."))


async def _domain_error(request: Request, error: DomainError) -> JSONResponse:
    if isinstance(error, ForbiddenError):
        await _audit_refusal(request, error)
    return problem_response(
        error.status, error.code, error.title, error.detail, error.errors, headers=error.headers
    )


async def _audit_refusal(request: Request, error: ForbiddenError) -> None:
    """403s are part of the audit trail (who tried what), written on their own."""
    await record_event(
        UnitOfWork(request.app.state.write_sessions),
        "auth.forbidden",
        changes={"method": request.method, "path": request.url.path, "detail": error.detail},
    )


def _validation_params(error: dict[str, Any]) -> dict[str, Any]:
    """The limits Pydantic names in its message (`ge`, `max_length`, `expected`…), as JSON."""
    params = {}
    for key, value in (error.get("ctx") or {}).items():
        if isinstance(value, int | str) and not isinstance(value, bool):
            params[key] = value
        elif isinstance(value, bool | Decimal | float):
            params[key] = str(value)
    return params


async def _request_validation(_: Request, error: RequestValidationError) -> JSONResponse:
    # Pydantic's error types (`missing`, `greater_than_equal`, …) are stable and documented:
    # they are the entries' codes.
    errors = [
        field_error(
            _field_path(tuple(e.get("loc", ()))),
            str(e.get("type", "validation_error")),
            _validation_message(e),
            **_validation_params(e),
        )
        for e in error.errors()
    ]
    return problem_response(
        422,
        "validation_error",
        "Validation failed",
        "The request is not valid; see errors.",
        errors,
    )


async def _http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
    code, title = _STATUS_CODES.get(error.status_code, ("error", "Error"))
    detail = error.detail if isinstance(error.detail, str) else title
    return problem_response(error.status_code, code, title, detail, headers=error.headers)


async def _integrity_error(_: Request, error: IntegrityError) -> JSONResponse:
    # A constraint caught what the service's own checks missed (usually a race): say
    # conflict, never the SQL.
    logger.info("integrity error: %s", type(error.orig).__name__)
    return problem_response(409, "conflict", "Conflict", "The change conflicts with existing data.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
