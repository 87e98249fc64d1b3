"""GET /api/v1/events: every committed event once, in a stable order, resumable by cursor.

On PostgreSQL a transaction may commit after a newer one; a poller that always passes the
last cursor it saw must still get its event (never skip it, never see it twice). There the
feed also waits for transactions still running anywhere on the server (transaction ids are
cluster-wide), so these tests read it as a poller does: from the last cursor, until the
events they expect have arrived, within a deadline.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime

import asyncpg
import pytest
from sqlalchemy import select

from erp_engine.events.model import OutboxEvent
from erp_engine.events.service import emit_event
from erp_engine.kernel.roles import Role
from tests.api.test_conventions import assert_problem, error_fields
from tests.support.postgres import ADMIN_DSN

FEED = "/api/v1/events"
EVENT_FIELDS = {"id", "type", "occurred_at", "entity_type", "entity_id", "data", "cursor"}


async def read(api, after: str | None = None, limit: int = 100, role=Role.VIEWER) -> dict:
    params = {"limit": limit} | ({"after": after} if after is not None else {})
    return await api.ok("GET", FEED, params=params, role=role)


async def read_all(api, after: str | None = None, limit: int = 3) -> tuple[list[dict], str]:
    """Follow next_cursor page by page until a page comes back empty."""
    events: list[dict] = []
    cursor = after
    for _ in range(100):  # bounded: far more pages than any test creates
        page = await read(api, cursor, limit)
        assert len(page["data"]) <= limit
        if not page["data"]:
            assert page["next_cursor"] == cursor or cursor is None  # an empty page stays put
            return events, page["next_cursor"]
        assert page["next_cursor"] == page["data"][-1]["cursor"]
        events.extend(page["data"])
        cursor = page["next_cursor"]
    raise AssertionError("the feed never ended")


async def running_transactions() -> str:
    """For failure messages: the PostgreSQL transactions that hold the feed back (any
    database on the server counts, since transaction ids are cluster-wide)."""
    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        rows = await connection.fetch(
            "SELECT datname, state, now() - xact_start AS age FROM pg_stat_activity "
            "WHERE backend_xid IS NOT NULL ORDER BY xact_start LIMIT 5"
        )
    finally:
        await connection.close()
    return "; ".join(f"{r['datname']} {r['state']} for {r['age']}" for r in rows) or "none"


async def poll(
    api, after: str | None, want: int, limit: int = 3, within: float = 60
) -> tuple[list[dict], str]:
    """Read on from `after` until `want` events have come; then the feed must be at its end."""
    events: list[dict] = []
    cursor = after
    deadline = time.monotonic() + within
    while len(events) < want:
        page, cursor = await read_all(api, cursor, limit)
        events += page
        if len(events) < want:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(events)} of {want} events arrived; transactions holding the feed "
                    f"back: {await running_transactions()}"
                )
            await asyncio.sleep(0.05)  # the feed waits for running transactions
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids)), "an event was served twice"
    rest, cursor = await read_all(api, cursor, limit)
    assert rest == [], "more events than were committed"
    return events, cursor


async def outbox_ids(uow_factory) -> list[str]:
    async with uow_factory() as uow:
        rows = await uow.session.execute(select(OutboxEvent.id).order_by(OutboxEvent.position))
        return [str(i) for i in rows.scalars()]


async def test_pages_chain_through_next_cursor_and_cover_every_event_once(api, uow_factory):
    engine = await api.engine()
    item = await api.item(engine_id=engine["id"])
    await api.ok("PATCH", f"/api/v1/items/{item['id']}", json={"name": "Renamed"})
    await api.warehouse()
    for _ in range(3):
        await api.item()

    events, cursor = await poll(api, None, 7, limit=3)
    ids = [e["id"] for e in events]
    assert ids == await outbox_ids(uow_factory)  # sequential commits: commit order
    assert [e["type"] for e in events[:4]] == [
        "engine.created",
        "item.created",
        "item.updated",
        "warehouse.created",
    ]
    for event in events:
        assert set(event) == EVENT_FIELDS
        assert event["occurred_at"].endswith("Z")
        datetime.fromisoformat(event["occurred_at"])
    assert events[1]["entity_id"] == item["id"]
    assert events[1]["entity_type"] == "item"
    assert events[1]["data"]["sku"] == item["sku"]
    assert events[2]["data"]["name"] == "Renamed"

    # Any event's own cursor resumes right after it.
    resumed = await read(api, events[3]["cursor"])
    assert [e["id"] for e in resumed["data"]] == ids[4:]

    # The cursor of the end picks up exactly what is committed later.
    later = await api.item()
    page, _ = await poll(api, cursor, 1)
    assert [(e["type"], e["entity_id"]) for e in page] == [("item.created", later["id"])]


async def test_the_feed_is_for_viewers_and_up_with_a_token(api, client):
    await api.item()
    await poll(api, None, 1)  # as a viewer
    response = await client.get(FEED)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("after", ["not-a-cursor", "MTI=", "YTpi", "!!!"])
async def test_a_cursor_the_server_did_not_issue_is_refused(api, after):
    response = await api.get(FEED, params={"after": after})
    body = assert_problem(response, 422, "validation_error")
    assert "after" in error_fields(body)


@pytest.mark.parametrize("limit", [0, 1001, "many"])
async def test_limit_out_of_range_is_refused(api, limit):
    response = await api.get(FEED, params={"limit": limit})
    body = assert_problem(response, 422, "validation_error")
    assert "limit" in error_fields(body)


async def test_rolled_back_changes_never_appear(api, uow_factory):
    item = await api.item()
    duplicate = await api.post("/api/v1/items", json={"sku": item["sku"], "name": "Again"})
    assert duplicate.status_code == 409
    uow = uow_factory()
    async with uow:
        emit_event(
            uow,
            "item.updated",
            entity_type="item",
            entity_id=uuid.UUID(item["id"]),
            data={"abandoned": True},
        )
        await uow.session.flush()
        # leaving without commit rolls back
    events, _ = await poll(api, None, 1)
    assert [e["type"] for e in events] == ["item.created"]


@pytest.mark.postgres_only
async def test_a_transaction_that_commits_late_is_not_skipped(api, uow_factory):
    first = await api.item()
    seen, cursor = await poll(api, None, 1)
    assert [e["entity_id"] for e in seen] == [first["id"]]

    late = uow_factory()
    async with late:
        # The late transaction writes its event first: a lower position than the next one.
        late_event = emit_event(
            late,
            "item.updated",
            entity_type="item",
            entity_id=uuid.UUID(first["id"]),
            data={"late": True},
        )
        await late.session.flush()
        meanwhile = await api.item()  # commits while the late transaction is still open
        page, cursor = await read_all(api, cursor)
        assert str(late_event.id) not in {e["id"] for e in page}  # not committed yet
        seen += page
        await late.commit()

    page, cursor = await poll(api, cursor, 3 - len(seen))
    seen += page
    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids)), "an event was served twice"
    meanwhile_event = next(e for e in seen if e["entity_id"] == meanwhile["id"])
    assert set(ids) == {seen[0]["id"], str(late_event.id), meanwhile_event["id"]}
    async with uow_factory() as uow:
        positions = dict(
            (await uow.session.execute(select(OutboxEvent.id, OutboxEvent.position))).all()
        )
    assert positions[late_event.id] < positions[uuid.UUID(meanwhile_event["id"])]


@pytest.mark.postgres_only
async def test_a_late_transaction_that_rolls_back_does_not_hold_the_feed(api, uow_factory):
    seen, cursor = await read_all(api)
    assert seen == []
    abandoned = uow_factory()
    async with abandoned:
        emit_event(abandoned, "item.updated", entity_type="item", entity_id=uuid.uuid4(), data={})
        await abandoned.session.flush()
        meanwhile = await api.item()
        page, cursor = await read_all(api, cursor)
        seen += page
    page, cursor = await poll(api, cursor, 1 - len(seen))
    seen += page
    assert [(e["type"], e["entity_id"]) for e in seen] == [("item.created", meanwhile["id"])]
