"""The built web UI (web/dist) at `/`: hashed assets cached for a year, SPA fallback to index."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Match, Route
from starlette.types import Scope

from erp_engine.settings import Settings

logger = logging.getLogger("erp_engine.web")

REPO_ROOT = Path(__file__).resolve().parents[3]
# First path segments that belong to the server, never to the UI: an unknown path under them
# stays a problem+json 404 instead of turning into index.html.
RESERVED = frozenset(
    {"api", "docs", "docs-assets", "redoc", "metrics", "healthz", "health", "livez", "readyz"}
)
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def web_dist_path(settings: Settings) -> Path:
    """`settings.web_dist`, resolved against the repository root when relative."""
    path = settings.web_dist
    return (path if path.is_absolute() else REPO_ROOT / path).resolve()


class _SpaRoute(Route):
    """Matches GET/HEAD outside the reserved prefixes, so API routing is left untouched."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        first = scope["path"].lstrip("/").split("/", 1)[0]
        if first in RESERVED:
            return Match.NONE, {}
        return super().matches(scope)


def mount_web_ui(app: FastAPI, settings: Settings) -> None:
    """Serve the built UI from `settings.web_dist` at `/`, if it has been built."""
    dist = web_dist_path(settings)
    index = dist / "index.html"
    if not index.is_file():
        logger.info("web UI not built (%s missing); serving the API only", index)
        return

    async def serve(request: Request) -> FileResponse:
        relative = request.path_params.get("path", "")
        candidate = (dist / relative).resolve()
        if relative and candidate.is_relative_to(dist) and candidate.is_file():
            hashed = candidate.parent.name == "assets"
            return FileResponse(
                candidate, headers={"Cache-Control": IMMUTABLE if hashed else REVALIDATE}
            )
        if relative.startswith("assets/"):
            # A stale hashed asset must not come back as HTML: the browser would try to run it.
            raise HTTPException(status_code=404, detail="No such asset.")
        return FileResponse(index, headers={"Cache-Control": REVALIDATE})

    app.router.routes.append(_SpaRoute("/{path:path}", serve, methods=["GET", "HEAD"]))
