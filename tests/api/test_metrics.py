"""GET /metrics: Prometheus text whose counters move with requests, document actions and
stock moves, labelled by route template; gauges read from the database (outbox backlog).

Counters live in the test process and are shared by every app in it, so each test compares
a scrape after its requests with one before.
"""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from erp_engine.api.app import create_app
from erp_engine.events.model import OutboxEvent
from erp_engine.events.service import publish_pending
from erp_engine.kernel.roles import Role
from erp_engine.settings import Environment, Settings
from tests.api.test_conventions import assert_problem

Samples = dict[tuple[str, frozenset], float]
ITEM_ROUTE = "/api/v1/items/{item_id}"


async def scrape(client: httpx.AsyncClient, **kwargs) -> Samples:
    response = await client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def test_requests_are_counted_per_route_template_and_status(api, client):
    item = await api.item()
    before = await scrape(client)
    for _ in range(3):
        await api.ok("GET", f"/api/v1/items/{item['id']}")
    missing = await api.get("/api/v1/items/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    await api.ok("GET", "/api/v1/engines")
    await api.ok("GET", "/api/v1/engines")
    await api.ok("GET", "/api/engines")
    after = await scrape(client)

    requests = "erp_http_requests_total"
    assert moved(before, after, requests, method="GET", route=ITEM_ROUTE, status="200") == 3
    assert moved(before, after, requests, method="GET", route=ITEM_ROUTE, status="404") == 1
    assert moved(before, after, requests, method="GET", route="/api/v1/engines", status="200") == 2
    assert moved(before, after, requests, method="GET", route="/api/engines", status="200") == 1
    assert (
        moved(
            before, after, "erp_http_request_duration_seconds_count", method="GET", route=ITEM_ROUTE
        )
        == 4
    )
    # Ids never become label values (one series per route, not per resource).
    routes = {dict(labels).get("route") for _, labels in after}
    assert not any(item["id"] in (route or "") for route in routes)


async def test_document_actions_and_stock_moves_are_counted_after_commits(api, client):
    first, second = await api.item(), await api.item()
    warehouse = (await api.main_warehouse())["id"]
    before = await scrape(client)

    inbound = await api.document("inbound", warehouse, [(first["id"], 5), (second["id"], 7)])
    await api.act("inbound", inbound["id"], "approve")
    await api.act("inbound", inbound["id"], "commit")
    await api.ship(first["id"], 2)
    draft = await api.document("outbound", warehouse, [(first["id"], 1)])
    await api.act("outbound", draft["id"], "commit", status=409)  # not approved: no action
    await api.ok(
        "POST",
        "/api/v1/stock-adjustments",
        201,
        json={
            "warehouse_id": warehouse,
            "reason": "count",
            "lines": [
                {"item_id": first["id"], "counted_quantity": 1},
                {"item_id": second["id"], "counted_quantity": 7},
            ],
        },
    )  # one line differs
    after = await scrape(client)

    actions = "erp_document_actions_total"
    assert moved(before, after, actions, type="inbound", action="create") == 1
    assert moved(before, after, actions, type="inbound", action="approve") == 1
    assert moved(before, after, actions, type="inbound", action="commit") == 1
    assert moved(before, after, actions, type="outbound", action="create") == 2
    assert moved(before, after, actions, type="outbound", action="approve") == 1
    assert moved(before, after, actions, type="outbound", action="commit") == 1
    moves = "erp_stock_moves_total"
    assert moved(before, after, moves, reason="inbound") == 2
    assert moved(before, after, moves, reason="outbound") == 1
    assert moved(before, after, moves, reason="adjustment") == 1


class Collecting:
    def __init__(self):
        self.events: list[OutboxEvent] = []

    async def publish(self, event: OutboxEvent) -> None:
        self.events.append(event)


async def test_outbox_backlog_shows_unpublished_events(api, client, uow_factory):
    samples = await scrape(client)
    assert value(samples, "erp_outbox_backlog") == 0
    assert value(samples, "erp_outbox_oldest_age_seconds") == 0
    for _ in range(3):
        await api.item()
    samples = await scrape(client)
    assert value(samples, "erp_outbox_backlog") == 3
    assert value(samples, "erp_outbox_oldest_age_seconds") > 0

    broker = Collecting()
    assert await publish_pending(uow_factory(), broker, limit=2) == 2
    assert value(await scrape(client), "erp_outbox_backlog") == 1
    assert await publish_pending(uow_factory(), broker) == 1
    samples = await scrape(client)
    assert value(samples, "erp_outbox_backlog") == 0
    assert value(samples, "erp_outbox_oldest_age_seconds") == 0


async def test_the_metrics_say_whether_a_relay_should_publish(client, settings, clean):
    """Without NATS_URL the backlog only grows; the backlog alert looks at this gauge."""
    assert value(await scrape(client), "erp_outbox_relay_expected") == 0
    with_nats = create_app(settings.model_copy(update={"nats_url": "nats://127.0.0.1:4222"}))
    try:
        transport = httpx.ASGITransport(app=with_nats, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            assert value(await scrape(other), "erp_outbox_relay_expected") == 1
    finally:
        await with_nats.state.db_engine.dispose()


async def test_pool_gauges_follow_checkouts(app, client):
    pool = app.state.db_engine.sync_engine.pool
    before = await scrape(client)
    assert value(before, "erp_db_pool_size") == pool.size()
    async with app.state.db_engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        held = await scrape(client)
    after = await scrape(client)
    in_use = "erp_db_pool_connections_in_use"
    assert value(held, in_use) == value(before, in_use) + 1
    assert value(after, in_use) == value(before, in_use)


@pytest.fixture(scope="module")
async def production_apps(settings: Settings):
    """Production apps over the shared database: metrics closed, and opened by setting."""
    base = {"engine_env": Environment.PRODUCTION, "log_format": "console"}
    closed = create_app(settings.model_copy(update=base))
    public = create_app(settings.model_copy(update={**base, "metrics_public": True}))
    yield closed, public
    for application in (closed, public):
        await application.state.db_engine.dispose()


async def test_production_metrics_need_an_admin_unless_made_public(production_apps, clean, tokens):
    closed, public = production_apps
    transport = httpx.ASGITransport(app=closed, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        assert_problem(await client.get("/metrics"), 401, "unauthorized")
        manager = {"Authorization": f"Bearer {tokens[Role.MANAGER]}"}
        assert_problem(await client.get("/metrics", headers=manager), 403, "forbidden")
        admin = {"Authorization": f"Bearer {tokens[Role.ADMIN]}"}
        assert "erp_outbox_backlog" in {name for name, _ in await scrape(client, headers=admin)}
    transport = httpx.ASGITransport(app=public, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        assert "erp_http_requests_total" in {name for name, _ in await scrape(client)}
