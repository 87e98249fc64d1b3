"""Interactive API docs at /docs, self-hosted: no CDN, and no inline script (strict CSP)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
_SWAGGER_STATIC = Path(fastapi_offline.__file__).parent / "static"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — API</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/init.js"></script></body></html>"""

_INIT = """window.ui = SwaggerUIBundle({{
  url: "{openapi_url}", dom_id: "#swagger-ui", deepLinking: true,
  persistAuthorization: true, displayRequestDuration: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"
}});"""


def mount_docs(app: FastAPI, openapi_url: str) -> None:
    """Serve Swagger UI 5 from the package's own copy of its files."""
    page = _PAGE.format(title=app.title, assets=ASSETS)
    init = _INIT.format(openapi_url=openapi_url)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(f"{ASSETS}/init.js", include_in_schema=False)
    async def docs_init() -> Response:
        return Response(init, media_type="text/javascript")

    app.mount(ASSETS, StaticFiles(directory=_SWAGGER_STATIC), name="docs-assets")
