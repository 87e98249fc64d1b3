"""Prometheus metrics, correct with several uvicorn workers.

Counters and histograms live in each worker; with `PROMETHEUS_MULTIPROC_DIR` set (as
`erp serve` does for several workers) `/metrics` adds them up across workers. Gauges that
describe the database (outbox backlog, deliveries, low stock) are read at scrape time, so
any worker gives the same answer. The connection-pool gauges are per worker: each worker
keeps its own current from its pool's events, and a scrape sums the live workers'
("livesum"), forgetting workers that have exited.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from erp_engine.api.deps import get_principal
from erp_engine.errors import ForbiddenError
from erp_engine.events.repository import OutboxRepository
from erp_engine.insights.model import Alert, AlertStatus
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.roles import Role
from erp_engine.webhooks.model import WebhookDelivery

REQUESTS = Counter("erp_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "erp_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DOCUMENT_ACTIONS = Counter(
    "erp_document_actions_total", "Document workflow actions", ["type", "action"]
)
STOCK_MOVES = Counter("erp_stock_moves_total", "Ledger moves written", ["reason"])
DB_POOL_IN_USE = Gauge(
    "erp_db_pool_connections_in_use",
    "Database connections checked out",
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge("erp_db_pool_size", "Database pool size", multiprocess_mode="livesum")
# Written by whoever runs the relay and the webhook dispatcher: `erp outbox-relay` (served on
# RELAY_METRICS_ADDRESS) or, with RELAY_IN_SERVER, the server's workers.
EVENTS_PUBLISHED = Counter("erp_outbox_published_total", "Events published to NATS JetStream")
RELAY_CONNECTED = Gauge(
    "erp_relay_nats_connected",
    "1 while the relay is connected to NATS",
    multiprocess_mode="livemax",
)
WEBHOOK_ATTEMPTS = Counter(
    "erp_webhook_attempts_total",
    "Webhook delivery attempts by result: succeeded, retrying (will be retried), failed (gave up)",
    ["result"],
)
PRUNED = Counter("erp_retention_pruned_total", "Rows removed by retention", ["table"])
RATE_LIMIT_STORAGE_ERRORS = Counter(
    "erp_rate_limit_storage_errors_total",
    "Failures of the shared rate-limit storage (Redis); limits then count in worker memory",
)
_TRACKED_POOLS: weakref.WeakSet = weakref.WeakSet()


def track_pool(engine: AsyncEngine) -> None:
    """Keep this worker's pool gauges current from the pool's own events (once per pool)."""
    pool = engine.sync_engine.pool
    if not hasattr(pool, "checkedout") or pool in _TRACKED_POOLS:
        return
    _TRACKED_POOLS.add(pool)

    def checked_out(*_) -> None:
        DB_POOL_IN_USE.set(pool.checkedout())

    def checked_in(*_) -> None:
        # The pool fires "checkin" before it takes the connection back.
        DB_POOL_IN_USE.set(max(pool.checkedout() - 1, 0))

    event.listen(pool, "checkout", checked_out)
    event.listen(pool, "checkin", checked_in)
    DB_POOL_SIZE.set(pool.size())
    DB_POOL_IN_USE.set(pool.checkedout())


def serve_relay_metrics(address: str) -> None:
    """Serve this process's metrics at http://<address>/metrics, for `erp outbox-relay`.

    Raises:
        ValueError: the address is not host:port.
        OSError: the port is taken (another relay on this host, say).
    """
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"RELAY_METRICS_ADDRESS must be host:port, not {address!r}")
    start_http_server(int(port), addr=host.strip("[]"))


def _multiprocess_dir() -> Path | None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(directory) if directory else None


def _forget_dead_workers(directory: Path) -> None:
    """Drop the live gauges of workers that are gone (killed, or restarted by uvicorn)."""
    for path in directory.glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, str(directory))
        except PermissionError:
            pass  # alive, as another user


@contextlib.asynccontextmanager
async def _worker_gauges(app: FastAPI) -> AsyncIterator[None]:
    """Each worker reports its pool from the start; its live gauges leave with it."""
    track_pool(app.state.db_engine)
    yield
    if directory := _multiprocess_dir():
        multiprocess.mark_process_dead(os.getpid(), str(directory))


router = APIRouter(tags=["health"], lifespan=_worker_gauges)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def document_action(kind: str, action: str) -> None:
    DOCUMENT_ACTIONS.labels(kind, action).inc()


def rate_limit_storage_failed() -> None:
    RATE_LIMIT_STORAGE_ERRORS.inc()


def stock_moves(reason: str, count: int) -> None:
    if count:
        STOCK_MOVES.labels(reason).inc(count)


def relay_connected(connected: bool) -> None:
    RELAY_CONNECTED.set(1 if connected else 0)


def events_published(count: int) -> None:
    EVENTS_PUBLISHED.inc(count)


def webhook_attempt(result: str) -> None:
    WEBHOOK_ATTEMPTS.labels(result).inc()


def pruned(table: str, count: int) -> None:
    if count:
        PRUNED.labels(table).inc(count)


class _DatabaseGauges:
    """A one-scrape collector for values read from the database just before."""

    def __init__(self, values: dict[str, tuple[str, list[tuple[dict, float]]]]):
        self.values = values

    def collect(self):
        for name, (help_text, samples) in self.values.items():
            labels = sorted(samples[0][0]) if samples and samples[0][0] else []
            family = GaugeMetricFamily(name, help_text, labels=labels)
            for sample_labels, value in samples:
                family.add_metric([sample_labels[k] for k in labels], value)
            yield family


async def _database_gauges(request: Request) -> _DatabaseGauges:
    async with request.app.state.read_sessions() as session:
        backlog, oldest = await OutboxRepository(session).backlog()
        deliveries = (
            await session.execute(
                select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
            )
        ).all()
        low_stock = await session.scalar(
            select(func.count()).select_from(Alert).where(Alert.status == AlertStatus.OPEN)
        )
    age = (utcnow() - oldest).total_seconds() if oldest else 0.0
    return _DatabaseGauges(
        {
            "erp_outbox_backlog": ("Events not yet published", [({}, float(backlog))]),
            "erp_outbox_oldest_age_seconds": ("Age of the oldest unpublished event", [({}, age)]),
            "erp_webhook_deliveries": (
                "Webhook deliveries by status",
                [({"status": s}, float(n)) for s, n in deliveries],
            ),
            "erp_low_stock_items": (
                "Items with an open low-stock alert",
                [({}, float(low_stock or 0))],
            ),
            # Without NATS_URL nothing publishes the outbox and its backlog only grows: the
            # backlog alert fires only where a relay is expected.
            "erp_outbox_relay_expected": (
                "1 when NATS_URL is set, so a relay should be publishing the outbox",
                [({}, 1.0 if request.app.state.settings.nats_url else 0.0)],
            ),
        }
    )


async def _metrics_reader(request: Request) -> None:
    """Public in development; in production only with METRICS_PUBLIC=true or an admin."""
    settings = request.app.state.settings
    if settings.is_production and not settings.metrics_public:
        principal: Principal = await get_principal(request, _bearer(request))
        if not principal.has(Role.ADMIN):
            raise ForbiddenError("Metrics need the admin role (or METRICS_PUBLIC=true).")


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, _: Annotated[None, Depends(_metrics_reader)]) -> Response:
    track_pool(request.app.state.db_engine)  # an app served without its lifespan (tests)
    registry = REGISTRY
    if directory := _multiprocess_dir():
        _forget_dead_workers(directory)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, str(directory))
    # Read for this scrape alone, in a registry of its own: concurrent scrapes never meet.
    scraped = CollectorRegistry()
    scraped.register(await _database_gauges(request))
    body = generate_latest(registry) + generate_latest(scraped)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
