"""HTTP routes for spreadsheet export, import and import templates.

Registered before the other routers, so `/items/export` is not taken for `/items/{item_id}`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, TypeVar

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse

from erp_engine.api.deps import AppSettings, Manager, Uow, Viewer
from erp_engine.api.routing import SlashRouter
from erp_engine.documents.model import DocumentKind, DocumentStatus
from erp_engine.errors import ValidationError, field_error
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.schema import UtcDateTime
from erp_engine.ledger.model import MoveReason
from erp_engine.spreadsheets import queries, service
from erp_engine.spreadsheets.columns import ITEM_IMPORT, STOCK_IMPORT, ImportSpec
from erp_engine.spreadsheets.reading import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, refuse_oversized
from erp_engine.spreadsheets.schemas import ExportFormat, ItemImportResult, StockImportResult
from erp_engine.spreadsheets.writing import CsvWriter, XlsxStream

router = SlashRouter(tags=["spreadsheets"])
T = TypeVar("T")

MEDIA_TYPES = {
    ExportFormat.XLSX: XLSX_MEDIA_TYPE,
    ExportFormat.CSV: f"{CSV_MEDIA_TYPE}; charset=utf-8",
}
FILE_RESPONSES = {
    200: {
        "description": "The spreadsheet, as an attachment",
        "content": {XLSX_MEDIA_TYPE: {}, CSV_MEDIA_TYPE: {}},
    }
}
Format = Annotated[ExportFormat, Query(alias="format", description="xlsx (default) or csv")]
Sort = Annotated[str | None, Query(description="as the list: field name, `-` for descending")]
FromTime = Annotated[
    UtcDateTime | None, Query(alias="from", description="created at or after (ISO 8601)")
]
ToTime = Annotated[
    UtcDateTime | None, Query(alias="to", description="created at or before (ISO 8601)")
]


def _disposition(stem: str, fmt: ExportFormat) -> dict[str, str]:
    filename = f"{stem}-{utcnow():%Y%m%d-%H%M%S}.{fmt}"
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


async def _export(request: Request, query: queries.ExportQuery, fmt: ExportFormat) -> Response:
    sessions = request.app.state.read_sessions
    chunks = queries.csv_chunks if fmt is ExportFormat.CSV else queries.xlsx_chunks

    async def body():
        async with queries.export_session(sessions) as session:
            async for chunk in chunks(session, query):
                yield chunk

    headers = _disposition(query.kind, fmt)
    return StreamingResponse(body(), media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get(
    "/items/export",
    response_class=Response,
    responses=FILE_RESPONSES,
    operation_id="export_items",
)
async def export_items(
    request: Request,
    _: Viewer,
    format_: Format = ExportFormat.XLSX,
    sort: Sort = None,
    q: Annotated[str | None, Query(description="matches sku, name or barcode")] = None,
    engine_id: uuid.UUID | None = None,
    active: bool | None = None,
    low_stock: bool | None = None,
    barcode: str | None = None,
    sku: str | None = None,
):
    """The items list as a spreadsheet; its first columns are the import's columns."""
    query = queries.items_query(
        sort=sort,
        q=q,
        engine_id=engine_id,
        active=active,
        low_stock=low_stock,
        barcode=barcode,
        sku=sku,
    )
    return await _export(request, query, format_)


@router.get(
    "/stocks/export",
    response_class=Response,
    responses=FILE_RESPONSES,
    operation_id="export_stocks",
)
async def export_stocks(
    request: Request,
    _: Viewer,
    format_: Format = ExportFormat.XLSX,
    sort: Sort = None,
    item_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
    engine_id: uuid.UUID | None = None,
    low_stock: bool | None = None,
    q: str | None = None,
):
    """Stock per (item, warehouse) as a spreadsheet; it re-imports as a stock count."""
    query = queries.stocks_query(
        sort=sort,
        item_id=item_id,
        warehouse_id=warehouse_id,
        engine_id=engine_id,
        low_stock=low_stock,
        q=q,
    )
    return await _export(request, query, format_)


@router.get(
    "/stock-moves/export",
    response_class=Response,
    responses=FILE_RESPONSES,
    operation_id="export_stock_moves",
)
async def export_stock_moves(
    request: Request,
    _: Viewer,
    format_: Format = ExportFormat.XLSX,
    sort: Sort = None,
    item_id: uuid.UUID | None = None,
    warehouse_id: uuid.UUID | None = None,
    reason: MoveReason | None = None,
    document_id: uuid.UUID | None = None,
    from_: FromTime = None,
    to: ToTime = None,
):
    """The stock ledger as a spreadsheet, streamed at any size."""
    query = queries.moves_query(
        sort=sort,
        item_id=item_id,
        warehouse_id=warehouse_id,
        reason=reason,
        document_id=document_id,
        from_=from_,
        to=to,
    )
    return await _export(request, query, format_)


def _document_export(kind: DocumentKind):
    async def export_documents(
        request: Request,
        _: Viewer,
        format_: Format = ExportFormat.XLSX,
        sort: Sort = None,
        status: DocumentStatus | None = None,
        warehouse_id: uuid.UUID | None = None,
        item_id: uuid.UUID | None = None,
        q: Annotated[str | None, Query(description="matches number, partner or reference")] = None,
        from_: FromTime = None,
        to: ToTime = None,
    ):
        query = queries.documents_query(
            kind,
            sort=sort,
            status=status,
            warehouse_id=warehouse_id,
            item_id=item_id,
            q=q,
            from_=from_,
            to=to,
        )
        return await _export(request, query, format_)

    export_documents.__doc__ = f"{kind.title()}s as a spreadsheet: one row per line."
    router.add_api_route(
        f"/{kind}s/export",
        export_documents,
        methods=["GET"],
        response_class=Response,
        responses=FILE_RESPONSES,
        operation_id=f"export_{kind}s",
        name=f"export_{kind}s",
    )


for _kind in DocumentKind:
    _document_export(_kind)


def _template(spec: ImportSpec, fmt: ExportFormat, stem: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{stem}-import-template.{fmt}"'}
    if fmt is ExportFormat.CSV:
        writer = CsvWriter(spec.columns)
        return Response(writer.header(), media_type=MEDIA_TYPES[fmt], headers=headers)
    writer = XlsxStream(spec.columns, title=stem.replace("-", " ").title())
    guide = [("Column", "Required", "What to enter", "Example")]
    guide += [
        (column.label, "yes" if column.key in spec.required else "", column.help, column.example)
        for column in spec.columns
    ]
    content = writer.write([]) + writer.add_sheet("Help", guide) + writer.finish()
    return Response(content, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get(
    "/items/import-template",
    response_class=Response,
    responses=FILE_RESPONSES,
    operation_id="items_import_template",
)
async def items_import_template(_: Viewer, format_: Format = ExportFormat.XLSX):
    """An empty items sheet with the import's columns (and, in .xlsx, a Help sheet)."""
    return _template(ITEM_IMPORT, format_, "items")


@router.get(
    "/stock-adjustments/import-template",
    response_class=Response,
    responses=FILE_RESPONSES,
    operation_id="stock_import_template",
)
async def stock_import_template(_: Viewer, format_: Format = ExportFormat.XLSX):
    """An empty opening-stock sheet: SKU, Warehouse code, Counted quantity."""
    return _template(STOCK_IMPORT, format_, "opening-stock")


# `dry_run` and `mode` are read from the query string and from the form alike: a client that
# sends `?dry_run=true` must never get a real import because it chose the other place.
_DRY_RUN = "validate only, write nothing (query parameter or form field)"
_MODE = "create: new SKUs only; upsert: also update (query parameter or form field)"
DryRunQuery = Annotated[bool | None, Query(alias="dry_run", description=_DRY_RUN)]
DryRunForm = Annotated[bool | None, Form(alias="dry_run", description=_DRY_RUN)]
ModeQuery = Annotated[service.ImportMode | None, Query(alias="mode", description=_MODE)]
ModeForm = Annotated[service.ImportMode | None, Form(alias="mode", description=_MODE)]


def _option(name: str, query: T | None, form: T | None, default: T) -> T:
    """The option's value, from wherever the client sent it.

    Raises:
        ValidationError: the query string and the form give different values.
    """
    if query is not None and form is not None and query != form:
        message = (
            f"{name} is {_shown(query)} in the query string but {_shown(form)} in the form; "
            "send it once."
        )
        raise ValidationError(
            message, errors=[field_error(name, "option_conflict", message, option=name)]
        )
    return next((value for value in (query, form) if value is not None), default)


def _shown(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


async def _file_bytes(file: UploadFile, settings: AppSettings) -> bytes:
    """The uploaded file, up to the limit: never more is read.

    Raises:
        PayloadTooLargeError: the file is larger than `max_upload_bytes`.
    """
    limit = settings.max_upload_bytes
    data = await file.read(limit + 1)
    refuse_oversized(len(data), limit)
    return data


@router.post("/items/import", response_model=ItemImportResult, operation_id="import_items")
async def import_items(
    actor: Manager,
    uow: Uow,
    settings: AppSettings,
    file: Annotated[UploadFile, File(description=".xlsx or CSV (UTF-8), at most 10 MiB")],
    dry_run_query: DryRunQuery = None,
    mode_query: ModeQuery = None,
    dry_run_form: DryRunForm = None,
    mode_form: ModeForm = None,
):
    """Create or update items from a spreadsheet, all or nothing.

    A dry run answers 200 with every problem; a real import with problems answers 422
    `validation_error` listing them, and writes nothing. `dry_run` and `mode` may come in
    the query string or the form; if both are given they must agree (else 422).
    """
    dry_run = _option("dry_run", dry_run_query, dry_run_form, False)
    mode = _option("mode", mode_query, mode_form, service.ImportMode.CREATE)
    result = await service.import_items(
        uow,
        await _file_bytes(file, settings),
        filename=file.filename,
        content_type=file.content_type,
        mode=mode,
        dry_run=dry_run,
        actor=actor,
    )
    return ItemImportResult.model_validate(result.__dict__)


@router.post(
    "/stock-adjustments/import",
    response_model=StockImportResult,
    operation_id="import_stock_counts",
)
async def import_stock_counts(
    actor: Manager,
    uow: Uow,
    settings: AppSettings,
    file: Annotated[UploadFile, File(description=".xlsx or CSV (UTF-8), at most 10 MiB")],
    dry_run_query: DryRunQuery = None,
    dry_run_form: DryRunForm = None,
    reason: Annotated[str, Form(min_length=1, max_length=500)] = "Opening stock import",
):
    """Opening stock (sku, warehouse_code, counted_quantity): one adjustment per warehouse.

    `dry_run` may come in the query string or the form; if both are given they must agree.
    """
    dry_run = _option("dry_run", dry_run_query, dry_run_form, False)
    result = await service.import_stock_counts(
        uow,
        await _file_bytes(file, settings),
        filename=file.filename,
        content_type=file.content_type,
        dry_run=dry_run,
        reason=reason,
        actor=actor,
    )
    return StockImportResult.model_validate(result.__dict__)
