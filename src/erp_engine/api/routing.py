"""A router whose every path also answers with the other trailing-slash form, no redirect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


class SlashRouter(APIRouter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The literal start of each route's path ("/items/export" of "/items/export", "/items"
        # of "/items/{item_id}"), with the router's prefix.
        self._literal_heads: set[str] = set()

    def add_api_route(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().add_api_route(path, endpoint, **kwargs)
        self._literal_heads.add((self.prefix + path).split("{", 1)[0].rstrip("/"))
        twin = path[:-1] if path.endswith("/") else f"{path}/"
        if twin and twin != path:
            twin_kwargs = {**kwargs, "include_in_schema": False}
            if twin_kwargs.get("operation_id"):
                twin_kwargs["operation_id"] = f"{twin_kwargs['operation_id']}_slash"
            super().add_api_route(twin, endpoint, **twin_kwargs)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # FastAPI asks every included router in turn, and each tries all its routes' regexes:
        # that was most of the CPU of a small request. A path that contains none of this
        # router's literal path starts as whole segments cannot match any of its routes.
        path = f"{scope['path']}/"
        if not any(f"{head}/" in path for head in self._literal_heads):
            return Match.NONE, {}
        return super().matches(scope)
