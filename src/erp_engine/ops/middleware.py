"""Pure ASGI middlewares: request ids, engine identity and security headers, body limits."""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from erp_engine.kernel.context import RequestInfo, current_actor, current_request
from erp_engine.kernel.principal import SYSTEM
from erp_engine.ops.engine_info import HEADER_NAMES as ENGINE_HEADER_NAMES
from erp_engine.ops.engine_info import EngineInfo
from erp_engine.ops.failures import database_unavailable, describe
from erp_engine.ops.logging import access_log
from erp_engine.ops.metrics import observe_request

logger = logging.getLogger("erp_engine.errors")
QUIET_ROUTES = frozenset({"/livez", "/readyz", "/healthz", "/metrics"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_BASE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
_CSP, _HSTS = CONTENT_SECURITY_POLICY.encode(), HSTS.encode()
# Response headers ours replace whatever the app set.
_REPLACED = frozenset(
    {
        b"server",
        b"x-request-id",
        b"strict-transport-security",
        *(name for name, _ in _BASE_HEADERS),
        *ENGINE_HEADER_NAMES,
    }
)


def _networks(addresses: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(a, strict=False) for a in addresses]


def _trusted(address: str | None, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(scope: Scope, trusted) -> str | None:
    """The real client: the peer, or from a trusted proxy the nearest untrusted forwarded hop."""
    peer = (scope.get("client") or (None,))[0]
    if not _trusted(peer, trusted):
        return peer
    forwarded = [hop.strip() for hop in (_header(scope, b"x-forwarded-for") or "").split(",")]
    for hop in reversed([h for h in forwarded if h]):
        if not _trusted(hop, trusted):
            return hop
    return peer


class RequestContextMiddleware:
    """Every response gets `X-Request-ID`, the `X-Engine-*` headers and security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        engine_info: EngineInfo,
        engine_headers: bool,
        trusted_proxies: list[str],
    ):
        self.app = app
        self.engine_info = engine_info
        self.engine_headers = engine_headers
        self.trusted = _networks(trusted_proxies)

    def _https(self, scope: Scope) -> bool:
        if scope.get("scheme") == "https":
            return True
        peer = (scope.get("client") or (None,))[0]
        return _trusted(peer, self.trusted) and _header(scope, b"x-forwarded-proto") == "https"

    def _headers(self, raw, request_id: str, *, https: bool, is_api: bool) -> list:
        """The response's headers with ours: the request id, the security and engine headers
        (replacing the app's), a CSP and, on the API, `no-store` unless the app set its own;
        never `server`. One pass over raw (lower-case, as ASGI has them) header pairs:
        Starlette's MutableHeaders rescanned the list for each of the dozen headers set."""
        present = {name for name, _ in raw}
        headers = [(name, value) for name, value in raw if name not in _REPLACED]
        headers.append((b"x-request-id", request_id.encode("latin-1")))
        headers += _BASE_HEADERS
        if b"content-security-policy" not in present:
            headers.append((b"content-security-policy", _CSP))
        if https:
            headers.append((b"strict-transport-security", _HSTS))
        if self.engine_headers:
            headers += self.engine_info.headers()
        if is_api and b"cache-control" not in present:
            headers.append((b"cache-control", b"no-store"))
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        current_request.set(
            RequestInfo(
                request_id, client_address(scope, self.trusted), _header(scope, b"user-agent")
            )
        )
        # Nobody is authenticated yet: a caller from an earlier request on the same context
        # must not be named as the actor of this one (e.g. of a failed login).
        current_actor.set(SYSTEM)
        is_api = scope["path"].startswith(("/api/", "/healthz", "/health", "/livez", "/readyz"))
        https = self._https(scope)
        started = False
        status = 500
        begun = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = self._headers(
                    message.get("headers", ()), request_id, https=https, is_api=is_api
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            # Starlette answers unhandled errors outside every user middleware, so its 500
            # would lack the request id and engine headers: answer it here instead.
            if started:
                raise
            # The type and request id find it; the traceback (which may quote SQL) only at
            # DEBUG, so logs never carry SQL or secrets by default.
            logger.debug("traceback", exc_info=error)
            if database_unavailable(error):
                logger.warning("database unavailable: %s", describe(error))
                await send_problem(
                    send_with_headers,
                    503,
                    "unavailable",
                    "Service unavailable",
                    "The database is not available right now; try again shortly.",
                    headers=[(b"retry-after", b"1")],
                )
                return
            logger.error("unhandled %s", describe(error))
            await send_problem(
                send_with_headers,
                500,
                "internal_error",
                "Internal server error",
                "Something went wrong on our side.",
            )
        finally:
            _record(scope, status, time.perf_counter() - begun, request_id)


def _record(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    """One access line and the request metrics, labelled by route template."""
    # FastAPI keeps the router-local route in scope["route"] ("/items/{item_id}"); the full
    # template with the router prefixes ("/api/v1/items/{item_id}") is in its route context.
    context = scope.get("fastapi", {}).get("effective_route_context")
    route = (
        getattr(context, "path_format", None)
        or getattr(scope.get("route"), "path", None)
        or "unmatched"
    )
    observe_request(scope["method"], route, status, seconds)
    principal = scope.get("state", {}).get("principal")
    level = "debug" if route in QUIET_ROUTES else "info"
    getattr(access_log, level)(
        "request",
        request_id=request_id,
        method=scope["method"],
        route=route,
        path=scope["path"],
        status=status,
        duration_ms=round(seconds * 1000, 2),
        principal=f"{principal.kind}:{principal.id}" if principal else None,
    )


class BodyTooLarge(HTTPException):
    """Raised while reading; an HTTPException so FastAPI's body parsing lets it through."""

    def __init__(self, detail: str):
        super().__init__(status_code=413, detail=detail)


async def send_problem(
    send: Send,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps(
        {
            "type": f"https://erp-engine.dev/problems/{code.replace('_', '-')}",
            "title": title,
            "status": status,
            "detail": detail,
            "code": code,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


MULTIPART_ROOM = 64 * 1024


class BodyLimitMiddleware:
    """413 for bodies over the limit, whether or not Content-Length tells the truth."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int):
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].rstrip("/").endswith("/import"):
            # The upload limit is on the file; its multipart envelope (boundary, part headers,
            # form fields) gets a little room on top, and the route checks the file itself.
            limit = self.max_upload + MULTIPART_ROOM
            detail = (
                f"The upload exceeds the limit of {self.max_upload / 2**20:g} MiB "
                f"({self.max_upload:,} bytes) per file."
            )
        else:
            limit = self.max_body
            detail = f"The request body exceeds the limit of {limit} bytes."
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await send_problem(send, 413, "payload_too_large", "Payload too large", detail)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(detail)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_problem(send, 413, "payload_too_large", "Payload too large", detail)
