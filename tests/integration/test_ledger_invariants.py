"""The ledger's invariants hold after any sequence of stock operations (Hypothesis stateful).

The machine drives the services (documents and ledger) through real units of work against the
session's database, and keeps a plain Python model of what stock should be. After every step
it checks, by SQL, that the stored stock rows are what the ledger says:

- on_hand == SUM(stock_moves.quantity) per (item, warehouse);
- each move's balance_after == the previous balance + its quantity, seq contiguous from 1;
- 0 <= reserved <= on_hand;
- reserved == the sum of approved outbound lines;
- only committed documents have moves, one per line;
- an item has an open low-stock alert exactly when its reorder point is set and what is
  available over all warehouses is at or below it;

and that every level matches the model, and that an operation was refused exactly when the
model said there was not enough stock.

Hypothesis state machines are synchronous, so the async services run on an event loop of
this test's own, with an engine of its own on the session's database.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from erp_engine.catalog import service as catalog
from erp_engine.db.engine import create_engine, create_session_factories
from erp_engine.documents import service as documents
from erp_engine.documents.model import DocumentKind
from erp_engine.errors import ConflictError, InsufficientStockError
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.roles import Role
from erp_engine.ledger import service as ledger
from erp_engine.uow import UnitOfWork
from erp_engine.warehouses import service as warehouses
from tests.conftest import reset_database

ACTOR = Principal(id=uuid.uuid4(), name="Hypothesis", role=Role.MANAGER)
ITEMS = 3
# Each item's reorder point: none, and two that the operations' quantities cross often.
REORDER_POINTS = (Decimal(0), Decimal(4), Decimal(15))
SCALE = 1000  # quantities are stored as integers of thousandths
MACHINE_SETTINGS = hypothesis_settings(
    max_examples=15,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(12), places=3)
counts = st.decimals(min_value=Decimal(0), max_value=Decimal(15), places=3)


@dataclass
class Env:
    loop: asyncio.AbstractEventLoop
    engine: object
    sessions: object

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)


@dataclass
class Doc:
    kind: DocumentKind
    warehouse: int
    lines: dict[int, Decimal]  # item index -> quantity
    status: str = "draft"


@dataclass
class Model:
    on_hand: dict[tuple[int, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    reserved: dict[tuple[int, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def available(self, item: int, warehouse: int) -> Decimal:
        return self.on_hand[item, warehouse] - self.reserved[item, warehouse]

    def low(self, item: int) -> bool:
        available = sum(self.available(item, warehouse) for warehouse in (0, 1))
        return REORDER_POINTS[item] > 0 and available <= REORDER_POINTS[item]


@pytest.fixture
def env(settings):
    loop = asyncio.new_event_loop()
    engine = create_engine(settings)
    write_sessions, _ = create_session_factories(engine)
    yield Env(loop, engine, write_sessions)
    try:
        loop.run_until_complete(
            reset_database(SimpleNamespace(state=SimpleNamespace(db_engine=engine)))
        )
        loop.run_until_complete(engine.dispose())
    finally:
        loop.close()


def lines_strategy():
    return st.dictionaries(st.integers(0, ITEMS - 1), quantities, min_size=1, max_size=ITEMS)


class LedgerMachine(RuleBasedStateMachine):
    env: Env  # bound by the test

    def __init__(self):
        super().__init__()
        env = self.env
        env.run(reset_database(SimpleNamespace(state=SimpleNamespace(db_engine=env.engine))))
        self.items = [
            env.run(
                catalog.create_item(
                    env.uow(),
                    sku=f"PROP-{n}",
                    name=f"Prop {n}",
                    reorder_point=REORDER_POINTS[n],
                    actor=ACTOR,
                )
            ).id
            for n in range(ITEMS)
        ]
        main = env.run(self._main_warehouse())
        second = env.run(
            warehouses.create_warehouse(env.uow(), code="SECOND", name="Second", actor=ACTOR)
        )
        self.warehouses = [main, second.id]
        self.model = Model()
        self.docs: dict[uuid.UUID, Doc] = {}

    async def _main_warehouse(self) -> uuid.UUID:
        async with self.env.engine.connect() as connection:
            result = await connection.execute(text("SELECT id FROM warehouses WHERE code = 'MAIN'"))
            value = result.scalar_one()
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

    # Helpers ----------------------------------------------------------------------------------

    def _create(self, kind: DocumentKind, warehouse: int, lines: dict[int, Decimal]) -> uuid.UUID:
        doc = self.env.run(
            documents.create_document(
                self.env.uow(),
                kind,
                warehouse_id=self.warehouses[warehouse],
                actor=ACTOR,
                lines=[documents.LineInput(self.items[i], q) for i, q in sorted(lines.items())],
            )
        )
        self.docs[doc.document.id] = Doc(kind, warehouse, dict(lines))
        return doc.document.id

    def _act(self, doc_id: uuid.UUID, action: str) -> None:
        doc = self.docs[doc_id]
        self.env.run(
            documents.transition_document(self.env.uow(), doc.kind, doc_id, action, actor=ACTOR)
        )

    def _with_status(self, *statuses: str, kind: DocumentKind | None = None) -> list[uuid.UUID]:
        """In the order they were created: ids are random, so an order by id would let the
        same choices pick other documents when Hypothesis replays a case (it then fails with
        FlakyStrategyDefinition)."""
        return [
            doc_id
            for doc_id, doc in self.docs.items()
            if doc.status in statuses and (kind is None or doc.kind is kind)
        ]

    def _attempt(self, coroutine, refusal: type[Exception]) -> set[str] | None:
        """Run a use case: None when it went through, else the fields its refusal names."""
        try:
            self.env.run(coroutine)
        except refusal as error:
            return {e["field"] for e in error.errors or []}
        return None

    def _short(self, lines: dict[int, Decimal], warehouse: int) -> set[str]:
        """The lines the model cannot cover from what is available, as the API names them."""
        return {
            f"lines[{n}].quantity"
            for n, (i, q) in enumerate(sorted(lines.items()))
            if self.model.available(i, warehouse) < q
        }

    def _approve(self, doc_id: uuid.UUID) -> None:
        doc = self.docs[doc_id]
        short = (
            self._short(doc.lines, doc.warehouse) if doc.kind is DocumentKind.OUTBOUND else set()
        )
        refused = self._attempt(
            documents.transition_document(self.env.uow(), doc.kind, doc_id, "approve", actor=ACTOR),
            InsufficientStockError,
        )
        if short:
            assert refused == short, f"model lacks {short}, service refused {refused}"
            return
        assert refused is None, f"refused {refused} although the model has enough"
        doc.status = "approved"
        if doc.kind is DocumentKind.OUTBOUND:
            for i, q in doc.lines.items():
                self.model.reserved[i, doc.warehouse] += q

    def _release(self, doc: Doc) -> None:
        if doc.kind is DocumentKind.OUTBOUND and doc.status == "approved":
            for i, q in doc.lines.items():
                self.model.reserved[i, doc.warehouse] -= q

    # Rules ------------------------------------------------------------------------------------

    @rule(warehouse=st.integers(0, 1), lines=lines_strategy(), commit=st.booleans())
    def receive(self, warehouse, lines, commit):
        doc_id = self._create(DocumentKind.INBOUND, warehouse, lines)
        self._approve(doc_id)
        if commit:
            self.commit_document(doc_id)

    @rule(warehouse=st.integers(0, 1), lines=lines_strategy())
    def create_and_approve_outbound(self, warehouse, lines):
        self._approve(self._create(DocumentKind.OUTBOUND, warehouse, lines))

    @precondition(lambda self: self._with_status("draft"))
    @rule(data=st.data())
    def approve_draft(self, data):
        self._approve(data.draw(st.sampled_from(self._with_status("draft"))))

    @precondition(lambda self: self._with_status("approved"))
    @rule(data=st.data())
    def commit(self, data):
        self.commit_document(data.draw(st.sampled_from(self._with_status("approved"))))

    def commit_document(self, doc_id: uuid.UUID) -> None:
        doc = self.docs[doc_id]
        self._act(doc_id, "commit")
        for i, q in doc.lines.items():
            if doc.kind is DocumentKind.OUTBOUND:
                self.model.on_hand[i, doc.warehouse] -= q
                self.model.reserved[i, doc.warehouse] -= q
            else:
                self.model.on_hand[i, doc.warehouse] += q
        doc.status = "committed"

    @precondition(lambda self: self._with_status("approved"))
    @rule(data=st.data())
    def reopen(self, data):
        doc_id = data.draw(st.sampled_from(self._with_status("approved")))
        self._act(doc_id, "reopen")
        self._release(self.docs[doc_id])
        self.docs[doc_id].status = "draft"

    @precondition(lambda self: self._with_status("draft", "approved"))
    @rule(data=st.data())
    def cancel(self, data):
        doc_id = data.draw(st.sampled_from(self._with_status("draft", "approved")))
        self._act(doc_id, "cancel")
        self._release(self.docs[doc_id])
        self.docs[doc_id].status = "cancelled"

    @rule(
        warehouse=st.integers(0, 1),
        lines=st.dictionaries(st.integers(0, ITEMS - 1), counts, min_size=1, max_size=ITEMS),
    )
    def adjust(self, warehouse, lines):
        below = {
            f"lines[{n}].counted_quantity"
            for n, (i, c) in enumerate(sorted(lines.items()))
            if c < self.model.reserved[i, warehouse]
        }
        refused = self._attempt(
            ledger.adjust_stock(
                self.env.uow(),
                warehouse_id=self.warehouses[warehouse],
                reason="count",
                lines=[(self.items[i], c) for i, c in sorted(lines.items())],
                actor=ACTOR,
            ),
            ConflictError,
        )
        if below:
            assert refused == below, f"counts {below} undercut reservations; refused {refused}"
            return
        assert refused is None, f"count refused ({refused}) although no reservation is undercut"
        for i, c in lines.items():
            self.model.on_hand[i, warehouse] = c

    @rule(source=st.integers(0, 1), lines=lines_strategy())
    def transfer(self, source, lines):
        target = 1 - source
        short = self._short(lines, source)
        refused = self._attempt(
            ledger.transfer_stock(
                self.env.uow(),
                from_warehouse_id=self.warehouses[source],
                to_warehouse_id=self.warehouses[target],
                memo=None,
                actor=ACTOR,
                lines=[(self.items[i], q) for i, q in sorted(lines.items())],
            ),
            InsufficientStockError,
        )
        if short:
            assert refused == short, f"model lacks {short}, service refused {refused}"
            return
        assert refused is None, f"refused {refused} although the model has enough"
        for i, q in lines.items():
            self.model.on_hand[i, source] -= q
            self.model.on_hand[i, target] += q

    # Invariants -------------------------------------------------------------------------------

    def _rows(self, sql: str) -> list:
        async def fetch():
            async with self.env.engine.connect() as connection:
                return (await connection.execute(text(sql))).all()

        return self.env.run(fetch())

    @staticmethod
    def _key(item_id, warehouse_id) -> tuple[str, str]:
        return str(item_id).replace("-", ""), str(warehouse_id).replace("-", "")

    @invariant()
    def on_hand_is_the_sum_of_the_ledger(self):
        levels = {
            self._key(i, w): (on_hand, count)
            for i, w, on_hand, count in self._rows(
                "SELECT item_id, warehouse_id, on_hand, move_count FROM stock_levels"
            )
        }
        sums = {
            self._key(i, w): (total, n)
            for i, w, total, n in self._rows(
                "SELECT item_id, warehouse_id, SUM(quantity), COUNT(*) FROM stock_moves "
                "GROUP BY item_id, warehouse_id"
            )
        }
        assert set(sums) <= set(levels), "moves without a stock row"
        for key, (on_hand, move_count) in levels.items():
            total, n = sums.get(key, (0, 0))
            assert on_hand == total, f"{key}: on_hand {on_hand} != ledger sum {total}"
            assert move_count == n, f"{key}: move_count {move_count} != {n} moves"

    @invariant()
    def each_balance_follows_from_the_previous_one(self):
        chains: dict[tuple[str, str], list] = defaultdict(list)
        for i, w, seq, quantity, balance in self._rows(
            "SELECT item_id, warehouse_id, seq, quantity, balance_after FROM stock_moves "
            "ORDER BY item_id, warehouse_id, seq"
        ):
            chains[self._key(i, w)].append((seq, quantity, balance))
        for key, chain in chains.items():
            assert [seq for seq, _, _ in chain] == list(range(1, len(chain) + 1)), key
            previous = 0
            for seq, quantity, balance in chain:
                assert quantity != 0, (key, seq)
                assert balance == previous + quantity, (key, seq, previous, quantity, balance)
                assert balance >= 0, (key, seq)
                previous = balance

    @invariant()
    def reserved_is_within_on_hand_and_is_what_approved_outbounds_hold(self):
        held = {
            self._key(i, w): total
            for i, w, total in self._rows(
                "SELECT l.item_id, d.warehouse_id, SUM(l.quantity) FROM document_lines l "
                "JOIN documents d ON d.id = l.document_id "
                "WHERE d.kind = 'outbound' AND d.status = 'approved' "
                "GROUP BY l.item_id, d.warehouse_id"
            )
        }
        levels = self._rows("SELECT item_id, warehouse_id, on_hand, reserved FROM stock_levels")
        keys = set()
        for i, w, on_hand, reserved in levels:
            key = self._key(i, w)
            keys.add(key)
            assert 0 <= reserved <= on_hand, (key, reserved, on_hand)
            assert reserved == held.get(key, 0), (key, reserved, held.get(key, 0))
        assert set(held) <= keys, "a reservation without a stock row"

    @invariant()
    def only_committed_documents_have_moves_one_per_line(self):
        per_document = dict(
            self._rows(
                "SELECT document_id, COUNT(*) FROM stock_moves "
                "WHERE reason IN ('inbound', 'outbound') GROUP BY document_id"
            )
        )
        per_document = {str(k).replace("-", ""): n for k, n in per_document.items()}
        for doc_id, doc in self.docs.items():
            expected = len(doc.lines) if doc.status == "committed" else 0
            assert per_document.get(doc_id.hex, 0) == expected, (doc.kind, doc.status)

    @invariant()
    def stock_rows_match_the_model(self):
        stored = {
            self._key(i, w): (on_hand, reserved)
            for i, w, on_hand, reserved in self._rows(
                "SELECT item_id, warehouse_id, on_hand, reserved FROM stock_levels"
            )
        }
        for item, item_id in enumerate(self.items):
            for warehouse, warehouse_id in enumerate(self.warehouses):
                expected = (
                    int(self.model.on_hand[item, warehouse] * SCALE),
                    int(self.model.reserved[item, warehouse] * SCALE),
                )
                actual = stored.get(self._key(item_id, warehouse_id), (0, 0))
                assert actual == expected, (item, warehouse, actual, expected)

    @invariant()
    def an_alert_is_open_exactly_for_the_low_items(self):
        open_for = {
            str(item_id).replace("-", "")
            for (item_id,) in self._rows("SELECT item_id FROM alerts WHERE status = 'open'")
        }
        for item, item_id in enumerate(self.items):
            assert (item_id.hex in open_for) == self.model.low(item), (item, self.model.low(item))


def test_ledger_invariants_hold_after_any_sequence_of_operations(env):
    machine = type("BoundLedgerMachine", (LedgerMachine,), {"env": env})
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
