"""Streaming spreadsheet writers: .xlsx (openpyxl write-only) and CSV (UTF-8 with BOM).

Text that begins with = + - @, tab, CR or NUL is written with a leading apostrophe, so a
spreadsheet shows it instead of running it (CSV/formula injection); an apostrophe at the
start is doubled, so the importer's stripping of one is exact. Numbers, booleans and times
are typed cells and never touched.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from erp_engine.kernel.quantity import plain
from erp_engine.spreadsheets.columns import NEUTRALISED_STARTS, CellType, Column

EXCEL_MAX_CELL_TEXT = 32_767
# Control characters XML 1.0 cannot carry (openpyxl refuses them): dropped from .xlsx text.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would treat as a formula (or an apostrophe) with `'`."""
    if text.startswith(NEUTRALISED_STARTS) or text.startswith("'"):
        return "'" + text
    return text


def _utc_naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _xlsx_text(value: Any) -> str | None:
    if value is None:
        return None
    text = _XML_ILLEGAL.sub("", neutralise(str(value)))
    return text[:EXCEL_MAX_CELL_TEXT]


def _xlsx_number(value: Any) -> float | None:
    # Exact: quantities and money have at most 15 significant digits, which a double keeps.
    return None if value is None else float(value)


_XLSX_CELLS: dict[CellType, Callable[[Any], Any]] = {
    CellType.TEXT: _xlsx_text,
    CellType.DECIMAL: _xlsx_number,
    CellType.INTEGER: lambda v: None if v is None else int(v),
    CellType.BOOLEAN: lambda v: None if v is None else bool(v),
    CellType.DATETIME: lambda v: None if v is None else _utc_naive(v),
}


def _csv_time(value: datetime) -> str:
    return _utc_naive(value).strftime("%Y-%m-%d %H:%M:%S")


_CSV_CELLS: dict[CellType, Callable[[Any], str]] = {
    CellType.TEXT: lambda v: "" if v is None else neutralise(str(v)),
    CellType.DECIMAL: lambda v: "" if v is None else plain(v),
    CellType.INTEGER: lambda v: "" if v is None else str(int(v)),
    CellType.BOOLEAN: lambda v: "" if v is None else ("TRUE" if v else "FALSE"),
    CellType.DATETIME: lambda v: "" if v is None else _csv_time(v),
}


class XlsxWriter:
    """One sheet, written row by row to openpyxl's temporary file; memory stays flat."""

    def __init__(self, columns: Sequence[Column], *, title: str):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        self._columns = columns
        self._cells = [_XLSX_CELLS[column.type] for column in columns]
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title[:31])
        for index, column in enumerate(columns, 1):
            self._sheet.column_dimensions[get_column_letter(index)].width = column.width
        self._sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDE5F0")
        header = []
        for column in columns:
            cell = WriteOnlyCell(self._sheet, value=column.label)
            cell.font, cell.fill = bold, fill
            header.append(cell)
        self._sheet.append(header)
        self._last_column = get_column_letter(len(columns))
        self.rows = 0

    def add_sheet(self, title: str, rows: Iterable[Sequence[Any]]) -> None:
        """A second, plain sheet (the import template's column guide)."""
        sheet = self._workbook.create_sheet(title[:31])
        for row in rows:
            sheet.append([_xlsx_text(value) for value in row])

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        cells = self._cells
        append = self._sheet.append
        for row in rows:
            append([convert(value) for convert, value in zip(cells, row, strict=True)])
            self.rows += 1

    def save(self, target: IO[bytes]) -> None:
        self._sheet.auto_filter.ref = f"A1:{self._last_column}{self.rows + 1}"
        self._workbook.save(target)

    def discard(self) -> None:
        """Give up an unfinished workbook: close and delete openpyxl's temporary file."""
        with contextlib.suppress(Exception):
            self._sheet.close()
        writer = getattr(self._sheet, "_writer", None)
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()


class CsvWriter:
    """CSV text in UTF-8 with a BOM (so Excel reads Korean), CRLF line ends, as bytes."""

    def __init__(self, columns: Sequence[Column]):
        self._cells = [_CSV_CELLS[column.type] for column in columns]
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._labels = [neutralise(column.label) for column in columns]

    def _take(self) -> bytes:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")

    def header(self) -> bytes:
        self._writer.writerow(self._labels)
        return codecs.BOM_UTF8 + self._take()

    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        cells = self._cells
        writerow = self._writer.writerow
        for row in rows:
            writerow([convert(value) for convert, value in zip(cells, row, strict=True)])
        return self._take()
