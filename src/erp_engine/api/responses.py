"""Small response helpers shared by the routers."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Response


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def created(response: Response, location: str, version: int | None = None) -> None:
    response.headers["Location"] = location
    if version is not None:
        set_etag(response, version)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # as kernel.schema's quantities and money: a JSON number
    if isinstance(value, uuid.UUID):
        return str(value)  # asyncpg's own UUID class, which orjson does not take for one
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(content: Any) -> Response:
    """`content` (dicts, lists and the values rows hold) as JSON, byte for byte what the
    route's response model would write, without building or validating models.

    For hot lists answered from plain dicts: models built, validated again and serialised
    by FastAPI cost an items page a third of its CPU. The route keeps its `response_model`
    for the OpenAPI document; tests/unit/test_json_response.py holds the two writings equal.
    Times are written as pydantic writes them: UTC as "Z", microseconds only when present.
    """
    body = orjson.dumps(content, default=_json_default, option=orjson.OPT_UTC_Z)
    return Response(body, media_type="application/json")
