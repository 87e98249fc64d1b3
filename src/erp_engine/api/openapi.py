"""The OpenAPI document, with the problem+json error shape declared on every operation."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "enum": [
                "validation_error",
                "not_found",
                "unauthorized",
                "forbidden",
                "conflict",
                "invalid_transition",
                "insufficient_stock",
                "precondition_failed",
                "idempotency_key_reused",
                "idempotency_in_flight",
                "idempotency_secret_withheld",
                "payload_too_large",
                "rate_limited",
                "unavailable",
                "internal_error",
            ],
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {
                        "type": "string",
                        "description": "Stable, snake_case: what is wrong with this field "
                        "(`taken`, `missing`, `greater_than_equal`, …); a client translates "
                        "this, not `message`",
                    },
                    "message": {"type": "string", "description": "The same, in English"},
                    "params": {
                        "type": "object",
                        "description": "The values `message` names (`max`, `available`, …)",
                        "additionalProperties": {
                            "anyOf": [{"type": "string"}, {"type": "integer"}]
                        },
                    },
                },
                "additionalProperties": True,
            },
        },
    },
    "additionalProperties": False,
}
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_ERRORS = {
    "401": "Missing, invalid or expired credentials",
    "403": "The caller's role may not do this",
    "404": "No such resource",
    "409": "Conflict with the current state",
    "412": "If-Match names an old version",
    "413": "Body too large",
    "422": "Invalid request",
    "429": "Rate limited; see Retry-After",
    "503": "Temporarily unavailable",
}


def _with_problems(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, description in _ERRORS.items():
                responses[status] = {"description": description, "content": _PROBLEM}
            responses["default"] = {"description": "Unexpected error", "content": _PROBLEM}
    return document


def install_openapi(app: FastAPI) -> None:
    """Generate the document once, on first request, with problem responses added."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _with_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi
