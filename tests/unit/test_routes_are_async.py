"""Every endpoint and dependency is a coroutine: FastAPI runs plain `def` ones in its thread
pool, a hand-off to another thread (and back) on every request that uses them."""

from __future__ import annotations

import inspect

from fastapi.dependencies.models import Dependant

from erp_engine.api.app import create_app
from erp_engine.settings import Settings


def _is_async(call) -> bool:
    # Instances (OAuth2PasswordBearer and the like) are called through their __call__.
    method = call if inspect.isfunction(call) or inspect.ismethod(call) else type(call).__call__
    return inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method)


def _sync_dependencies(dependant: Dependant) -> set[str]:
    found = set()
    for dependency in dependant.dependencies:
        call = dependency.call
        if call is not None and not _is_async(call):
            found.add(getattr(call, "__qualname__", repr(call)))
        found |= _sync_dependencies(dependency)
    return found


def _routes(router, seen: set[int]):
    if id(router) in seen:
        return
    seen.add(id(router))
    for route in getattr(router, "routes", None) or []:
        if hasattr(route, "dependant"):
            yield route
        for inner in ("router", "app", "original_router"):
            if hasattr(route, inner):
                yield from _routes(getattr(route, inner), seen)


def test_no_endpoint_or_dependency_runs_in_the_thread_pool(tmp_path):
    app = create_app(Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db"))
    routes = list(_routes(app.router, set()))
    assert len(routes) > 100
    sync_endpoints = {route.path for route in routes if not _is_async(route.endpoint)}
    sync_dependencies = set().union(*(_sync_dependencies(route.dependant) for route in routes))
    assert (sync_endpoints, sync_dependencies) == (set(), set())
