"""Inbounds and outbounds over HTTP: drafts, the workflow, its stock effects and its journal."""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from erp_engine.audit.model import AuditEntry
from erp_engine.catalog import service as catalog
from erp_engine.documents.model import StockDocument
from erp_engine.events.model import OutboxEvent
from erp_engine.flows.model import Flow
from erp_engine.identity import service as identity
from erp_engine.kernel.principal import SYSTEM
from erp_engine.kernel.roles import Role
from erp_engine.ledger.model import StockMove
from tests.conftest import PASSWORD, new_uow
from tests.support.statements import recorded_statements

INBOUNDS, OUTBOUNDS = "/api/v1/inbounds", "/api/v1/outbounds"
ACTIONS = ("approve", "commit", "reopen", "cancel", "reverse")
# What the transition table allows from each state ("update" is PATCH).
LEGAL = {
    "draft": {"update", "approve", "cancel"},
    "approved": {"reopen", "commit", "cancel"},
    "committed": {"reverse"},
    "cancelled": set(),
}


def D(value: Any) -> Decimal:
    return Decimal(str(value))


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return body


def fields(body: dict) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


def action_body(action: str) -> dict:
    return {"json": {"reason": "test"}} if action in ("cancel", "reverse") else {}


async def level(api, item_id: str, warehouse_id: str) -> tuple[Decimal, Decimal, Decimal]:
    """(on_hand, reserved, available) of one item in one warehouse."""
    stock = await api.stock(item_id)
    for row in stock["warehouses"]:
        if row["warehouse_id"] == warehouse_id:
            return D(row["on_hand"]), D(row["reserved"]), D(row["available"])
    return Decimal(0), Decimal(0), Decimal(0)


async def get_doc(api, kind: str, doc_id: str, role: Role = Role.MANAGER) -> dict:
    return await api.ok("GET", f"/api/v1/{kind}s/{doc_id}", role=role)


async def outbox(uow_factory, entity_id: str) -> list[SimpleNamespace]:
    """The entity's outbox events, in the order they were written."""
    async with uow_factory() as uow:
        stmt = (
            select(OutboxEvent)
            .where(OutboxEvent.entity_id == uuid.UUID(entity_id))
            .order_by(OutboxEvent.position)
        )
        return [
            SimpleNamespace(type=e.type, entity_type=e.entity_type, data=e.data)
            for e in (await uow.session.execute(stmt)).scalars()
        ]


async def count_rows(uow_factory, model) -> int:
    async with uow_factory() as uow:
        return await uow.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
async def wh(api) -> str:
    return (await api.main_warehouse())["id"]


@pytest.fixture
async def other_staff(app, settings) -> dict[str, str]:
    """Headers of a second staff user, who owns none of the fixture users' drafts."""
    email = f"staff-{uuid.uuid4().hex[:8]}@test.example"
    await identity.create_user(
        new_uow(app), email=email, name="Other staff", role=Role.STAFF, password=PASSWORD
    )
    pair = await identity.login(new_uow(app), email, PASSWORD, settings=settings)
    return {"Authorization": f"Bearer {pair.access_token}"}


# Create -------------------------------------------------------------------------------------


async def test_create_returns_a_numbered_draft_with_lines(api, wh, role_users):
    a, b = await api.item(), await api.item()
    response = await api.post(
        INBOUNDS,
        json={
            "warehouse_id": wh,
            "partner": "Acme",
            "reference": "PO-1",
            "memo": "first",
            "expected_at": "2030-01-02T03:04:05Z",
            "lines": [
                {"item_id": a["id"], "quantity": "2.5", "unit_cost": 10},
                {"item_id": b["id"], "quantity": 4},
            ],
        },
    )
    assert response.status_code == 201, response.text
    doc = response.json()
    assert response.headers["Location"] == f"{INBOUNDS}/{doc['id']}"
    assert response.headers["ETag"] == f'"{doc["version"]}"'
    assert doc["number"] == "IN-000001"
    assert doc["status"] == "draft"
    assert doc["warehouse_id"] == wh
    assert (doc["partner"], doc["reference"], doc["memo"]) == ("Acme", "PO-1", "first")
    assert doc["expected_at"] == "2030-01-02T03:04:05Z"
    assert doc["created_by"] == str(role_users.ids[Role.MANAGER])
    assert doc["approved_by"] is None
    assert doc["committed_at"] is None
    assert doc["reverses_id"] is None
    assert doc["reversed_by_id"] is None
    assert [
        (ln["item_id"], ln["sku"], ln["item_name"], D(ln["quantity"])) for ln in doc["lines"]
    ] == [
        (a["id"], a["sku"], a["name"], D("2.5")),
        (b["id"], b["sku"], b["name"], D(4)),
    ]
    assert D(doc["lines"][0]["unit_cost"]) == 10
    assert doc["lines"][1]["unit_cost"] is None
    assert D(doc["total_quantity"]) == D("6.5")
    assert set(doc["allowed_actions"]) == {"update", "approve", "cancel"}
    assert [(f["action"], f["to_status"]) for f in doc["history"]] == [("created", "draft")]
    # A draft does nothing to stock.
    assert await level(api, a["id"], wh) == (0, 0, 0)
    assert await get_doc(api, "inbound", doc["id"]) == doc

    # A time without an offset is UTC; one with an offset is converted to UTC.
    naive = await api.ok(
        "PATCH", f"{INBOUNDS}/{doc['id']}", json={"expected_at": "2030-01-02T03:04:05"}
    )
    assert naive["expected_at"] == "2030-01-02T03:04:05Z"
    shifted = await api.ok(
        "PATCH", f"{INBOUNDS}/{doc['id']}", json={"expected_at": "2030-01-02T12:04:05+09:00"}
    )
    assert shifted["expected_at"] == "2030-01-02T03:04:05Z"


async def test_numbers_are_gap_free_per_type_and_a_failed_create_takes_none(api, wh):
    item = await api.item()
    first = await api.document("inbound", wh, [(item["id"], 1)])
    failed = await api.post(
        INBOUNDS,
        json={"warehouse_id": wh, "lines": [{"item_id": str(uuid.uuid4()), "quantity": 1}]},
    )
    problem(failed, 422, "validation_error")
    second = await api.document("inbound", wh, [(item["id"], 1)], role=Role.STAFF)
    out = await api.document("outbound", wh, [(item["id"], 1)])
    problem(
        await api.post(
            OUTBOUNDS,
            json={
                "warehouse_id": str(uuid.uuid4()),
                "lines": [{"item_id": item["id"], "quantity": 1}],
            },
        ),
        422,
        "validation_error",
    )
    out2 = await api.document("outbound", wh, [(item["id"], 1)])
    assert [first["number"], second["number"]] == ["IN-000001", "IN-000002"]
    assert [out["number"], out2["number"]] == ["OUT-000001", "OUT-000002"]
    page = await api.ok("GET", INBOUNDS)
    assert page["count"] == 2


async def test_a_number_past_six_digits_keeps_every_digit_in_every_row(api, app, wh):
    from sqlalchemy import update

    from erp_engine.numbering.model import DocumentCounter

    async with new_uow(app) as uow:
        counter = DocumentCounter.__table__
        await uow.session.execute(
            update(counter).where(counter.c.kind == "inbound").values(last_value=999_999)
        )
        await uow.commit()
    item = await api.item()
    doc = await api.document("inbound", wh, [(item["id"], 1)])
    assert doc["number"] == "IN-1000000"
    assert [flow["entity_number"] for flow in doc["history"]] == ["IN-1000000"]
    async with new_uow(app) as uow:
        event = await uow.session.scalar(
            select(OutboxEvent).where(OutboxEvent.type == "inbound.created")
        )
        assert event.data["number"] == "IN-1000000"


@pytest.mark.postgres_only
async def test_a_create_holds_the_document_counter_for_one_statement_before_commit(
    api, app, wh, backend
):
    """Creates of one kind wait for each other from the number to the COMMIT (numbers are
    gap-free): the number is taken in the statement that writes the document, its lines and
    flow, and only the audit and event rows follow it."""
    item = await api.item()
    with recorded_statements(app, commits=True) as seen:
        doc = await api.document("outbound", wh, [(item["id"], 2)])
    taken = next(i for i, sql in enumerate(seen) if "UPDATE document_counters" in sql)
    after = seen[taken + 1 :]
    assert len(after) == 2, after
    assert after[-1] == "COMMIT"
    assert "INSERT INTO audit_log" in after[0]
    assert "INSERT INTO outbox_events" in after[0]
    assert "INSERT INTO document_lines" in seen[taken]
    assert "INSERT INTO flows" in seen[taken]
    assert doc["number"] == "OUT-000001"
    assert len(doc["lines"]) == 1


@pytest.mark.postgres_only
async def test_item_lookups_are_one_statement_whatever_the_number_of_lines(api, app, wh, backend):
    """PostgreSQL gets the ids as one array: asyncpg prepares one statement for documents
    of any length, where an IN list would need one per length."""
    items = [await api.item() for _ in range(3)]
    for item in items:
        await api.receive(item["id"], 5, wh)

    async def lookups(count: int) -> set[str]:
        with recorded_statements(app) as seen:
            doc = await api.document("outbound", wh, [(i["id"], 1) for i in items[:count]])
            await api.ok("POST", f"{OUTBOUNDS}/{doc['id']}/approve")
        return {sql for sql in seen if "FROM items" in sql}

    one, three = await lookups(1), await lookups(3)
    assert one
    assert one == three


@pytest.mark.postgres_only
async def test_an_action_writes_the_document_in_the_statement_of_its_audit_flow_and_event(
    api, app, wh, backend
):
    """The document's UPDATE rides in the statement that appends the action's audit row,
    flow and event; what it wrote is what the answer says."""
    item = await api.item()
    await api.receive(item["id"], 5, wh)
    doc = await api.document("outbound", wh, [(item["id"], 2)])
    with recorded_statements(app) as seen:
        approved = await api.ok("POST", f"{OUTBOUNDS}/{doc['id']}/approve")
    (written,) = [sql for sql in seen if "UPDATE documents" in sql]
    for table in ("audit_log", "flows", "outbox_events"):
        assert f"INSERT INTO {table}" in written
    stored = await api.ok("GET", f"{OUTBOUNDS}/{doc['id']}")
    assert approved["status"] == stored["status"] == "approved"
    assert approved["version"] == stored["version"] == doc["version"] + 1
    assert approved["approved_at"] == stored["approved_at"] is not None
    assert approved["updated_at"] == stored["updated_at"] != doc["updated_at"]
    async with new_uow(app) as uow:
        (entry,) = await uow.session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_id == uuid.UUID(doc["id"]),
                AuditEntry.action == "outbound.updated",
            )
        )
        assert entry.changes["status"] == ["draft", "approved"]


@pytest.mark.postgres_only
async def test_a_document_changed_under_its_version_is_refused_and_nothing_is_written(
    api, app, wh, backend
):
    item = await api.item()
    doc = await api.document("outbound", wh, [(item["id"], 1)])
    doc_id = uuid.UUID(doc["id"])

    async def audit_rows() -> int:
        async with new_uow(app) as uow:
            return await uow.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.entity_id == doc_id)
            )

    before = await audit_rows()
    async with new_uow(app) as uow:
        record = await uow.session.get(StockDocument, doc_id)
        async with new_uow(app) as other:  # someone else's change, after this one's read
            await other.session.execute(
                update(StockDocument).where(StockDocument.id == doc_id).values(version=7)
            )
            await other.commit()
        record.memo = "changed meanwhile"
        with pytest.raises(StaleDataError):
            await uow.session.flush()
    assert await audit_rows() == before
    stored = await api.ok("GET", f"{OUTBOUNDS}/{doc['id']}")
    assert (stored["memo"], stored["version"]) == (None, 7)


@pytest.mark.parametrize("kind", ["inbound", "outbound"])
async def test_create_rejects_bad_lines_naming_the_field(api, wh, kind):
    good, inactive = await api.item(), await api.item(active=False)
    closed = await api.warehouse(active=False)
    url = f"/api/v1/{kind}s"

    def body(*lines, warehouse_id=wh, **extra):
        return {"warehouse_id": warehouse_id, "lines": list(lines), **extra}

    def line(item_id, quantity=1, **extra):
        return {"item_id": item_id, "quantity": quantity, **extra}

    cases = [
        (body(), "lines"),
        (body(line(good["id"], 0)), "lines[0].quantity"),
        (body(line(good["id"], 1), line(inactive["id"], -2)), "lines[1].quantity"),
        (body(line(good["id"], "1.0001")), "lines[0].quantity"),
        (body(line(good["id"], "abc")), "lines[0].quantity"),
        (body(line(good["id"]), line(str(uuid.uuid4()))), "lines[1].item_id"),
        (body(line(good["id"]), line(inactive["id"])), "lines[1].item_id"),
        (body(line("not-a-uuid")), "lines[0].item_id"),
        (body(line(good["id"]), warehouse_id=str(uuid.uuid4())), "warehouse_id"),
        (body(line(good["id"]), warehouse_id=closed["id"]), "warehouse_id"),
        (body(line(good["id"]), status="committed"), "status"),
        (body(line(good["id"]), number="IN-999999"), "number"),
        (body(line(good["id"], id=str(uuid.uuid4()))), "lines[0].id"),
        ({"lines": [line(good["id"])]}, "warehouse_id"),
    ]
    for payload, field in cases:
        response = await api.post(url, json=payload)
        assert field in fields(problem(response, 422, "validation_error")), (payload, response.text)

    # Each item at most once: the error names the lines.
    response = await api.post(url, json=body(line(good["id"]), line(good["id"], 2)))
    assert any(f.startswith("lines") for f in fields(problem(response, 422, "validation_error")))

    assert (await api.ok("GET", url))["count"] == 0
    # Nothing burnt a number either.
    created = await api.document(kind, wh, [(good["id"], 1)])
    assert created["number"] == ("IN" if kind == "inbound" else "OUT") + "-000001"


async def test_a_document_takes_up_to_500_lines(api, wh, uow_factory):
    ids = await catalog.create_items_bulk(
        uow_factory(),
        [{"sku": f"BULK-{n:03d}", "name": f"Bulk {n}"} for n in range(501)],
        actor=SYSTEM,
    )
    lines = [{"item_id": str(i), "quantity": 1} for i in ids]
    too_many = await api.post(INBOUNDS, json={"warehouse_id": wh, "lines": lines})
    assert "lines" in fields(problem(too_many, 422, "validation_error"))
    doc = await api.ok("POST", INBOUNDS, 201, json={"warehouse_id": wh, "lines": lines[:500]})
    assert len(doc["lines"]) == 500
    assert D(doc["total_quantity"]) == 500
    await api.act("inbound", doc["id"], "approve")
    await api.act("inbound", doc["id"], "commit")
    moves = await api.ok("GET", "/api/v1/stock-moves", params={"document_id": doc["id"]})
    assert moves["count"] == 500


async def test_viewer_may_not_create_and_staff_may(api, wh, role_users):
    item = await api.item()
    payload = {"warehouse_id": wh, "lines": [{"item_id": item["id"], "quantity": 1}]}
    problem(await api.post(OUTBOUNDS, json=payload, role=Role.VIEWER), 403, "forbidden")
    unauthenticated = await api.client.post(OUTBOUNDS, json=payload)
    assert unauthenticated.status_code == 401
    doc = await api.ok("POST", OUTBOUNDS, 201, json=payload, role=Role.STAFF)
    assert doc["created_by"] == str(role_users.ids[Role.STAFF])
    assert (await api.ok("GET", OUTBOUNDS))["count"] == 1


# Update -------------------------------------------------------------------------------------


async def test_patch_replaces_header_fields_and_all_lines(api, wh):
    a, b, c = await api.item(), await api.item(), await api.item()
    other = await api.warehouse()
    doc = await api.document(
        "outbound", wh, [(a["id"], 1), (b["id"], 2)], partner="Old", reference="R1"
    )
    response = await api.patch(
        f"{OUTBOUNDS}/{doc['id']}",
        json={
            "partner": "New",
            "warehouse_id": other["id"],
            "lines": [{"item_id": b["id"], "quantity": 5}, {"item_id": c["id"], "quantity": 1}],
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert response.headers["ETag"] == f'"{updated["version"]}"'
    assert updated["version"] > doc["version"]
    assert (updated["partner"], updated["reference"]) == ("New", "R1")
    assert updated["warehouse_id"] == other["id"]
    assert [(ln["item_id"], D(ln["quantity"])) for ln in updated["lines"]] == [
        (b["id"], D(5)),
        (c["id"], D(1)),
    ]
    assert D(updated["total_quantity"]) == 6
    assert updated["number"] == doc["number"]
    assert updated["status"] == "draft"
    assert [f["action"] for f in updated["history"]] == ["created", "updated"]

    # Header only: the lines stay.
    header_only = await api.ok("PATCH", f"{OUTBOUNDS}/{doc['id']}", json={"memo": "m"})
    assert header_only["memo"] == "m"
    assert header_only["lines"] == updated["lines"]
    # Lines only: bumps the version too.
    lines_only = await api.ok(
        "PATCH", f"{OUTBOUNDS}/{doc['id']}", json={"lines": [{"item_id": a["id"], "quantity": 3}]}
    )
    assert [ln["item_id"] for ln in lines_only["lines"]] == [a["id"]]
    assert lines_only["version"] > header_only["version"]


async def test_a_rejected_patch_changes_nothing(api, wh):
    a, inactive = await api.item(), await api.item(active=False)
    doc = await api.document("inbound", wh, [(a["id"], 1)])
    cases = [
        (
            {
                "lines": [
                    {"item_id": a["id"], "quantity": 1},
                    {"item_id": inactive["id"], "quantity": 1},
                ]
            },
            "lines[1].item_id",
        ),
        ({"lines": []}, "lines"),
        ({"lines": [{"item_id": a["id"], "quantity": 0}]}, "lines[0].quantity"),
        ({"warehouse_id": str(uuid.uuid4())}, "warehouse_id"),
        ({"status": "approved"}, "status"),
        ({"created_by": str(uuid.uuid4())}, "created_by"),
        ({"partner": "x" * 201}, "partner"),
    ]
    for payload, field in cases:
        response = await api.patch(f"{INBOUNDS}/{doc['id']}", json=payload)
        assert field in fields(problem(response, 422, "validation_error")), (payload, response.text)
    assert await get_doc(api, "inbound", doc["id"]) == doc
    problem(await api.patch(f"{INBOUNDS}/{uuid.uuid4()}", json={"memo": "x"}), 404, "not_found")
    # An inbound is not an outbound.
    problem(await api.patch(f"{OUTBOUNDS}/{doc['id']}", json={"memo": "x"}), 404, "not_found")


async def test_staff_edits_and_cancels_only_its_own_drafts(api, wh, other_staff):
    item = await api.item()
    url = lambda doc, tail="": f"{OUTBOUNDS}/{doc['id']}{tail}"  # noqa: E731
    mine = await api.document("outbound", wh, [(item["id"], 1)], role=Role.STAFF)

    # Another staff user may neither see actions on it nor use them (no BOLA).
    theirs_view = await api.ok("GET", url(mine), headers=other_staff)
    assert theirs_view["allowed_actions"] == []
    for method, tail, kwargs in [
        ("PATCH", "", {"json": {"memo": "hijack"}}),
        ("POST", "/cancel", {"json": {"reason": "hijack"}}),
        ("POST", "/approve", {}),
    ]:
        response = await api.request(method, url(mine, tail), headers=other_staff, **kwargs)
        problem(response, 403, "forbidden")
    assert await get_doc(api, "outbound", mine["id"], Role.STAFF) == mine

    # The owner may edit its draft, but not approve it.
    edited = await api.ok("PATCH", url(mine), role=Role.STAFF, json={"memo": "mine"})
    assert edited["memo"] == "mine"
    assert set(edited["allowed_actions"]) == {"update", "cancel"}
    problem(await api.post(url(mine, "/approve"), role=Role.STAFF), 403, "forbidden")
    # A manager may edit anyone's draft.
    by_manager = await api.ok("PATCH", url(mine), json={"memo": "managed"})
    assert by_manager["memo"] == "managed"

    # A staff user may not touch a manager's draft.
    managers = await api.document("outbound", wh, [(item["id"], 1)])
    problem(await api.patch(url(managers), role=Role.STAFF, json={"memo": "x"}), 403, "forbidden")
    problem(await api.post(url(managers, "/cancel"), role=Role.STAFF), 403, "forbidden")
    assert (await get_doc(api, "outbound", managers["id"], Role.STAFF))["allowed_actions"] == []

    # Once approved, the owner's rights end.
    await api.receive(item["id"], 5)
    await api.act("outbound", mine["id"], "approve")
    problem(await api.patch(url(mine), role=Role.STAFF, json={"memo": "late"}), 403, "forbidden")
    problem(await api.post(url(mine, "/cancel"), role=Role.STAFF), 403, "forbidden")
    assert (await get_doc(api, "outbound", mine["id"], Role.STAFF))["status"] == "approved"

    # The owner cancels its own draft.
    draft = await api.document("outbound", wh, [(item["id"], 1)], role=Role.STAFF)
    cancelled = await api.act(
        "outbound", draft["id"], "cancel", role=Role.STAFF, json={"reason": "not needed"}
    )
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == "not needed"


async def test_viewer_sees_documents_but_no_actions(api, wh):
    item = await api.item()
    doc = await api.document("inbound", wh, [(item["id"], 1)])
    assert (await get_doc(api, "inbound", doc["id"], Role.VIEWER))["allowed_actions"] == []
    listed = await api.ok("GET", INBOUNDS, role=Role.VIEWER)
    assert [d["allowed_actions"] for d in listed["data"]] == [[]]
    for action in ACTIONS:
        response = await api.post(
            f"{INBOUNDS}/{doc['id']}/{action}", role=Role.VIEWER, **action_body(action)
        )
        problem(response, 403, "forbidden")
    problem(
        await api.patch(f"{INBOUNDS}/{doc['id']}", role=Role.VIEWER, json={"memo": "x"}),
        403,
        "forbidden",
    )
    assert await get_doc(api, "inbound", doc["id"]) == doc


# The workflow -----------------------------------------------------------------------------


async def _in_state(api, kind: str, wh: str, item_id: str, state: str) -> dict:
    doc = await api.document(kind, wh, [(item_id, 1)])
    if state in ("approved", "committed"):
        await api.act(kind, doc["id"], "approve")
    if state == "committed":
        await api.act(kind, doc["id"], "commit")
    if state == "cancelled":
        await api.act(kind, doc["id"], "cancel", json={"reason": "x"})
    return await get_doc(api, kind, doc["id"])


async def _snapshot(api, uow_factory, item_id: str) -> tuple:
    moves = await api.ok("GET", "/api/v1/stock-moves", params={"limit": 200})
    return (
        await api.stock(item_id),
        moves,
        await count_rows(uow_factory, Flow),
        await count_rows(uow_factory, OutboxEvent),
    )


@pytest.mark.parametrize("kind", ["inbound", "outbound"])
async def test_every_illegal_transition_is_refused_and_changes_nothing(api, wh, uow_factory, kind):
    item = await api.item()
    await api.receive(item["id"], 100)
    docs = {state: await _in_state(api, kind, wh, item["id"], state) for state in LEGAL}
    manager_actions = {
        "draft": {"update", "approve", "cancel"},
        "approved": {"reopen", "commit", "cancel"},
        "committed": {"reverse"},
        "cancelled": set(),
    }
    for state, doc in docs.items():
        assert doc["status"] == state
        assert set(doc["allowed_actions"]) == manager_actions[state]
    before = await _snapshot(api, uow_factory, item["id"])
    tried = 0
    for state, doc in docs.items():
        for action in ACTIONS:
            if action in LEGAL[state]:
                continue
            response = await api.post(
                f"/api/v1/{kind}s/{doc['id']}/{action}", **action_body(action)
            )
            problem(response, 409, "invalid_transition")
            tried += 1
        if "update" not in LEGAL[state]:
            response = await api.patch(f"/api/v1/{kind}s/{doc['id']}", json={"memo": "changed"})
            problem(response, 409, "invalid_transition")
            tried += 1
    assert tried == 17
    for state, doc in docs.items():
        assert await get_doc(api, kind, doc["id"]) == doc, state
    assert await _snapshot(api, uow_factory, item["id"]) == before


async def test_a_document_that_is_not_there_is_404(api):
    for kind in ("inbound", "outbound"):
        for action in ACTIONS:
            response = await api.post(
                f"/api/v1/{kind}s/{uuid.uuid4()}/{action}", **action_body(action)
            )
            problem(response, 404, "not_found")
        problem(await api.get(f"/api/v1/{kind}s/{uuid.uuid4()}"), 404, "not_found")


async def test_outbound_approve_reserves_and_commit_takes_stock(api, wh, role_users):
    item = await api.item()
    await api.receive(item["id"], 10)
    doc = await api.document("outbound", wh, [(item["id"], 4)])
    assert await level(api, item["id"], wh) == (10, 0, 10)

    approved = await api.act("outbound", doc["id"], "approve")
    assert approved["status"] == "approved"
    assert approved["approved_by"] == str(role_users.ids[Role.MANAGER])
    assert approved["approved_at"] is not None
    assert await level(api, item["id"], wh) == (10, 4, 6)
    totals = await api.stock(item["id"])
    assert (D(totals["on_hand"]), D(totals["reserved"]), D(totals["available"])) == (10, 4, 6)
    # Approving moves no stock.
    assert (await api.ok("GET", "/api/v1/stock-moves", params={"document_id": doc["id"]}))[
        "count"
    ] == 0

    committed = await api.act("outbound", doc["id"], "commit")
    assert committed["status"] == "committed"
    assert committed["committed_by"] == str(role_users.ids[Role.MANAGER])
    assert committed["allowed_actions"] == ["reverse"]
    assert await level(api, item["id"], wh) == (6, 0, 6)
    moves = (await api.ok("GET", "/api/v1/stock-moves", params={"document_id": doc["id"]}))["data"]
    assert len(moves) == 1
    move = moves[0]
    assert (D(move["quantity"]), D(move["balance_after"])) == (-4, 6)
    assert (move["reason"], move["document_type"], move["document_number"]) == (
        "outbound",
        "outbound",
        "OUT-000001",
    )
    assert (move["item_id"], move["warehouse_id"]) == (item["id"], wh)
    assert move["actor_id"] == str(role_users.ids[Role.MANAGER])


async def test_approve_is_all_or_nothing_and_names_every_short_line(api, wh, uow_factory):
    plenty, little, never, reserved = [await api.item() for _ in range(4)]
    await api.receive(plenty["id"], 5)
    await api.receive(little["id"], 1)
    await api.receive(reserved["id"], 10)
    blocker = await api.document("outbound", wh, [(reserved["id"], 7)])
    await api.act("outbound", blocker["id"], "approve")

    doc = await api.document(
        "outbound",
        wh,
        [(plenty["id"], 3), (little["id"], 2), (never["id"], "1.5"), (reserved["id"], 4)],
    )
    body = problem(await api.post(f"{OUTBOUNDS}/{doc['id']}/approve"), 409, "insufficient_stock")
    short = {e["field"]: e for e in body["errors"]}
    assert set(short) == {"lines[1].quantity", "lines[2].quantity", "lines[3].quantity"}
    expected = {
        "lines[1].quantity": (little["id"], 2, 1),
        "lines[2].quantity": (never["id"], D("1.5"), 0),
        "lines[3].quantity": (reserved["id"], 4, 3),
    }
    for field, (item_id, requested, available) in expected.items():
        error = short[field]
        assert (error["item_id"], error["warehouse_id"]) == (item_id, wh)
        assert (D(error["requested"]), D(error["available"])) == (requested, available)
        assert error["message"]
        # Quantities are JSON numbers, never strings.
        assert isinstance(error["requested"], int | float)
        assert isinstance(error["available"], int | float)
    assert short["lines[2].quantity"]["code"] == "only_available"
    assert short["lines[2].quantity"]["params"] == {"available": "0", "requested": "1.5"}

    # Nothing was reserved, not even the line that had enough.
    assert await level(api, plenty["id"], wh) == (5, 0, 5)
    assert await level(api, reserved["id"], wh) == (10, 7, 3)
    after = await get_doc(api, "outbound", doc["id"])
    assert after["status"] == "draft"
    assert after["version"] == doc["version"]
    assert [f["action"] for f in after["history"]] == ["created"]
    assert [e.type for e in await outbox(uow_factory, doc["id"])] == ["outbound.created"]

    # With the short lines fixed, it goes through.
    await api.ok(
        "PATCH",
        f"{OUTBOUNDS}/{doc['id']}",
        json={
            "lines": [
                {"item_id": plenty["id"], "quantity": 3},
                {"item_id": reserved["id"], "quantity": 3},
            ]
        },
    )
    await api.act("outbound", doc["id"], "approve")
    assert await level(api, plenty["id"], wh) == (5, 3, 2)
    assert await level(api, reserved["id"], wh) == (10, 10, 0)


async def test_reservations_are_per_warehouse(api, wh):
    item = await api.item()
    other = await api.warehouse()
    await api.receive(item["id"], 10, warehouse_id=other["id"])
    doc = await api.document("outbound", wh, [(item["id"], 1)])
    body = problem(await api.post(f"{OUTBOUNDS}/{doc['id']}/approve"), 409, "insufficient_stock")
    assert body["errors"][0]["warehouse_id"] == wh
    assert D(body["errors"][0]["available"]) == 0
    elsewhere = await api.document("outbound", other["id"], [(item["id"], 10)])
    await api.act("outbound", elsewhere["id"], "approve")
    assert await level(api, item["id"], other["id"]) == (10, 10, 0)


async def test_reopen_and_cancel_release_the_reservation(api, wh):
    item = await api.item()
    await api.receive(item["id"], 10)
    keep = await api.document("outbound", wh, [(item["id"], 2)])
    await api.act("outbound", keep["id"], "approve")
    doc = await api.document("outbound", wh, [(item["id"], 5)])

    await api.act("outbound", doc["id"], "approve")
    assert await level(api, item["id"], wh) == (10, 7, 3)
    reopened = await api.act("outbound", doc["id"], "reopen")
    assert reopened["status"] == "draft"
    assert reopened["approved_by"] is None
    assert reopened["approved_at"] is None
    assert await level(api, item["id"], wh) == (10, 2, 8)

    # A reopened draft may be edited and approved again.
    await api.ok(
        "PATCH",
        f"{OUTBOUNDS}/{doc['id']}",
        json={"lines": [{"item_id": item["id"], "quantity": 8}]},
    )
    await api.act("outbound", doc["id"], "approve")
    assert await level(api, item["id"], wh) == (10, 10, 0)
    cancelled = await api.act("outbound", doc["id"], "cancel", json={"reason": "customer left"})
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == "customer left"
    assert cancelled["cancelled_by"]
    assert cancelled["cancelled_at"]
    assert cancelled["allowed_actions"] == []
    assert await level(api, item["id"], wh) == (10, 2, 8)

    # Cancelling a draft leaves other reservations alone; no body is needed.
    draft = await api.document("outbound", wh, [(item["id"], 1)])
    await api.act("outbound", draft["id"], "cancel")
    assert await level(api, item["id"], wh) == (10, 2, 8)
    # No move was ever written for the released outbound.
    assert (await api.ok("GET", "/api/v1/stock-moves", params={"reason": "outbound"}))["count"] == 0


async def test_inbound_commit_adds_stock_and_updates_moving_average_cost(api, wh, role_users):
    a = await api.item(unit_cost=0)
    b = await api.item(unit_cost=7)
    doc = await api.ok(
        "POST",
        INBOUNDS,
        201,
        json={
            "warehouse_id": wh,
            "lines": [
                {"item_id": a["id"], "quantity": 10, "unit_cost": 100},
                {"item_id": b["id"], "quantity": 3},
            ],
        },
    )
    approved = await api.act("inbound", doc["id"], "approve")
    assert approved["status"] == "approved"
    assert await level(api, a["id"], wh) == (0, 0, 0)  # approving an inbound moves nothing
    committed = await api.act("inbound", doc["id"], "commit")
    assert committed["status"] == "committed"
    assert committed["committed_at"] is not None
    assert committed["committed_by"] == str(role_users.ids[Role.MANAGER])

    assert await level(api, a["id"], wh) == (10, 0, 10)
    assert await level(api, b["id"], wh) == (3, 0, 3)
    moves = (await api.ok("GET", "/api/v1/stock-moves", params={"document_id": doc["id"]}))["data"]
    assert sorted((m["item_id"], D(m["quantity"]), D(m["balance_after"])) for m in moves) == sorted(
        [(a["id"], D(10), D(10)), (b["id"], D(3), D(3))]
    )
    assert {(m["reason"], m["document_number"]) for m in moves} == {("inbound", "IN-000001")}

    async def cost(item):
        return D((await api.ok("GET", f"/api/v1/items/{item['id']}"))["unit_cost"])

    assert await cost(a) == 100  # first receipt sets the cost
    assert await cost(b) == 7  # a line without a cost leaves it alone
    await api.receive(a["id"], 30, unit_cost=200)
    assert await cost(a) == 175  # (10×100 + 30×200) / 40
    await api.ship(a["id"], 20)
    assert await cost(a) == 175  # shipping does not change the average
    other = await api.warehouse()
    await api.receive(a["id"], 20, warehouse_id=other["id"], unit_cost=125)
    assert await cost(a) == 150  # on-hand over every warehouse: (20×175 + 20×125) / 40
    await api.receive(a["id"], 3, unit_cost="1.0001")
    assert await cost(a) == D("139.6047")  # (40×150 + 3×1.0001) / 43, to four places


@pytest.mark.parametrize("kind", ["inbound", "outbound"])
async def test_reverse_creates_an_opposite_draft_that_undoes_the_stock_effect(api, wh, kind):
    item = await api.item()
    await api.receive(item["id"], 10)
    original = await _in_state(api, kind, wh, item["id"], "approved")
    original = await api.act(kind, original["id"], "commit")
    after_original = await level(api, item["id"], wh)

    opposite = "outbound" if kind == "inbound" else "inbound"
    response = await api.post(
        f"/api/v1/{kind}s/{original['id']}/reverse", json={"reason": "entered twice"}
    )
    assert response.status_code == 201, response.text
    reversal = response.json()
    assert response.headers["Location"] == f"/api/v1/{opposite}s/{reversal['id']}"
    assert reversal["status"] == "draft"
    assert reversal["reverses_id"] == original["id"]
    assert reversal["number"].startswith("OUT-" if opposite == "outbound" else "IN-")
    assert reversal["warehouse_id"] == wh
    assert [(ln["item_id"], ln["quantity"]) for ln in reversal["lines"]] == [
        (ln["item_id"], ln["quantity"]) for ln in original["lines"]
    ]
    assert await get_doc(api, opposite, reversal["id"]) == reversal

    reversed_original = await get_doc(api, kind, original["id"])
    assert reversed_original["status"] == "committed"
    assert reversed_original["reversed_by_id"] == reversal["id"]
    assert reversed_original["allowed_actions"] == []
    assert reversed_original["lines"] == original["lines"]
    # Only one reversal at a time; the draft itself does nothing to stock.
    problem(
        await api.post(f"/api/v1/{kind}s/{original['id']}/reverse", json={"reason": "again"}),
        409,
        "invalid_transition",
    )
    assert await level(api, item["id"], wh) == after_original

    await api.act(opposite, reversal["id"], "approve")
    await api.act(opposite, reversal["id"], "commit")
    assert await level(api, item["id"], wh) == (10, 0, 10)
    moves = (await api.ok("GET", "/api/v1/stock-moves", params={"item_id": item["id"]}))["data"]
    by_doc = {m["document_id"]: D(m["quantity"]) for m in moves}
    assert by_doc[original["id"]] == -by_doc[reversal["id"]]
    assert len(moves) == 3  # the receipt, the original and its reversal: nothing rewritten


async def test_reversing_needs_a_reason_and_a_manager(api, wh):
    item = await api.item()
    doc = await api.receive(item["id"], 1)
    url = f"{INBOUNDS}/{doc['id']}/reverse"
    problem(await api.post(url, json={}), 422, "validation_error")
    problem(await api.post(url, json={"reason": ""}), 422, "validation_error")
    problem(await api.post(url, role=Role.STAFF, json={"reason": "x"}), 403, "forbidden")
    assert (await get_doc(api, "inbound", doc["id"]))["reversed_by_id"] is None
    assert (await api.ok("GET", OUTBOUNDS))["count"] == 0


async def test_cancelling_a_reversal_lets_the_original_be_reversed_again(api, wh):
    item = await api.item()
    doc = await api.receive(item["id"], 4)
    first = await api.ok("POST", f"{INBOUNDS}/{doc['id']}/reverse", 201, json={"reason": "a"})
    await api.act("outbound", first["id"], "cancel", json={"reason": "no"})
    original = await get_doc(api, "inbound", doc["id"])
    assert original["reversed_by_id"] is None
    assert original["allowed_actions"] == ["reverse"]
    second = await api.ok("POST", f"{INBOUNDS}/{doc['id']}/reverse", 201, json={"reason": "b"})
    assert (await get_doc(api, "inbound", doc["id"]))["reversed_by_id"] == second["id"]


async def test_reversing_a_receipt_already_shipped_is_short_of_stock(api, wh):
    item = await api.item()
    doc = await api.receive(item["id"], 5)
    await api.ship(item["id"], 4)
    reversal = await api.ok("POST", f"{INBOUNDS}/{doc['id']}/reverse", 201, json={"reason": "x"})
    body = problem(
        await api.post(f"{OUTBOUNDS}/{reversal['id']}/approve"), 409, "insufficient_stock"
    )
    assert [(e["field"], D(e["available"])) for e in body["errors"]] == [("lines[0].quantity", 1)]
    assert await level(api, item["id"], wh) == (1, 0, 1)


async def test_allowed_actions_follow_state_role_and_ownership(api, wh, other_staff):
    item = await api.item()
    await api.receive(item["id"], 10)
    doc = await api.document("outbound", wh, [(item["id"], 1)], role=Role.STAFF)

    async def actions(role=Role.MANAGER, headers=None):
        body = await api.ok("GET", f"{OUTBOUNDS}/{doc['id']}", role=role, headers=headers)
        return set(body["allowed_actions"])

    async def every_role():
        return {
            "viewer": await actions(Role.VIEWER),
            "owner": await actions(Role.STAFF),
            "other": await actions(headers=other_staff),
            "manager": await actions(Role.MANAGER),
            "admin": await actions(Role.ADMIN),
        }

    assert await every_role() == {
        "viewer": set(),
        "owner": {"update", "cancel"},
        "other": set(),
        "manager": {"update", "approve", "cancel"},
        "admin": {"update", "approve", "cancel"},
    }
    await api.act("outbound", doc["id"], "approve")
    assert await every_role() == {
        "viewer": set(),
        "owner": set(),
        "other": set(),
        "manager": {"reopen", "commit", "cancel"},
        "admin": {"reopen", "commit", "cancel"},
    }
    await api.act("outbound", doc["id"], "commit", role=Role.ADMIN)
    assert await every_role() == {
        "viewer": set(),
        "owner": set(),
        "other": set(),
        "manager": {"reverse"},
        "admin": {"reverse"},
    }
    # The listing tells the same as the detail.
    listed = await api.ok("GET", OUTBOUNDS, role=Role.STAFF)
    assert listed["data"][0]["allowed_actions"] == []
    listed = await api.ok("GET", OUTBOUNDS)
    assert listed["data"][0]["allowed_actions"] == ["reverse"]


async def test_history_lists_every_flow_oldest_first(api, wh, role_users):
    item = await api.item()
    await api.receive(item["id"], 10)
    doc = await api.document("outbound", wh, [(item["id"], 1)], role=Role.STAFF)
    await api.ok("PATCH", f"{OUTBOUNDS}/{doc['id']}", role=Role.STAFF, json={"memo": "m"})
    for action in ("approve", "reopen", "approve", "commit"):
        await api.act("outbound", doc["id"], action)
    history = (await get_doc(api, "outbound", doc["id"]))["history"]
    assert [(f["action"], f["from_status"], f["to_status"]) for f in history] == [
        ("created", None, "draft"),
        ("updated", "draft", "draft"),
        ("approved", "draft", "approved"),
        ("updated", "approved", "draft"),
        ("approved", "draft", "approved"),
        ("committed", "approved", "committed"),
    ]
    times = [f["created_at"] for f in history]
    assert times == sorted(times)
    assert {f["entity_id"] for f in history} == {doc["id"]}
    assert {f["entity_type"] for f in history} == {"outbound"}
    assert {f["entity_number"] for f in history} == {doc["number"]}
    assert history[0]["actor_id"] == str(role_users.ids[Role.STAFF])
    assert history[-1]["actor_id"] == str(role_users.ids[Role.MANAGER])
    flows = await api.ok("GET", "/api/v1/flows", params={"entity_id": doc["id"]})
    assert sorted(f["id"] for f in flows["data"]) == sorted(f["id"] for f in history)


async def test_each_change_answers_with_the_history_it_leaves_without_reading_it_again(
    api, app, wh
):
    """The flows come loaded with the document and the new one is appended: the answer
    matches what a later read shows, and no statement reads the flows on their own."""
    item = await api.item()
    await api.receive(item["id"], 10)
    doc = await api.document("outbound", wh, [(item["id"], 1)])
    changes = [("PATCH", f"{OUTBOUNDS}/{doc['id']}", {"memo": "m"})] + [
        ("POST", f"{OUTBOUNDS}/{doc['id']}/{action}", None)
        for action in ("approve", "reopen", "approve", "commit")
    ]
    for method, url, body in changes:
        with recorded_statements(app) as seen:
            answer = await api.ok(method, url, json=body)
        assert not [sql for sql in seen if "FROM flows" in sql], seen
        assert answer["history"] == (await get_doc(api, "outbound", doc["id"]))["history"]
    assert [f["action"] for f in answer["history"]] == [
        "created",
        "updated",
        "approved",
        "updated",
        "approved",
        "committed",
    ]


async def test_list_filters(api, wh):
    a, b = await api.item(), await api.item()
    other = await api.warehouse()
    d1 = await api.document(
        "inbound", wh, [(a["id"], 1)], partner="Acme Supplies", reference="PO-77"
    )
    await api.act("inbound", d1["id"], "approve")
    d2 = await api.document("inbound", other["id"], [(b["id"], 1)], partner="Beta")
    d3 = await api.document("inbound", wh, [(a["id"], 1), (b["id"], 2)], reference="po-99")
    await api.act("inbound", d3["id"], "approve")
    await api.act("inbound", d3["id"], "commit")
    d4 = await api.document("inbound", wh, [(b["id"], 1)])
    await api.act("inbound", d4["id"], "cancel")
    out = await api.document("outbound", wh, [(a["id"], 1)], partner="Acme")

    async def numbers(**params):
        page = await api.ok("GET", INBOUNDS, params=params)
        assert page["count"] == len(page["data"])
        return {d["number"] for d in page["data"]}

    n1, n2, n3, n4 = (d["number"] for d in (d1, d2, d3, d4))
    assert await numbers() == {n1, n2, n3, n4}
    assert await numbers(status="draft") == {n2}
    assert await numbers(status="approved") == {n1}
    assert await numbers(status="committed") == {n3}
    assert await numbers(status="cancelled") == {n4}
    assert await numbers(warehouse_id=other["id"]) == {n2}
    assert await numbers(warehouse_id=wh, status="committed") == {n3}
    assert await numbers(item_id=a["id"]) == {n1, n3}
    assert await numbers(item_id=b["id"]) == {n2, n3, n4}
    assert await numbers(q="acme") == {n1}
    assert await numbers(q="PO-") == {n1, n3}
    assert await numbers(q="po_") == set()  # LIKE's wildcards are literal in a search
    assert await numbers(q="%") == set()
    assert await numbers(q=n2.lower()) == {n2}
    assert await numbers(q="nothing-like-this") == set()
    assert await numbers(**{"from": d2["created_at"]}) == {n2, n3, n4}
    assert await numbers(to=d3["created_at"]) == {n1, n2, n3}
    assert await numbers(**{"from": d2["created_at"], "to": d3["created_at"]}) == {n2, n3}
    page = await api.ok("GET", INBOUNDS, params={"limit": 2, "page": 2, "sort": "number"})
    assert (page["count"], [d["number"] for d in page["data"]]) == (4, [n3, n4])
    summary = next(d for d in (await api.ok("GET", INBOUNDS))["data"] if d["id"] == d3["id"])
    assert (summary["line_count"], D(summary["total_quantity"])) == (2, 3)
    outs = await api.ok("GET", OUTBOUNDS, params={"q": "acme"})
    assert [d["number"] for d in outs["data"]] == [out["number"]]
    for bad in (
        {"status": "shipped"},
        {"warehouse_id": "x"},
        {"from": "yesterday"},
        {"limit": 0},
        {"limit": 201},
        {"page": 0},
        {"sort": "secret"},
    ):
        problem(await api.get(INBOUNDS, params=bad), 422, "validation_error")


async def test_stale_if_match_is_412_and_changes_nothing(api, wh):
    item = await api.item()
    await api.receive(item["id"], 10)
    doc = await api.document("outbound", wh, [(item["id"], 3)])
    got = await api.get(f"{OUTBOUNDS}/{doc['id']}")
    assert got.headers["ETag"] == f'"{doc["version"]}"'
    stale = got.headers["ETag"]
    edited = await api.ok(
        "PATCH", f"{OUTBOUNDS}/{doc['id']}", json={"memo": "x"}, headers={"If-Match": stale}
    )
    assert edited["version"] > doc["version"]

    for method, tail, kwargs in [
        ("PATCH", "", {"json": {"memo": "y"}}),
        ("POST", "/approve", {}),
        ("POST", "/cancel", {"json": {"reason": "r"}}),
    ]:
        response = await api.request(
            method, f"{OUTBOUNDS}/{doc['id']}{tail}", headers={"If-Match": stale}, **kwargs
        )
        problem(response, 412, "precondition_failed")
    assert await get_doc(api, "outbound", doc["id"]) == edited
    assert await level(api, item["id"], wh) == (10, 0, 10)

    response = await api.post(
        f"{OUTBOUNDS}/{doc['id']}/approve", headers={"If-Match": f'"{edited["version"]}"'}
    )
    assert response.status_code == 200, response.text
    approved = response.json()
    assert response.headers["ETag"] == f'"{approved["version"]}"'
    assert approved["version"] > edited["version"]
    for tail in ("/commit", "/reopen"):
        problem(
            await api.post(
                f"{OUTBOUNDS}/{doc['id']}{tail}", headers={"If-Match": f'"{edited["version"]}"'}
            ),
            412,
            "precondition_failed",
        )
    assert await level(api, item["id"], wh) == (10, 3, 7)
    committed = await api.act(
        "outbound", doc["id"], "commit", headers={"If-Match": f'W/"{approved["version"]}"'}
    )
    problem(
        await api.post(
            f"{OUTBOUNDS}/{doc['id']}/reverse",
            json={"reason": "x"},
            headers={"If-Match": f'"{approved["version"]}"'},
        ),
        412,
        "precondition_failed",
    )
    await api.ok(
        "POST",
        f"{OUTBOUNDS}/{doc['id']}/reverse",
        201,
        json={"reason": "x"},
        headers={"If-Match": f'"{committed["version"]}"'},
    )
    problem(
        await api.patch(
            f"{INBOUNDS}/{doc['id']}", json={"memo": "z"}, headers={"If-Match": "soon"}
        ),
        422,
        "validation_error",
    )


async def test_approve_and_commit_write_outbox_events_with_the_change(api, wh, uow_factory):
    item = await api.item()
    inbound = await api.receive(item["id"], 10)
    doc = await api.document("outbound", wh, [(item["id"], 4)], partner="Cust")
    await api.act("outbound", doc["id"], "approve")
    await api.act("outbound", doc["id"], "commit")
    problem(await api.post(f"{OUTBOUNDS}/{doc['id']}/commit"), 409, "invalid_transition")

    assert [e.type for e in await outbox(uow_factory, inbound["id"])] == [
        "inbound.created",
        "inbound.approved",
        "inbound.committed",
    ]
    events = await outbox(uow_factory, doc["id"])
    assert [e.type for e in events] == [
        "outbound.created",
        "outbound.approved",
        "outbound.committed",
    ]
    for event in events:
        assert event.entity_type == "outbound"
        assert event.data["id"] == doc["id"]
        assert event.data["number"] == doc["number"]
        assert event.data["partner"] == "Cust"
        assert [(ln["item_id"], D(ln["quantity"])) for ln in event.data["lines"]] == [
            (item["id"], D(4))
        ]
    assert events[1].data["status"] == "approved"
    assert events[2].data["status"] == "committed"


async def test_a_failed_transition_leaves_no_event_flow_or_move(api, wh, uow_factory):
    item = await api.item()
    await api.receive(item["id"], 1)
    doc = await api.document("outbound", wh, [(item["id"], 2)])
    moves_before = await count_rows(uow_factory, StockMove)
    flows_before = await count_rows(uow_factory, Flow)
    problem(await api.post(f"{OUTBOUNDS}/{doc['id']}/approve"), 409, "insufficient_stock")
    problem(await api.post(f"{OUTBOUNDS}/{doc['id']}/commit"), 409, "invalid_transition")
    assert [e.type for e in await outbox(uow_factory, doc["id"])] == ["outbound.created"]
    assert await count_rows(uow_factory, StockMove) == moves_before
    assert await count_rows(uow_factory, Flow) == flows_before
