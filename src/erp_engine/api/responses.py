"""Small response helpers shared by the routers."""

from __future__ import annotations

from fastapi import Response


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def created(response: Response, location: str, version: int | None = None) -> None:
    response.headers["Location"] = location
    if version is not None:
        set_etag(response, version)
