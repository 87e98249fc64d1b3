"""Streaming spreadsheet writers: .xlsx and CSV (UTF-8 with BOM), bytes out as rows come in.

Text that begins with = + - @, tab, CR or NUL is written with a leading apostrophe, so a
spreadsheet shows it instead of running it (CSV/formula injection); an apostrophe at the
start is doubled, so the importer's stripping of one is exact. Numbers, booleans and times
are typed cells and never touched.

An .xlsx is a zip of XML parts. `XlsxStream` writes the sheet's XML row by row into a zip
entry opened in streaming mode over a sink whose bytes are taken after every batch, so the
first bytes reach the client while later rows are still being read: nothing is built whole,
in memory or on disk. The entries carry data descriptors (sizes after the data, as Java's
ZipOutputStream writes them, so Excel, LibreOffice and openpyxl read them); the parts that
name the sheets come last, once the sheets are known. Strings are inline (no shared-strings
table to hold), numbers are exact decimals, times are serial numbers with a date format.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from erp_engine.kernel.quantity import plain
from erp_engine.spreadsheets.columns import NEUTRALISED_STARTS, CellType, Column

EXCEL_MAX_CELL_TEXT = 32_767
EXCEL_MAX_ROWS = 1_048_576
# Data rows under each sheet's header; more continue on a new sheet ("Stock moves 2", ...).
SHEET_ROWS = EXCEL_MAX_ROWS - 1
# A sheet part stays below zip's 2 GiB limit for entries without zip64 extensions (which
# some readers refuse); a sheet that would grow past it continues on a new sheet too.
SHEET_BYTES = 2**31 - 2**24
# Characters XML 1.0 cannot carry: dropped from .xlsx text.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_DAY = timedelta(days=1)
_HEADER_STYLE, _TIME_STYLE = 1, 2


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would treat as a formula (or an apostrophe) with `'`."""
    if text.startswith(NEUTRALISED_STARTS) or text.startswith("'"):
        return "'" + text
    return text


def _utc_naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _escape(text: str) -> str:
    # A raw CR would come back as LF (XML normalises line ends); a reference keeps it.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def _inline(value: Any) -> str:
    text = neutralise(str(value))[:EXCEL_MAX_CELL_TEXT]
    if _SPECIAL.search(text):  # most text has nothing to drop or escape: skip that work
        text = _escape(_XML_ILLEGAL.sub("", text))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<is><t{space}>{text}</t></is>"


def _text_cell(ref: str, value: Any) -> str:
    return f'<c r="{ref}" t="inlineStr">{_inline(value)}</c>'


def _number_cell(ref: str, value: Any) -> str:
    number = plain(value) if isinstance(value, Decimal) else str(value)
    return f'<c r="{ref}"><v>{number}</v></c>'


def _integer_cell(ref: str, value: Any) -> str:
    return f'<c r="{ref}"><v>{int(value)}</v></c>'


def _boolean_cell(ref: str, value: Any) -> str:
    return f'<c r="{ref}" t="b"><v>{1 if value else 0}</v></c>'


def _time_cell(ref: str, value: Any) -> str:
    serial = (_utc_naive(value) - _EXCEL_EPOCH) / _DAY
    return f'<c r="{ref}" s="{_TIME_STYLE}"><v>{serial!r}</v></c>'


_XLSX_CELLS: dict[CellType, Callable[[str, Any], str]] = {
    CellType.TEXT: _text_cell,
    CellType.DECIMAL: _number_cell,
    CellType.INTEGER: _integer_cell,
    CellType.BOOLEAN: _boolean_cell,
    CellType.DATETIME: _time_cell,
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


def column_letter(index: int) -> str:
    """A for 0, B for 1, ..., AA for 26."""
    letters, number = "", index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class _Sink:
    """The zip's output: a write-only file whose bytes are taken as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to do: the bytes wait in memory until `take`."""

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_STYLES = (
    f"{_XML}<styleSheet {_NS}>"
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE5F0"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class XlsxStream:
    """One typed sheet (continued on further sheets past Excel's row limit), written as rows
    arrive; each call returns the zip bytes produced so far. Not thread-safe."""

    def __init__(self, columns: Sequence[Column], *, title: str):
        self._columns = columns
        self._title = title[:31]
        self._cells = [
            (column_letter(index), _XLSX_CELLS[column.type]) for index, column in enumerate(columns)
        ]
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", zipfile.ZIP_DEFLATED)
        self._sheets: list[tuple[str, str | None]] = []  # (title, auto-filter range)
        self._part: Any = None  # the open sheet entry
        self._part_rows = self._part_bytes = 0

    def write(self, rows: Iterable[Sequence[Any]]) -> bytes:
        """Add rows to the sheet; return the bytes ready to send."""
        if self._part is None:
            self._open_sheet()
        batch: list[bytes] = []
        pending = 0
        for row in rows:
            data = self._row(row)
            full = self._part_bytes + pending + len(data) > SHEET_BYTES
            if full or self._part_rows == SHEET_ROWS:
                self._put(b"".join(batch))
                batch, pending = [], 0
                self._close_sheet()
                self._open_sheet()
                data = self._row(row)  # renumbered on its new sheet
            batch.append(data)
            pending += len(data)
            self._part_rows += 1
        self._put(b"".join(batch))
        return self._sink.take()

    def _row(self, row: Sequence[Any]) -> bytes:
        number = self._part_rows + 2  # below the header
        cells = "".join(
            convert(f"{letter}{number}", value)
            for (letter, convert), value in zip(self._cells, row, strict=True)
            if value is not None
        )
        return f'<row r="{number}">{cells}</row>'.encode()

    def add_sheet(self, title: str, rows: Iterable[Sequence[Any]]) -> bytes:
        """Close the typed sheet and add a plain one of text (the import template's guide)."""
        if self._part is None:
            self._open_sheet()
        self._close_sheet()
        body = "".join(
            f'<row r="{number}">'
            + "".join(
                _text_cell(f"{column_letter(index)}{number}", value)
                for index, value in enumerate(row)
                if value is not None
            )
            + "</row>"
            for number, row in enumerate(rows, 1)
        )
        self._zip.writestr(
            f"xl/worksheets/sheet{len(self._sheets) + 1}.xml",
            f"{_XML}<worksheet {_NS} {_NS_R}><sheetData>{body}</sheetData></worksheet>",
        )
        self._sheets.append((title[:31], None))
        return self._sink.take()

    def finish(self) -> bytes:
        """Close the sheet and write the parts that name it; return the last bytes."""
        if self._part is None and not self._sheets:
            self._open_sheet()
        if self._part is not None:
            self._close_sheet()
        for name, xml in _package_parts(self._sheets):
            self._zip.writestr(name, xml)
        self._zip.close()
        return self._sink.take()

    def _open_sheet(self) -> None:
        number = len(self._sheets) + 1
        title = self._title
        if number > 1:
            suffix = f" {number}"
            title = title[: 31 - len(suffix)] + suffix
        self._sheets.append((title, None))
        self._part = self._zip.open(f"xl/worksheets/sheet{number}.xml", "w")
        self._part_rows = self._part_bytes = 0
        widths = "".join(
            f'<col min="{n}" max="{n}" width="{column.width}" customWidth="1"/>'
            for n, column in enumerate(self._columns, 1)
        )
        header = "".join(
            f'<c r="{letter}1" s="{_HEADER_STYLE}" t="inlineStr">{_inline(column.label)}</c>'
            for (letter, _), column in zip(self._cells, self._columns, strict=True)
        )
        self._put(
            (
                f'{_XML}<worksheet {_NS} {_NS_R}><sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
                f'</sheetViews><cols>{widths}</cols><sheetData><row r="1">{header}</row>'
            ).encode()
        )

    def _close_sheet(self) -> None:
        last = self._cells[-1][0]
        ref = f"$A$1:${last}${self._part_rows + 1}"
        self._put(f'</sheetData><autoFilter ref="{ref.replace("$", "")}"/></worksheet>'.encode())
        self._part.close()
        self._part = None
        self._sheets[-1] = (self._sheets[-1][0], ref)

    def _put(self, data: bytes) -> None:
        if data:
            self._part.write(data)
            self._part_bytes += len(data)


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _package_parts(sheets: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """The workbook, its relationships, styles and content types, for (title, filter) sheets."""
    numbered = list(enumerate(sheets, 1))
    entries = "".join(
        f'<sheet name="{_escape(title)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, (title, _) in numbered
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n - 1}" hidden="1">'
        f"{_escape(_quoted(title))}!{ref}</definedName>"
        for n, (title, ref) in numbered
        if ref
    )
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_DOC}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n, _ in numbered
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        for n, _ in numbered
    )
    relationships = f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    return [
        (
            "xl/workbook.xml",
            f"{_XML}<workbook {_NS} {_NS_R}><bookViews><workbookView/></bookViews>"
            f"<sheets>{entries}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>",
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'{relationships}{links}<Relationship Id="rId{len(sheets) + 1}" '
            f'Type="{_DOC}/styles" Target="styles.xml"/></Relationships>',
        ),
        ("xl/styles.xml", _STYLES),
        (
            "_rels/.rels",
            f'{relationships}<Relationship Id="rId1" Type="{_DOC}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        ),
        (
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>'
            f"{overrides}</Types>",
        ),
    ]


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
