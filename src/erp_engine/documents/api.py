"""HTTP routes for inbounds and outbounds; one router factory, since both share a workflow."""

from __future__ import annotations

import uuid

from fastapi import Body, Query, Response, status

from erp_engine.api.deps import ExpectedVersion, Paging, ReadSession, Staff, Uow, Viewer
from erp_engine.api.responses import created, set_etag
from erp_engine.api.routing import SlashRouter
from erp_engine.db.pagination import Page
from erp_engine.documents import queries, service
from erp_engine.documents.model import DocumentKind, DocumentStatus
from erp_engine.documents.schemas import (
    CancelBody,
    DocumentCreate,
    DocumentRead,
    DocumentSummary,
    DocumentUpdate,
    ReverseBody,
)
from erp_engine.kernel.schema import UtcDateTime
from erp_engine.ops import metrics


def _lines(body: DocumentCreate | DocumentUpdate) -> list[service.LineInput] | None:
    if body.lines is None:
        return None
    return [service.LineInput(line.item_id, line.quantity, line.unit_cost) for line in body.lines]


def build_router(kind: DocumentKind) -> SlashRouter:
    """The routes of one document kind: `/inbounds` or `/outbounds`."""
    plural = f"{kind}s"
    router = SlashRouter(prefix=f"/{plural}", tags=[plural])

    def respond(view: service.DocumentView, actor, response: Response) -> DocumentRead:
        """Answer a change from what its transaction loaded: no second read."""
        set_etag(response, view.document.version)
        return queries.document_read(view.document, view.items, view.history, actor)

    @router.get("", response_model=Page[DocumentSummary], operation_id=f"list_{plural}")
    async def list_documents(
        actor: Viewer,
        session: ReadSession,
        paging: Paging,
        status: DocumentStatus | None = None,
        warehouse_id: uuid.UUID | None = None,
        item_id: uuid.UUID | None = None,
        q: str | None = Query(None, description="matches number, partner or reference"),
        from_: UtcDateTime | None = Query(None, alias="from"),
        to: UtcDateTime | None = Query(None, alias="to"),
    ):
        return await queries.list_documents(
            session,
            kind,
            paging,
            actor,
            status=status,
            warehouse_id=warehouse_id,
            item_id=item_id,
            q=q,
            from_=from_,
            to=to,
        )

    @router.post(
        "",
        response_model=DocumentRead,
        status_code=status.HTTP_201_CREATED,
        operation_id=f"create_{kind}",
    )
    async def create_document(body: DocumentCreate, actor: Staff, uow: Uow, response: Response):
        view = await service.create_document(
            uow,
            kind,
            warehouse_id=body.warehouse_id,
            lines=_lines(body),
            actor=actor,
            partner=body.partner,
            reference=body.reference,
            memo=body.memo,
            expected_at=body.expected_at,
        )
        metrics.document_action(kind, "create")
        created(response, f"/api/v1/{plural}/{view.document.id}")
        return respond(view, actor, response)

    @router.get("/{document_id}", response_model=DocumentRead, operation_id=f"get_{kind}")
    async def get_document(
        document_id: uuid.UUID, actor: Viewer, session: ReadSession, response: Response
    ):
        document = await queries.get_document(session, kind, document_id, actor)
        set_etag(response, document.version)
        return document

    @router.patch("/{document_id}", response_model=DocumentRead, operation_id=f"update_{kind}")
    async def update_document(
        document_id: uuid.UUID,
        body: DocumentUpdate,
        actor: Staff,
        uow: Uow,
        response: Response,
        expected: ExpectedVersion,
    ):
        changes = body.model_dump(exclude_unset=True, exclude={"lines"})
        if "lines" in body.model_fields_set:
            changes["lines"] = _lines(body)
        view = await service.update_document(
            uow, kind, document_id, changes, actor=actor, expected_version=expected
        )
        return respond(view, actor, response)

    def action_route(action: str, summary: str):
        @router.post(
            f"/{{document_id}}/{action}",
            response_model=DocumentRead,
            operation_id=f"{action}_{kind}",
            summary=summary,
        )
        async def run_action(
            document_id: uuid.UUID,
            actor: Staff,
            uow: Uow,
            response: Response,
            expected: ExpectedVersion,
        ):
            view = await service.transition_document(
                uow, kind, document_id, action, actor=actor, expected_version=expected
            )
            metrics.document_action(kind, action)
            if action == "commit":
                metrics.stock_moves(kind, len(view.document.lines))
            return respond(view, actor, response)

    action_route(
        "approve",
        f"Approve a draft {kind}" + (" (reserves stock)" if kind is DocumentKind.OUTBOUND else ""),
    )
    action_route("commit", f"Commit an approved {kind} (moves stock)")
    action_route("reopen", f"Send an approved {kind} back to draft")

    @router.post(
        "/{document_id}/cancel", response_model=DocumentRead, operation_id=f"cancel_{kind}"
    )
    async def cancel_document(
        document_id: uuid.UUID,
        actor: Staff,
        uow: Uow,
        response: Response,
        expected: ExpectedVersion,
        body: CancelBody | None = Body(None),
    ):
        view = await service.transition_document(
            uow,
            kind,
            document_id,
            "cancel",
            actor=actor,
            expected_version=expected,
            reason=body.reason if body else None,
        )
        metrics.document_action(kind, "cancel")
        return respond(view, actor, response)

    @router.post(
        "/{document_id}/reverse",
        response_model=DocumentRead,
        status_code=status.HTTP_201_CREATED,
        operation_id=f"reverse_{kind}",
    )
    async def reverse_document(
        document_id: uuid.UUID,
        body: ReverseBody,
        actor: Staff,
        uow: Uow,
        response: Response,
        expected: ExpectedVersion,
    ):
        view = await service.reverse_document(
            uow, kind, document_id, actor=actor, reason=body.reason, expected_version=expected
        )
        metrics.document_action(kind, "reverse")
        created(response, f"/api/v1/{kind.opposite}s/{view.document.id}")
        return respond(view, actor, response)

    return router


inbounds = build_router(DocumentKind.INBOUND)
outbounds = build_router(DocumentKind.OUTBOUND)
