"""Loads and stores inbound and outbound documents with their lines."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Integer,
    String,
    Text,
    Uuid,
    bindparam,
    cast,
    column,
    exists,
    func,
    insert,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from erp_engine.db.types import Money, Qty
from erp_engine.documents.model import DocumentKind, DocumentLine, StockDocument
from erp_engine.flows.model import Flow
from erp_engine.numbering.model import PREFIXES, format_number
from erp_engine.numbering.repository import NEXT_VALUE, CounterRepository

# Statements on every document's path are built once, with bind parameters: building one
# per call, and computing its cache key, costs about as much as executing it. The lines and
# the flow history come joined to the document: one round trip instead of three for every
# action on a document (the rows are lines × flows; a document has a handful of flows).
# Parameters `id` and `kind`; the read side's detail view uses it too.
LOAD_DOCUMENT = (
    select(StockDocument)
    .where(StockDocument.id == bindparam("id"), StockDocument.kind == bindparam("kind"))
    .options(joinedload(StockDocument.lines), joinedload(StockDocument.history))
)
_LOAD_FOR_UPDATE = LOAD_DOCUMENT.with_for_update(of=StockDocument)

_documents = StockDocument.__table__
_lines = DocumentLine.__table__
_flows = Flow.__table__
_QTY, _MONEY = Qty(), Money()


def _row(table, obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in table.columns}


def _numbered_insert():
    """PostgreSQL: one statement takes the next number and writes the document with it,
    its lines and its "created" flow.

    Numbers are gap-free, so the counter row stays locked from the number to the COMMIT and
    creates of one kind run one at a time through that stretch. Taking the number in the
    statement that writes every row carrying it keeps the stretch to this round trip and the
    few after it, instead of one per table (measured: creates waited on the counter for most
    of a 16-client run).
    """
    taken = NEXT_VALUE.cte("taken")
    value = cast(taken.c.last_value, Text)
    # format_number's f"{value:06d}": at least six digits, never cut.
    number = bindparam("prefix", type_=String) + func.lpad(
        value, func.greatest(6, func.length(value)), "0"
    )

    def values(table, **computed):
        return [
            computed[c.key]
            if c.key in computed
            else bindparam(f"{table.name}_{c.key}", type_=c.type)
            for c in table.columns
        ]

    document = (
        insert(_documents)
        .from_select(
            [c.key for c in _documents.columns],
            select(*values(_documents, number=number)).select_from(taken),
        )
        .returning(_documents.c.number)
        .cte("document")
    )
    lines = (
        func.unnest(
            bindparam("line_ids", type_=ARRAY(Uuid)),
            bindparam("line_nos", type_=ARRAY(Integer)),
            bindparam("line_items", type_=ARRAY(Uuid)),
            bindparam("line_quantities", type_=ARRAY(BigInteger)),
            bindparam("line_costs", type_=ARRAY(BigInteger)),
        )
        .table_valued(
            column("id", Uuid),
            column("line_no", Integer),
            column("item_id", Uuid),
            column("quantity", Qty()),
            column("unit_cost", Money()),
        )
        .render_derived(name="line")
    )
    new_lines = insert(_lines).from_select(
        ["id", "document_id", "line_no", "item_id", "quantity", "unit_cost"],
        select(
            lines.c.id,
            bindparam("documents_id", type_=Uuid),
            lines.c.line_no,
            lines.c.item_id,
            lines.c.quantity,
            lines.c.unit_cost,
        ).select_from(document.join(lines, true())),
    )
    flow = insert(_flows).from_select(
        [c.key for c in _flows.columns],
        select(*values(_flows, entity_number=document.c.number)).select_from(document),
    )
    return select(document.c.number).add_cte(new_lines.cte("lines"), flow.cte("flow"))


_NUMBERED_INSERT = _numbered_insert()


class DocumentRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(
        self, kind: DocumentKind, document_id: uuid.UUID, *, for_update: bool = False
    ) -> StockDocument | None:
        """The document with its lines and history; the row is locked first when `for_update`."""
        stmt = _LOAD_FOR_UPDATE if for_update else LOAD_DOCUMENT
        found = await self.session.execute(stmt, {"id": document_id, "kind": kind})
        return found.unique().scalar_one_or_none()

    async def insert_numbered(self, document: StockDocument, created: Flow) -> None:
        """Write a new document, its lines and its "created" flow under the next number of
        its kind, and set that number on both. The objects stay outside the session: the
        caller writes their audit rows itself."""
        lines = document.lines
        if self.session.get_bind().dialect.name != "postgresql":
            # SQLite writes one transaction at a time anyway: the plain statements will do.
            value = await CounterRepository(self.session).next_value(document.kind)
            document.number = created.entity_number = format_number(document.kind, value)
            await self.session.execute(insert(_documents), [_row(_documents, document)])
            await self.session.execute(insert(_lines), [_row(_lines, line) for line in lines])
            await self.session.execute(insert(_flows), [_row(_flows, created)])
            return
        params = {f"documents_{k}": v for k, v in _row(_documents, document).items()}
        params |= {f"flows_{k}": v for k, v in _row(_flows, created).items()}
        number = (
            await self.session.execute(
                _NUMBERED_INSERT,
                {
                    **params,
                    "counter_kind": document.kind,
                    "prefix": f"{PREFIXES[document.kind]}-",
                    "line_ids": [line.id for line in lines],
                    "line_nos": [line.line_no for line in lines],
                    "line_items": [line.item_id for line in lines],
                    "line_quantities": [_QTY.process_bind_param(ln.quantity, None) for ln in lines],
                    "line_costs": [_MONEY.process_bind_param(ln.unit_cost, None) for ln in lines],
                },
            )
        ).scalar_one()
        document.number = created.entity_number = number

    async def warehouse_has_documents(self, warehouse_id: uuid.UUID) -> bool:
        stmt = select(exists().where(StockDocument.warehouse_id == warehouse_id))
        return bool(await self.session.scalar(stmt))
