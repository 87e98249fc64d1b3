"""`erp import items|stock FILE` and `erp export KIND -o FILE`, with progress bars.

Registered on the main `erp` app by `erp_engine.cli`. Heavy imports happen inside the
commands, so `erp --help` stays fast.
"""

from __future__ import annotations

import asyncio
import uuid
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from erp_engine.settings import Settings

import_app = typer.Typer(
    help="Import items or opening stock from .xlsx or CSV (all or nothing).",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)


class Mode(StrEnum):
    CREATE = "create"
    UPSERT = "upsert"


class Kind(StrEnum):
    ITEMS = "items"
    STOCKS = "stocks"
    STOCK_MOVES = "stock-moves"
    INBOUNDS = "inbounds"
    OUTBOUNDS = "outbounds"


class Format(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


STAGES = {"read": "Reading rows", "check": "Checking rows", "write": "Writing"}


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _database(settings: Settings):
    from erp_engine.db.engine import create_engine, create_session_factories

    engine = create_engine(settings)
    write, read = create_session_factories(engine)
    return engine, write, read


def _print_problems(errors: list[dict[str, Any]]) -> None:
    table = Table(title="Problems (nothing was imported)", title_style="bold red")
    for heading in ("Row", "Cell", "Column", "Problem"):
        table.add_column(heading, overflow="fold")
    for problem in errors:
        table.add_row(
            "" if problem.get("row") is None else str(problem["row"]),
            problem.get("cell") or "",
            problem.get("column") or "",
            problem["message"],
        )
    err.print(table)


def _run_import(kind: str, file: Path, **options: Any) -> None:
    from erp_engine.errors import DomainError
    from erp_engine.kernel.principal import SYSTEM
    from erp_engine.spreadsheets import service
    from erp_engine.spreadsheets.reading import refuse_oversized
    from erp_engine.uow import UnitOfWork

    if not file.is_file():
        err.print(f"[red]No such file:[/] {file}")
        raise typer.Exit(2)
    settings = Settings()
    try:
        # The API's limit, checked before the file is read whole.
        refuse_oversized(file.stat().st_size, settings.max_upload_bytes)
    except DomainError as error:
        err.print(f"[red]{error.detail}[/]")
        raise typer.Exit(1) from error
    data = file.read_bytes()

    async def run():
        engine, write, _ = _database(settings)
        try:
            with _progress() as progress:
                tasks: dict[str, Any] = {}

                def report(stage: str, done: int, total: int | None) -> None:
                    if stage not in tasks:
                        tasks[stage] = progress.add_task(STAGES[stage], total=total)
                    progress.update(tasks[stage], completed=done, total=total)

                use_case = service.import_items if kind == "items" else service.import_stock_counts
                return await use_case(
                    UnitOfWork(write),
                    data,
                    filename=file.name,
                    actor=SYSTEM,
                    progress=report,
                    **options,
                )
        finally:
            await engine.dispose()

    try:
        result = asyncio.run(run())
    except DomainError as error:
        err.print(f"[red]{error.detail}[/]")
        if error.errors:
            _print_problems(error.errors)
        raise typer.Exit(1) from error
    what = "adjustment(s)" if kind == "stock" else "item(s)"
    verb = "would be" if result.dry_run else "were"
    console.print(
        f"{result.created} {what} {verb} created, {result.updated} "
        f"{'stock row(s)' if kind == 'stock' else 'item(s)'} {verb} updated, "
        f"{result.unchanged} unchanged."
    )
    if kind == "stock" and not result.created and not result.errors:
        console.print("Every count matches on-hand: nothing to change, nothing was written.")
    if result.adjustments:
        console.print(f"Adjustments: {', '.join(result.adjustments)}")
    if result.errors:
        _print_problems(result.errors)
        raise typer.Exit(1)
    if result.dry_run:
        console.print("Dry run: the file is valid; nothing was written.")


@import_app.command("items")
def import_items(
    file: Annotated[Path, typer.Argument(help=".xlsx or .csv file", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check only, write nothing")] = False,
    mode: Annotated[Mode, typer.Option(help="create: new SKUs only; upsert: also update")] = (
        Mode.CREATE
    ),
) -> None:
    """Create (or update, with --mode upsert) items from a spreadsheet."""
    from erp_engine.spreadsheets.service import ImportMode

    _run_import("items", file, dry_run=dry_run, mode=ImportMode(mode.value))


@import_app.command("stock")
def import_stock(
    file: Annotated[Path, typer.Argument(help=".xlsx or .csv file", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check only, write nothing")] = False,
    reason: Annotated[str, typer.Option(help="reason recorded on the adjustments")] = (
        "Opening stock import"
    ),
) -> None:
    """Set opening stock (sku, warehouse_code, counted_quantity): one adjustment per warehouse."""
    _run_import("stock", file, dry_run=dry_run, reason=reason)


async def _resolve(session, model, column, value: str | None, what: str) -> uuid.UUID | None:
    from sqlalchemy import func, select

    if value is None:
        return None
    found = await session.scalar(select(model.id).where(func.lower(column) == value.lower()))
    if found is None:
        err.print(f"[red]No {what} {value}.[/]")
        raise typer.Exit(2)
    return found


def export_command(
    kind: Annotated[Kind, typer.Argument(help="what to export", show_default=False)],
    output: Annotated[Path, typer.Option("-o", "--output", help="file to write")],
    format_: Annotated[
        Format | None,
        typer.Option("--format", help="xlsx or csv (default: from the file name, else xlsx)"),
    ] = None,
    q: Annotated[str | None, typer.Option(help="text search, as in the lists")] = None,
    sku: Annotated[str | None, typer.Option(help="only this item")] = None,
    engine: Annotated[str | None, typer.Option(help="engine code")] = None,
    warehouse: Annotated[str | None, typer.Option(help="warehouse code")] = None,
    status: Annotated[str | None, typer.Option(help="document status")] = None,
    reason: Annotated[str | None, typer.Option(help="move reason")] = None,
    low_stock: Annotated[bool | None, typer.Option("--low-stock/--not-low-stock")] = None,
    since: Annotated[str | None, typer.Option("--from", help="created at or after (ISO)")] = None,
    until: Annotated[str | None, typer.Option("--to", help="created at or before (ISO)")] = None,
    sort: Annotated[str | None, typer.Option(help="field, `-` for descending")] = None,
) -> None:
    """Export items, stocks, stock moves, inbounds or outbounds as .xlsx or CSV."""
    fmt = format_ or (Format.CSV if output.suffix.lower() == ".csv" else Format.XLSX)
    options = {
        "q": q,
        "sku": sku,
        "engine": engine,
        "warehouse": warehouse,
        "status": status,
        "reason": reason,
        "low_stock": low_stock,
        "from": since,
        "to": until,
    }
    allowed = {
        Kind.ITEMS: {"q", "sku", "engine", "low_stock"},
        Kind.STOCKS: {"q", "sku", "engine", "warehouse", "low_stock"},
        Kind.STOCK_MOVES: {"sku", "warehouse", "reason", "from", "to"},
        Kind.INBOUNDS: {"q", "sku", "warehouse", "status", "from", "to"},
        Kind.OUTBOUNDS: {"q", "sku", "warehouse", "status", "from", "to"},
    }[kind]
    wrong = sorted(
        name for name, value in options.items() if value is not None and name not in allowed
    )
    if wrong:
        err.print(
            f"[red]{', '.join('--' + w.replace('_', '-') for w in wrong)} "
            f"does not apply to {kind}.[/]"
        )
        raise typer.Exit(2)
    try:
        rows = asyncio.run(_export(kind, output, fmt, options, sort))
    except Exception as error:
        from erp_engine.errors import DomainError

        if not isinstance(error, DomainError):
            raise
        err.print(f"[red]{error.detail}[/]")
        for problem in error.errors or []:
            err.print(f"  {problem.get('field')}: {problem.get('message')}")
        output.unlink(missing_ok=True)
        raise typer.Exit(1) from error
    console.print(f"{rows} row(s) of {kind} written to {output} ({fmt}).")


async def _export(kind: Kind, output: Path, fmt: Format, options: dict, sort: str | None) -> int:
    from pydantic import TypeAdapter

    from erp_engine.catalog.model import Engine, Item
    from erp_engine.documents.model import DocumentKind, DocumentStatus
    from erp_engine.kernel.schema import UtcDateTime
    from erp_engine.ledger.model import MoveReason
    from erp_engine.spreadsheets import queries
    from erp_engine.warehouses.model import Warehouse

    times = TypeAdapter(UtcDateTime | None)
    engine, _, read = _database(Settings())
    try:
        async with queries.export_session(read) as session:
            item_id = await _resolve(session, Item, Item.sku_key, options["sku"], "item with SKU")
            engine_id = await _resolve(session, Engine, Engine.code, options["engine"], "engine")
            warehouse_id = await _resolve(
                session, Warehouse, Warehouse.code, options["warehouse"], "warehouse"
            )
            try:
                window = {
                    "from_": times.validate_python(options["from"]),
                    "to": times.validate_python(options["to"]),
                }
                reason = MoveReason(options["reason"]) if options["reason"] else None
                status = DocumentStatus(options["status"]) if options["status"] else None
            except ValueError as error:
                err.print(f"[red]Invalid filter value: {error}[/]")
                raise typer.Exit(2) from error
            if kind is Kind.ITEMS:
                query = queries.items_query(
                    sort=sort,
                    q=options["q"],
                    engine_id=engine_id,
                    low_stock=options["low_stock"],
                    sku=options["sku"],
                )
            elif kind is Kind.STOCKS:
                query = queries.stocks_query(
                    sort=sort,
                    q=options["q"],
                    item_id=item_id,
                    engine_id=engine_id,
                    warehouse_id=warehouse_id,
                    low_stock=options["low_stock"],
                )
            elif kind is Kind.STOCK_MOVES:
                query = queries.moves_query(
                    sort=sort, item_id=item_id, warehouse_id=warehouse_id, reason=reason, **window
                )
            else:
                document_kind = DocumentKind(kind.value[:-1])
                query = queries.documents_query(
                    document_kind,
                    sort=sort,
                    q=options["q"],
                    item_id=item_id,
                    warehouse_id=warehouse_id,
                    status=status,
                    **window,
                )
            total = await queries.count_rows(session, query)
            with _progress() as progress:
                task = progress.add_task(f"Exporting {kind}", total=total)

                def advance(count: int) -> None:
                    progress.advance(task, count)

                chunks = queries.xlsx_chunks if fmt is Format.XLSX else queries.csv_chunks
                with output.open("wb") as target:
                    async for chunk in chunks(session, query, progress=advance):
                        target.write(chunk)
            return total
    finally:
        await engine.dispose()
