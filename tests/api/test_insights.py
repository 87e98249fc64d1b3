"""Low-stock alerts and the dashboard."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from erp_engine.events.model import OutboxEvent
from erp_engine.kernel.roles import Role


async def _alerts(api, item_id: str, **params) -> list[dict]:
    page = await api.ok("GET", "/api/v1/alerts", params={"item_id": item_id, **params})
    return page["data"]


async def _low_events(app, item_id: str) -> int:
    async with app.state.read_sessions() as session:
        return await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.type == "stock.low",
                OutboxEvent.entity_id == uuid.UUID(item_id),
            )
        )


async def test_alert_opens_when_available_reaches_the_reorder_point(api, app):
    item = await api.item(reorder_point=5)  # born low: its first alert opens at once
    await api.receive(item["id"], 10)
    assert await _alerts(api, item["id"], status="open") == []
    await api.ship(item["id"], 5)
    [alert] = await _alerts(api, item["id"], status="open")
    assert alert["available"] == 5
    assert alert["reorder_point"] == 5
    assert alert["sku"] == item["sku"]
    assert await _low_events(app, item["id"]) == 2


async def test_a_reservation_counts_because_it_lowers_available(api):
    item = await api.item(reorder_point=3)
    await api.receive(item["id"], 5)
    warehouse = (await api.main_warehouse())["id"]
    doc = await api.document("outbound", warehouse, [(item["id"], 2)])
    await api.act("outbound", doc["id"], "approve")
    assert len(await _alerts(api, item["id"], status="open")) == 1
    await api.act("outbound", doc["id"], "reopen")
    assert await _alerts(api, item["id"], status="open") == []


async def test_at_most_one_open_alert_per_item_and_it_closes_itself(api, app):
    item = await api.item(reorder_point=5)
    await api.receive(item["id"], 6)
    await api.ship(item["id"], 2)
    await api.ship(item["id"], 2)
    assert len(await _alerts(api, item["id"], status="open")) == 1
    await api.receive(item["id"], 10)
    assert await _alerts(api, item["id"], status="open") == []
    [closed, _born] = await _alerts(api, item["id"], status="closed")
    assert closed["closed_at"] is not None
    await api.ship(item["id"], 9)
    assert len(await _alerts(api, item["id"], status="open")) == 1
    assert len(await _alerts(api, item["id"])) == 3
    assert await _low_events(app, item["id"]) == 3


async def test_raising_the_reorder_point_opens_an_alert(api):
    item = await api.item(reorder_point=0)
    await api.receive(item["id"], 4)
    assert await _alerts(api, item["id"]) == []
    await api.ok("PATCH", f"/api/v1/items/{item['id']}", json={"reorder_point": 4})
    assert len(await _alerts(api, item["id"], status="open")) == 1
    await api.ok("PATCH", f"/api/v1/items/{item['id']}", json={"reorder_point": 1})
    assert await _alerts(api, item["id"], status="open") == []


async def test_items_born_at_or_below_their_reorder_point_open_an_alert(api, app):
    created = await api.item(reorder_point=5)
    plain = await api.item(reorder_point=0)
    content = b"SKU,Name,Reorder point\r\nRP-2,Imported low,5\r\nRP-3,Imported plain,0\r\n"
    response = await api.post(
        "/api/v1/items/import", files={"file": ("items.csv", content, "text/csv")}
    )
    assert response.status_code == 200, response.text
    items = (await api.ok("GET", "/api/v1/items", params={"q": "RP-"}))["data"]
    imported = {item["sku"]: item for item in items}
    for low in (created, imported["RP-2"]):
        [alert] = await _alerts(api, low["id"], status="open")
        assert (alert["available"], alert["reorder_point"]) == (0, 5)
        assert await _low_events(app, low["id"]) == 1
    for never in (plain, imported["RP-3"]):
        assert await _alerts(api, never["id"]) == []
    counts = (await api.ok("GET", "/api/v1/dashboard"))["counts"]
    assert counts["low_stock"] == counts["open_alerts"] == 2
    audit = await api.ok("GET", "/api/v1/audit", params={"action": "alert.created"})
    assert audit["count"] == 2
    assert {entry["changes"]["status"][1] for entry in audit["data"]} == {"open"}
    assert {Decimal(entry["changes"]["reorder_point"][1]) for entry in audit["data"]} == {5}
    await api.receive(created["id"], 6)
    assert (await _alerts(api, created["id"]))[0]["status"] == "closed"


async def test_staff_acknowledges_and_viewers_may_not(api, role_users):
    item = await api.item(reorder_point=5)
    await api.receive(item["id"], 1)
    [alert] = await _alerts(api, item["id"])
    assert alert["acknowledged_by_name"] is None
    path = f"/api/v1/alerts/{alert['id']}/acknowledge"
    assert (await api.post(path, role="viewer")).status_code == 403
    acknowledged = await api.ok("POST", path, role="staff")
    assert acknowledged["acknowledged_at"] is not None
    assert acknowledged["acknowledged_by"] == str(role_users.ids[Role.STAFF])
    again = await api.ok("POST", path, role="staff")
    assert again["acknowledged_at"] == acknowledged["acknowledged_at"]
    # Every role reads who acknowledged by name (only admins may list users).
    [seen] = await _alerts(api, item["id"], acknowledged="true")
    assert seen["acknowledged_by_name"] == "Test staff"
    viewed = await api.ok("GET", f"/api/v1/alerts/{alert['id']}", role="viewer")
    assert viewed["acknowledged_by_name"] == "Test staff"


async def test_acknowledging_a_closed_alert_is_an_invalid_transition(api):
    item = await api.item(reorder_point=5)
    await api.receive(item["id"], 1)
    [alert] = await _alerts(api, item["id"])
    await api.receive(item["id"], 10)
    response = await api.post(f"/api/v1/alerts/{alert['id']}/acknowledge")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


async def test_concurrent_shipments_open_exactly_one_alert(api, app):
    item = await api.item(reorder_point=10)
    await api.receive(item["id"], 30)
    results = await asyncio.gather(*(api.ship(item["id"], 2) for _ in range(12)))
    assert len(results) == 12
    assert (await api.stock(item["id"]))["on_hand"] == 6
    open_alerts = await _alerts(api, item["id"], status="open")
    assert len(open_alerts) == 1
    assert await _low_events(app, item["id"]) == 2  # at birth, then once in the race


async def _alert_events(app, item_id: str) -> list[tuple[str, str]]:
    """(type, alert id) of the item's stock.low and stock.recovered events, in outbox order."""
    async with app.state.read_sessions() as session:
        rows = await session.execute(
            select(OutboxEvent.type, OutboxEvent.data)
            .where(
                OutboxEvent.entity_id == uuid.UUID(item_id),
                OutboxEvent.type.in_(["stock.low", "stock.recovered"]),
            )
            .order_by(OutboxEvent.position)
        )
        return [(kind, str(data["alert_id"])) for kind, data in rows]


async def test_concurrent_receipts_and_shipments_close_and_reopen_one_alert_at_a_time(api, app):
    # Each round races shipments against receipts across the reorder point (10), so alerts
    # close and reopen while other commits are in flight; its net change is the step.
    item = await api.item(reorder_point=10)
    await api.receive(item["id"], 12)
    on_hand = 12
    for ships, receipts in ((4, 3), (3, 4), (5, 3), (2, 5), (4, 4)):
        await asyncio.gather(
            *(api.ship(item["id"], 2) for _ in range(ships)),
            *(api.receive(item["id"], 2) for _ in range(receipts)),
        )
        on_hand += 2 * (receipts - ships)
        assert (await api.stock(item["id"]))["on_hand"] == on_hand
        open_alerts = await _alerts(api, item["id"], status="open")
        assert len(open_alerts) == (1 if on_hand <= 10 else 0), on_hand
        events = await _alert_events(app, item["id"])
        alerts = await _alerts(api, item["id"], limit=200)
        # The events pair up: low(a1), recovered(a1), low(a2), ...; only the last may be open.
        assert [kind for kind, _ in events] == ["stock.low", "stock.recovered"] * (
            len(events) // 2
        ) + ["stock.low"] * (len(events) % 2)
        assert all(events[n][1] == events[n + 1][1] for n in range(0, len(events) - 1, 2))
        assert len({alert for _, alert in events}) == len(alerts) == (len(events) + 1) // 2
        assert (len(events) % 2 == 1) == bool(open_alerts)
        if open_alerts:
            assert open_alerts[0]["id"] == events[-1][1]
            assert open_alerts[0]["available"] <= 10


async def test_dashboard_counts_value_series_and_top_items(api):
    engine = await api.engine()
    a = await api.item(engine_id=engine["id"], reorder_point=50)
    b = await api.item(engine_id=engine["id"])
    await api.receive(a["id"], 100, unit_cost="2.5")
    await api.receive(b["id"], 10, unit_cost=1000)
    await api.ship(a["id"], 60)
    await api.ship(b["id"], 1)
    warehouse = (await api.main_warehouse())["id"]
    await api.document("inbound", warehouse, [(a["id"], 1)])
    dashboard = await api.ok("GET", "/api/v1/dashboard", role="viewer")
    counts = dashboard["counts"]
    assert counts["engines"] == 1
    assert counts["items"] == 2
    assert counts["warehouses"] == 1
    assert counts["low_stock"] == 1
    assert counts["open_alerts"] == 1
    assert counts["inbound"] == {"draft": 1, "approved": 0}
    assert counts["outbound"] == {"draft": 0, "approved": 0}
    assert Decimal(str(dashboard["stock_value"])) == Decimal("40") * Decimal("2.5") + 9 * 1000
    assert dashboard["currency"] == "KRW"
    series = dashboard["series"]
    assert len(series["days"]) == 30
    assert series["days"][-1] == datetime.now(UTC).date().isoformat()
    assert series["inbound"][-1] == 110
    assert series["outbound"][-1] == 61
    assert sum(series["inbound"][:-1]) == 0
    assert [t["sku"] for t in dashboard["top_outbound_items"]] == [a["sku"], b["sku"]]
    assert dashboard["top_outbound_items"][0]["quantity"] == 60
    assert len(dashboard["recent_flows"]) == 10
    assert dashboard["recent_flows"][0]["entity_type"] == "inbound"


async def test_dashboard_stock_value_is_not_limited_to_one_amounts_digits(api):
    item = await api.item(unit_cost="99999999.5")
    await api.receive(item["id"], 100000)
    dashboard = await api.ok("GET", "/api/v1/dashboard")
    assert Decimal(str(dashboard["stock_value"])) == Decimal("9999999950000")
