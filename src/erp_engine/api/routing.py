"""A router whose every path also answers with the other trailing-slash form, no redirect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter


class SlashRouter(APIRouter):
    def add_api_route(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().add_api_route(path, endpoint, **kwargs)
        twin = path[:-1] if path.endswith("/") else f"{path}/"
        if twin and twin != path:
            twin_kwargs = {**kwargs, "include_in_schema": False}
            if twin_kwargs.get("operation_id"):
                twin_kwargs["operation_id"] = f"{twin_kwargs['operation_id']}_slash"
            super().add_api_route(twin, endpoint, **twin_kwargs)
