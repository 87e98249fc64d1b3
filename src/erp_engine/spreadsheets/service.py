"""Import use cases: items and opening stock from .xlsx or CSV, all or nothing.

An import runs in two passes. The first reads the file outside any transaction (in worker
threads, so the event loop stays free) and parses every cell against its column. The second
opens one transaction, loads the keys it checks against (one query each), validates every
row in memory, and, only when no row has a problem and this is not a dry run, writes
everything with bulk statements. Any problem: nothing is written.
"""

from __future__ import annotations

import gc
import itertools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import Any

import anyio

from erp_engine.audit.service import add_event
from erp_engine.catalog import service as catalog
from erp_engine.errors import ConflictError, ValidationError, field_error
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.quantity import MONEY_PLACES, QUANTITY_PLACES, ZERO, plain
from erp_engine.ledger import service as ledger
from erp_engine.numbering.service import next_number
from erp_engine.spreadsheets.columns import (
    ITEM_IMPORT,
    STOCK_IMPORT,
    CellError,
    ImportSpec,
    as_bool,
    as_decimal,
    as_text,
    column_index,
    header_key,
    shown,
)
from erp_engine.spreadsheets.reading import CSV, SpreadsheetError, is_blank, read_table
from erp_engine.spreadsheets.repository import ImportLookups
from erp_engine.spreadsheets.writing import column_letter
from erp_engine.uow import UnitOfWork, transactional

MAX_ROWS = 100_000
MAX_LISTED_ERRORS = 1000
_READ_CHUNK = 1000

Progress = Callable[[str, int, int | None], None]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an import builds its many small objects.

    Reference counting still frees them; only cycle detection waits, which otherwise rescans
    the growing heap again and again and doubles the cost of a large import.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class ImportMode(StrEnum):
    CREATE = "create"
    UPSERT = "upsert"


@dataclass
class ImportResult:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    adjustments: list[str] = field(default_factory=list)


class ImportRejectedError(ValidationError):
    """A real import found problems in its rows; nothing was written."""


class Problems:
    """Row problems in spreadsheet order; the first MAX_LISTED_ERRORS are kept in full."""

    def __init__(self) -> None:
        self._items: list[tuple[tuple[int, int], dict[str, Any]]] = []
        self.total = 0
        self.rows: set[int] = set()  # rows with any problem: they count for nothing

    def __bool__(self) -> bool:
        return self.total > 0

    def add(
        self,
        row: int | None,
        column: str | None,
        message: str,
        *,
        field: str,
        code: str,
        position: int | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.total += 1
        if row is not None:
            self.rows.add(row)
        if len(self._items) >= 4 * MAX_LISTED_ERRORS:
            return
        problem = {
            "row": row,
            "column": column,
            **field_error(field, code, message, **(params or {})),
        }
        if row is not None and position is not None:
            problem["cell"] = f"{column_letter(position)}{row}"
        self._items.append(((row or 0, -1 if position is None else position), problem))

    def listed(self) -> list[dict[str, Any]]:
        ordered = [p for _, p in sorted(self._items, key=lambda item: item[0])]
        listed = ordered[:MAX_LISTED_ERRORS]
        if self.total > len(listed):
            more = self.total - len(listed)
            message = f"… and {more} more problem(s) not listed."
            listed.append(
                {
                    "row": None,
                    "column": None,
                    **field_error("file", "more_problems", message, n=more),
                }
            )
        return listed


@dataclass
class ParsedFile:
    """Pass one: header positions, the parsed rows and their cell problems."""

    spec: ImportSpec
    columns: dict[str, tuple[str, int]]  # key → (header as written, position)
    rows: list[tuple[int, dict[str, Any]]]
    problems: Problems

    def problem(self, row: int, key: str, code: str, message: str, /, **params: Any) -> None:
        label, position = self.columns.get(key, (_label(self.spec, key), None))
        self.problems.add(
            row, label, message, field=key, code=code, position=position, params=params
        )


def _label(spec: ImportSpec, key: str) -> str:
    return next(column.label for column in spec.columns if column.key == key)


def _take(rows: Iterator, count: int) -> list:
    return list(itertools.islice(rows, count))


def _map_header(
    spec: ImportSpec, row: int, cells: tuple[Any, ...], problems: Problems
) -> dict[str, tuple[str, int]]:
    index = column_index(spec)
    found: dict[str, tuple[str, int]] = {}
    expected = ", ".join(column.label for column in spec.columns)
    for position, cell in enumerate(cells):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        key = header_key(text)
        if key not in index:
            problems.add(
                row,
                text,
                f"Unknown column. Expected columns: {expected}.",
                field="header",
                code="unknown_column",
                position=position,
                params={"expected": expected},
            )
            continue
        column = index[key]
        if column is None:  # a read-only column of the export, e.g. On hand
            continue
        if column.key in found:
            first = column_letter(found[column.key][1])
            problems.add(
                row,
                text,
                f"{column.label} appears twice (also in column {first}).",
                field=column.key,
                code="column_twice",
                position=position,
                params={"column": column.label, "first": first},
            )
            continue
        found[column.key] = (text, position)
    for key in sorted(spec.required - found.keys()):
        problems.add(
            row, _label(spec, key), "Missing required column.", field=key, code="missing_column"
        )
    return found


class _UnheadedCells:
    """Values in columns the header does not name. Dropping them would let data shift
    unnoticed: `2,000` unquoted in a CSV row becomes two cells, and every cell after it
    lands one column to the right."""

    def __init__(self, header: tuple[Any, ...], *, csv: bool):
        self.width = max((p + 1 for p, cell in enumerate(header) if not is_blank(cell)), default=0)
        self.gaps = [p for p in range(self.width) if is_blank(header[p])]
        self.hint = (
            " In a CSV file, a separator inside an unquoted value (2,000) splits it in two."
            if csv
            else ""
        )

    def check(self, row: int, cells: tuple[Any, ...], problems: Problems) -> None:
        for position in itertools.chain(self.gaps, range(self.width, len(cells))):
            if position >= len(cells) or is_blank(cells[position]):
                continue
            where = (
                ", which has no header."
                if position < self.width
                else f"; the header has {self.width} columns.{self.hint}"
            )
            problems.add(
                row,
                None,
                f"Unexpected value {shown(cells[position])} in column "
                f"{column_letter(position)}{where}",
                field="unheaded",
                code="unheaded",
                position=position,
                params={"got": shown(cells[position]), "column": column_letter(position)},
            )


async def read_rows(
    spec: ImportSpec,
    parsers: dict[str, Callable[[Any], Any]],
    data: bytes,
    *,
    filename: str | None,
    content_type: str | None,
    progress: Progress | None = None,
) -> ParsedFile:
    """Pass one: read and parse the file, outside any transaction.

    Raises:
        SpreadsheetError: the file is not a spreadsheet, is hostile, or exceeds MAX_ROWS.
    """
    table = await anyio.to_thread.run_sync(
        partial(read_table, data, filename=filename, content_type=content_type)
    )
    problems = Problems()
    first = await anyio.to_thread.run_sync(_take, table.rows, 1)
    if not first:
        raise SpreadsheetError("The file has no header row and no data.", "file_empty")
    header_row, header = first[0]
    columns = _map_header(spec, header_row, header, problems)
    parsed = ParsedFile(spec, columns, [], problems)
    if problems:
        return parsed
    unheaded = _UnheadedCells(header, csv=table.format == CSV)
    count = 0
    while chunk := await anyio.to_thread.run_sync(_take, table.rows, _READ_CHUNK):
        for number, cells in chunk:
            count += 1
            if count > MAX_ROWS:
                raise SpreadsheetError(
                    f"The file has more than {MAX_ROWS:,} data rows (the limit); "
                    "split it into several files.",
                    "file_too_many_rows",
                    max=MAX_ROWS,
                )
            unheaded.check(number, cells, problems)
            values = {}
            for key, (label, position) in columns.items():
                cell = cells[position] if position < len(cells) else None
                try:
                    values[key] = parsers[key](cell)
                except CellError as error:
                    problems.add(
                        number,
                        label,
                        str(error),
                        field=key,
                        code=error.code,
                        position=position,
                        params=error.params,
                    )
            parsed.rows.append((number, values))
        if progress:
            progress("read", count, None)
    return parsed


def _required(parse: Callable[[Any], Any], what: str) -> Callable[[Any], Any]:
    def parser(cell: Any) -> Any:
        value = parse(cell)
        if value is None:
            raise CellError(f"Required: {what}.", "required")
        return value

    return parser


def _upper(value: str | None) -> str | None:
    return value.upper() if value else value


ITEM_PARSERS: dict[str, Callable[[Any], Any]] = {
    "sku": _required(partial(as_text, max_length=64), "the item's SKU (1-64 characters)"),
    "name": partial(as_text, max_length=200),
    "engine_code": lambda cell: _upper(as_text(cell, max_length=32)),
    "unit": lambda cell: as_text(cell, max_length=16) or "EA",
    "barcode": partial(as_text, max_length=64),
    "unit_cost": lambda cell: as_decimal(cell, places=MONEY_PLACES, integer_digits=11) or ZERO,
    "reorder_point": lambda cell: (
        as_decimal(cell, places=QUANTITY_PLACES, integer_digits=12) or ZERO
    ),
    "active": lambda cell: True if (flag := as_bool(cell)) is None else flag,
}
STOCK_PARSERS: dict[str, Callable[[Any], Any]] = {
    "sku": _required(partial(as_text, max_length=64), "the item's SKU"),
    "warehouse_code": lambda cell: _upper(
        _required(partial(as_text, max_length=32), "the warehouse code")(cell)
    ),
    "counted_quantity": _required(
        partial(as_decimal, places=QUANTITY_PLACES, integer_digits=12),
        f"the counted quantity (a number >= 0, at most {QUANTITY_PLACES} decimal places)",
    ),
}


def _finish(result: ImportResult, parsed: ParsedFile) -> ImportResult:
    """A dry run reports the problems; a real import with any refuses to write."""
    if parsed.problems:
        result.errors = parsed.problems.listed()
        if not result.dry_run:
            raise ImportRejectedError(
                f"The file has {parsed.problems.total} problem(s); nothing was imported.",
                errors=result.errors,
            )
    return result


# Items ------------------------------------------------------------------------------------


async def import_items(
    uow: UnitOfWork,
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    mode: ImportMode = ImportMode.CREATE,
    dry_run: bool = False,
    actor: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    """Create (or, with `upsert`, also update by SKU) the items of a spreadsheet.

    Columns absent from the file keep their current values on update and their defaults on
    create; an empty cell in a present column sets the default (or clears an optional one).

    Raises:
        SpreadsheetError: the file cannot be read as a spreadsheet (also on a dry run).
        ImportRejectedError: a real import whose rows have problems; nothing was written.
        ConflictError: an item of the file was deleted while the import ran.
    """
    with _collector_paused():
        parsed = await read_rows(
            ITEM_IMPORT,
            ITEM_PARSERS,
            data,
            filename=filename,
            content_type=content_type,
            progress=progress,
        )
        return await _apply_items(
            uow,
            parsed,
            mode=mode,
            dry_run=dry_run,
            actor=actor,
            filename=filename,
            progress=progress,
        )


@transactional
async def _apply_items(
    uow: UnitOfWork,
    parsed: ParsedFile,
    *,
    mode: ImportMode,
    dry_run: bool,
    actor: Principal,
    filename: str | None,
    progress: Progress | None,
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    if parsed.problems and not parsed.rows:
        return _finish(result, parsed)
    async with uow:
        lookups = ImportLookups(uow.session)
        engines = await lookups.engine_codes()
        existing = await lookups.items_by_key()
        barcode_owner = {item.barcode: key for key, item in existing.items() if item.barcode}
        seen_skus: dict[str, int] = {}
        seen_barcodes: dict[str, int] = {}
        new_rows: list[dict[str, Any]] = []
        matched: list[tuple[uuid.UUID, dict[str, Any]]] = []
        for row, values in parsed.rows:
            sku = values.get("sku")
            key = sku.lower() if sku else None
            current = existing.get(key) if key else None
            if key:
                if key in seen_skus:
                    parsed.problem(
                        row,
                        "sku",
                        "sku_twice",
                        f"{sku} is also on row {seen_skus[key]}; list each SKU once.",
                        sku=sku,
                        row=seen_skus[key],
                    )
                else:
                    seen_skus[key] = row
                if current and mode is ImportMode.CREATE:
                    parsed.problem(
                        row,
                        "sku",
                        "sku_exists",
                        f"{current.sku} already exists; import with "
                        "mode=upsert to update existing items.",
                        sku=current.sku,
                    )
            if "name" in values and values["name"] is None:
                parsed.problem(row, "name", "required", "Required: a name (1-200 characters).")
            elif current is None and "name" not in values:
                parsed.problem(
                    row, "name", "required", "Required for a new item: a name (1-200 characters)."
                )
            code = values.get("engine_code")
            if code and code not in engines:
                parsed.problem(
                    row, "engine_code", "unknown_code", f"No engine with code {code}.", code=code
                )
            barcode = values.get("barcode")
            if barcode:
                owner = barcode_owner.get(barcode)
                if barcode in seen_barcodes:
                    parsed.problem(
                        row,
                        "barcode",
                        "barcode_twice",
                        f"{barcode} is also on row {seen_barcodes[barcode]}; barcodes are unique.",
                        barcode=barcode,
                        row=seen_barcodes[barcode],
                    )
                elif owner is not None and owner != key:
                    parsed.problem(
                        row,
                        "barcode",
                        "barcode_taken",
                        f"{barcode} already belongs to SKU {existing[owner].sku}.",
                        barcode=barcode,
                        sku=existing[owner].sku,
                    )
                seen_barcodes.setdefault(barcode, row)
            # A dry run counts what the valid rows would do; this row's cells may have
            # failed already in pass one.
            if row in parsed.problems.rows or not key:
                continue
            fields = {name: values[name] for name in catalog.IMPORTED_FIELDS if name in values}
            if "engine_code" in values:
                fields["engine_id"] = engines.get(code) if code else None
            if current is None:
                new_rows.append(_new_item(fields))
            else:
                matched.append((current.id, fields))
        if progress:
            progress("check", len(parsed.rows), len(parsed.rows))
        before = await lookups.item_values(
            [item_id for item_id, _ in matched], catalog.IMPORTED_FIELDS, lock=not dry_run
        )
        _refuse_deleted([fields["sku"] for item_id, fields in matched if item_id not in before])
        changes = [
            (item_id, before[item_id], before[item_id] | fields) for item_id, fields in matched
        ]
        result.created = len(new_rows)
        result.updated = sum(1 for _, old, new in changes if old != new)
        result.unchanged = len(changes) - result.updated
        _finish(result, parsed)
        if dry_run or parsed.problems:
            return result
        await catalog.insert_items(uow, new_rows, actor=actor)
        await catalog.update_items(uow, changes, actor=actor)
        add_event(
            uow,
            "items.imported",
            actor=actor,
            entity_type="item",
            changes={
                "file": filename,
                "mode": str(mode),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        await uow.commit()
        if progress:
            progress("write", result.created + result.updated, result.created + result.updated)
        return result


def _refuse_deleted(skus: list[str]) -> None:
    """Items read at the start of the import that were gone when their rows were locked.

    Raises:
        ConflictError: another request deleted them meanwhile; nothing was imported.
    """
    if skus:
        raise ConflictError(
            f"{len(skus)} item(s) were deleted while the import ran ({', '.join(skus[:5])}"
            f"{', …' if len(skus) > 5 else ''}); nothing was imported. Try the import again."
        )


def _new_item(fields: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "engine_id": None,
        "unit": "EA",
        "barcode": None,
        "unit_cost": ZERO,
        "reorder_point": ZERO,
        "active": True,
    }
    return defaults | fields


# Opening stock ----------------------------------------------------------------------------


async def import_stock_counts(
    uow: UnitOfWork,
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    dry_run: bool = False,
    reason: str = "Opening stock import",
    actor: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    """Set on-hand per (SKU, warehouse) to the counted quantities: one stock adjustment per
    warehouse, through the ledger. `created` counts adjustments, `updated` the stock rows
    whose on-hand changes, `unchanged` the lines that confirm the current on-hand (they are
    skipped; when no line changes anything, nothing is written).

    Raises:
        SpreadsheetError: the file cannot be read as a spreadsheet (also on a dry run).
        ImportRejectedError: a real import whose rows have problems; nothing was written.
        ConflictError: an item of the file was deleted while the import ran.
    """
    with _collector_paused():
        parsed = await read_rows(
            STOCK_IMPORT,
            STOCK_PARSERS,
            data,
            filename=filename,
            content_type=content_type,
            progress=progress,
        )
        return await _apply_counts(
            uow, parsed, dry_run=dry_run, reason=reason, actor=actor, progress=progress
        )


@transactional
async def _apply_counts(
    uow: UnitOfWork,
    parsed: ParsedFile,
    *,
    dry_run: bool,
    reason: str,
    actor: Principal,
    progress: Progress | None,
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    if parsed.problems and not parsed.rows:
        return _finish(result, parsed)
    async with uow:
        lookups = ImportLookups(uow.session)
        items = await lookups.items_by_key()
        warehouses = await lookups.warehouse_codes()
        levels = await lookups.stock_levels()
        seen: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
        counts: dict[uuid.UUID, list[tuple[uuid.UUID, Decimal]]] = {}
        for row, values in parsed.rows:
            sku, code, counted = (
                values.get(k) for k in ("sku", "warehouse_code", "counted_quantity")
            )
            item = items.get(sku.lower()) if sku else None
            warehouse = warehouses.get(code) if code else None
            if sku and item is None:
                parsed.problem(row, "sku", "unknown_sku", f"No item with SKU {sku}.", sku=sku)
            elif item and not item.active:
                parsed.problem(
                    row,
                    "sku",
                    "item_inactive",
                    f"{item.sku} is inactive; activate it before counting it.",
                    sku=item.sku,
                )
            if code and warehouse is None:
                parsed.problem(
                    row,
                    "warehouse_code",
                    "unknown_code",
                    f"No warehouse with code {code}.",
                    code=code,
                )
            elif warehouse and not warehouse[1]:
                parsed.problem(
                    row,
                    "warehouse_code",
                    "warehouse_inactive",
                    f"Warehouse {code} is inactive.",
                    code=code,
                )
            if not (item and item.active and warehouse and warehouse[1] and counted is not None):
                continue
            key = (item.id, warehouse[0])
            if key in seen:
                parsed.problem(
                    row,
                    "sku",
                    "count_twice",
                    f"{item.sku} in {code} is also on row {seen[key]}; "
                    "count each item once per warehouse.",
                    sku=item.sku,
                    code=code,
                    row=seen[key],
                )
                continue
            seen[key] = row
            on_hand, reserved = levels.get(key, (ZERO, ZERO))
            if counted < reserved:
                parsed.problem(
                    row,
                    "counted_quantity",
                    "below_reserved",
                    f"{plain(reserved)} is reserved for "
                    "approved shipments; the count cannot be lower.",
                    reserved=plain(reserved),
                )
            if row in parsed.problems.rows:  # only valid rows count, also on a dry run
                continue
            if counted == on_hand:
                # A count that confirms on-hand changes nothing: no line, no move, and a
                # re-imported stocks export burns no adjustment number.
                result.unchanged += 1
                continue
            counts.setdefault(warehouse[0], []).append((item.id, counted))
            result.updated += 1
        result.created = len(counts)
        if progress:
            progress("check", len(parsed.rows), len(parsed.rows))
        _finish(result, parsed)
        if dry_run or parsed.problems or not counts:
            return result
        # Lock order of every writer: counter, then items (ascending), then stock rows.
        codes = {warehouse_id: code for code, (warehouse_id, _) in warehouses.items()}
        ordered = sorted(counts, key=lambda warehouse_id: codes[warehouse_id])
        numbers = [await next_number(uow, "adjustment") for _ in ordered]
        item_ids = {item_id for lines in counts.values() for item_id, _ in lines}
        gone = item_ids - await lookups.lock_items(list(item_ids))
        _refuse_deleted([item.sku for item in items.values() if item.id in gone])
        done = 0
        for warehouse_id, number in zip(ordered, numbers, strict=True):
            await ledger.count_stock(
                uow,
                warehouse_id=warehouse_id,
                reason=reason,
                lines=counts[warehouse_id],
                actor=actor,
                number=number,
            )
            result.adjustments.append(number)
            done += len(counts[warehouse_id])
            if progress:
                progress("write", done, result.updated)
        await uow.commit()
        return result
