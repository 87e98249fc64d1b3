"""Inbound (receipt) and outbound (shipment) documents, their workflow and who may act."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    and_,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from erp_engine.db.base import UPDATED_WITH_APPENDS, Base
from erp_engine.db.columns import Timestamped, UUIDKey
from erp_engine.db.types import Money, Qty, UTCDateTime
from erp_engine.errors import ForbiddenError, InvalidTransitionError
from erp_engine.flows.model import Flow
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.roles import Role
from erp_engine.kernel.workflow import Transition, Workflow


class DocumentKind(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"

    @property
    def opposite(self) -> DocumentKind:
        return DocumentKind.OUTBOUND if self is DocumentKind.INBOUND else DocumentKind.INBOUND


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    COMMITTED = "committed"
    CANCELLED = "cancelled"


DRAFT, APPROVED, COMMITTED, CANCELLED = DocumentStatus

WORKFLOW: Workflow[DocumentStatus] = Workflow(
    Transition("update", frozenset({DRAFT}), DRAFT),
    Transition("approve", frozenset({DRAFT}), APPROVED),
    Transition("reopen", frozenset({APPROVED}), DRAFT),
    Transition("commit", frozenset({APPROVED}), COMMITTED),
    Transition("cancel", frozenset({DRAFT, APPROVED}), CANCELLED),
    Transition("reverse", frozenset({COMMITTED}), COMMITTED),
)

# Minimum role per action; the owner of a draft may also edit and cancel it as staff.
MINIMUM_ROLE = {
    "update": Role.MANAGER,
    "approve": Role.MANAGER,
    "reopen": Role.MANAGER,
    "commit": Role.MANAGER,
    "cancel": Role.MANAGER,
    "reverse": Role.MANAGER,
}
OWNER_DRAFT_ACTIONS = frozenset({"update", "cancel"})
CREATE_ROLE = Role.STAFF

# The flow action written for each workflow action.
FLOW_ACTION = {
    "update": "updated",
    "approve": "approved",
    "reopen": "updated",
    "commit": "committed",
    "cancel": "cancelled",
    "reverse": "updated",
}


# The nullable fields of a document. A new draft sets each explicitly (None unless given), so
# the object still answers for them after its INSERT: an async session cannot load an unset
# attribute back lazily.
NOT_YET = (
    "partner",
    "reference",
    "memo",
    "expected_at",
    "approved_by",
    "approved_at",
    "committed_by",
    "committed_at",
    "cancelled_by",
    "cancelled_at",
    "cancel_reason",
    "reverses_id",
    "reversed_by_id",
)


class StockDocument(UUIDKey, Timestamped, Base):
    __tablename__ = "documents"

    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.DRAFT)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("warehouses.id", ondelete="RESTRICT"), index=True
    )
    partner: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(200))
    memo: Mapped[str | None] = mapped_column(Text)
    expected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    committed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("documents.id"))
    reversed_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("documents.id"))
    version: Mapped[int] = mapped_column(default=1)

    lines: Mapped[list[DocumentLine]] = relationship(
        order_by="DocumentLine.line_no", cascade="all, delete-orphan", lazy="raise"
    )
    # The document's flows, oldest first: loaded with it, so an action answers with its
    # history without reading it again. Read-only: flows are appended (flows/service.py).
    history: Mapped[list[Flow]] = relationship(
        primaryjoin=lambda: and_(
            foreign(Flow.entity_id) == StockDocument.id,
            foreign(Flow.entity_type) == StockDocument.kind,
        ),
        order_by=lambda: (Flow.created_at, Flow.id),
        viewonly=True,
        lazy="raise",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        UniqueConstraint("kind", "number"),
        # Documents waiting for approval: the dashboard's counts and the lists' status tabs.
        Index("ix_documents_status_kind", "status", "kind"),
        CheckConstraint("kind IN ('inbound', 'outbound')", name="kind"),
        CheckConstraint("status IN ('draft', 'approved', 'committed', 'cancelled')", name="status"),
        # An action's change of the document goes out with its audit row, flow and event.
        {"info": {UPDATED_WITH_APPENDS: True}},
    )

    @property
    def document_kind(self) -> DocumentKind:
        return DocumentKind(self.kind)

    @property
    def state(self) -> DocumentStatus:
        return DocumentStatus(self.status)

    def may(self, actor: Principal, action: str) -> bool:
        """Whether the actor's role (or ownership of a draft) permits `action` at all."""
        if actor.has(MINIMUM_ROLE[action]):
            return True
        return (
            action in OWNER_DRAFT_ACTIONS
            and self.state is DRAFT
            and actor.has(CREATE_ROLE)
            and actor.id == self.created_by
        )

    def allowed_actions(self, actor: Principal) -> list[str]:
        """The actions `actor` may take now: the workflow and the role table combined."""
        return [
            action
            for action in WORKFLOW.allowed_actions(self.state)
            if self.may(actor, action) and self._precondition_holds(action)
        ]

    def _precondition_holds(self, action: str) -> bool:
        return not (action == "reverse" and self.reversed_by_id is not None)

    def check(self, actor: Principal, action: str) -> DocumentStatus:
        """Return the state `action` leads to.

        Raises:
            ForbiddenError: the actor may not take this action.
            InvalidTransitionError: the document's state does not allow it.
        """
        if not self.may(actor, action):
            raise ForbiddenError(f"Your role may not {action} this document.")
        target = WORKFLOW.next_state(self.state, action)
        if not self._precondition_holds(action):
            raise InvalidTransitionError(f"{self.number} already has a reversal.")
        return target


class DocumentLine(UUIDKey, Base):
    __tablename__ = "document_lines"

    document_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("documents.id", ondelete="CASCADE")
    )
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("items.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Qty())
    unit_cost: Mapped[Decimal | None] = mapped_column(Money())

    __table_args__ = (
        UniqueConstraint("document_id", "item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
