"""Health, liveness and readiness probes (public)."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from erp_engine.db.migrate import current_revision, recorded_compatibility
from erp_engine.ops.engine_info import APP_NAME, APP_VERSION

router = APIRouter(tags=["health"])
PROBE_TIMEOUT_S = 3.0


async def _probe(request: Request) -> tuple[bool, dict]:
    app_state = request.app.state
    info = app_state.engine_info
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_S):
            async with app_state.db_engine.connect() as connection:
                info.schema = await current_revision(connection)
                if info.schema is not None and info.schema != info.expected_schema:
                    # Newer (a release rolled back from) or older: the record decides.
                    info.schema_compatible_with = await recorded_compatibility(
                        connection, info.schema
                    )
        database, healthy = "ok", True
    except TimeoutError:
        database, healthy = "timeout", False
    except Exception as error:
        database, healthy = f"error: {type(error).__name__}", False
    body = {
        "status": "healthy" if healthy else "unhealthy",
        "app": APP_NAME,
        "version": APP_VERSION,
        "database": database,
        "database_backend": app_state.db_engine.dialect.name,
        "engine": {
            "name": info.name,
            "commit": info.commit,
            "schema": info.schema,
            "env": info.env,
        },
        "schema_ok": info.schema_ok,
        "uptime_s": int(time.monotonic() - app_state.started_at),
    }
    return healthy, body


@router.get("/healthz", operation_id="healthz")
async def healthz(request: Request) -> JSONResponse:
    """200 when the database answers, 503 otherwise."""
    healthy, body = await _probe(request)
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/health", include_in_schema=False)
async def health(request: Request) -> JSONResponse:
    return await healthz(request)


@router.get("/livez", operation_id="livez")
async def livez() -> dict:
    """The process runs; never touches the database."""
    return {"status": "alive"}


@router.get("/readyz", operation_id="readyz")
async def readyz(request: Request) -> JSONResponse:
    """Like /healthz, but also 503 while this code cannot serve the database's schema (its
    own head, or a newer one that declares itself compatible: see EngineInfo.schema_ok)."""
    healthy, body = await _probe(request)
    ready = healthy and body["schema_ok"]
    return JSONResponse(
        {**body, "status": "ready" if ready else "not_ready"}, status_code=200 if ready else 503
    )
