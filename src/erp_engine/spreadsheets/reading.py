"""Uploaded spreadsheets into rows of cells, refusing hostile files with bounded memory.

A file is what its bytes say, and must agree with its name: an .xlsx is a zip archive with
`[Content_Types].xml`, a CSV is UTF-8 text (BOM optional) without NUL bytes. Before openpyxl
opens a workbook, the zip's declared sizes and compression ratios are checked (zip bombs),
and every XML part is scanned for a DTD (entity expansion); defusedxml refuses one again
while parsing. Reading the zip never inflates more than a member's declared size. Formulas
come back as their literal text (`=SUM(A1:A3)`) and are never evaluated.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from erp_engine.errors import ValidationError

XLSX = "xlsx"
CSV = "csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"

MAX_ZIP_MEMBERS = 1000
MAX_MEMBER_BYTES = 128 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
# Spreadsheet XML compresses 5-20 times; a member that claims far more is a bomb.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024
# Excel's own row limit; also bounds the empty rows a reader may fill in for gaps.
MAX_SHEET_ROWS = 1_048_576
MAX_COLUMNS = 200
_SCAN_CHUNK = 1024 * 1024
_DTD_MARKERS = (b"<!doctype", b"<!entity")

_EXTENSIONS = {".xlsx": XLSX, ".xlsm": XLSX, ".csv": CSV, ".txt": CSV, ".tsv": CSV}
_MEDIA_TYPES = {XLSX_MEDIA_TYPE: XLSX, CSV_MEDIA_TYPE: CSV}
_REFUSED_EXTENSIONS = {".xls", ".ods", ".numbers", ".xlsb"}
_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0", "an old binary Office file (.xls); save it as .xlsx"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
)


class SpreadsheetError(ValidationError):
    """The upload cannot be read as a spreadsheet at all (type, hostility, limits)."""

    def __init__(self, message: str):
        super().__init__(message, errors=[_file_error(message)])


def _file_error(message: str) -> dict[str, Any]:
    return {"field": "file", "row": None, "column": None, "cell": None, "message": message}


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of a sheet: `rows` yields (spreadsheet row number, cells), blank rows left out."""

    format: str
    rows: Iterator[tuple[int, tuple[Any, ...]]]


def detect_format(data: bytes, *, filename: str | None, content_type: str | None) -> str:
    """xlsx or csv, from the content; a name or media type that says otherwise is refused.

    Raises:
        SpreadsheetError: empty, a known non-spreadsheet, or a mismatch with the name.
    """
    if not data:
        raise SpreadsheetError("The file is empty.")
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in _REFUSED_EXTENSIONS:
        raise SpreadsheetError(f"{suffix} files are not supported; save it as .xlsx or .csv.")
    declared = _EXTENSIONS.get(suffix)
    if declared is None:
        media_type = (content_type or "").split(";")[0].strip().lower()
        declared = _MEDIA_TYPES.get(media_type)
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise SpreadsheetError(f"The file is {what}, not an .xlsx workbook or a CSV file.")
    actual = XLSX if data.startswith(b"PK\x03\x04") else CSV
    if declared == XLSX and actual != XLSX:
        raise SpreadsheetError("The file is named as an .xlsx workbook but is not one.")
    if declared == CSV and actual != CSV:
        raise SpreadsheetError("The file is named as a CSV file but is a zip archive.")
    return actual


def read_table(
    data: bytes, *, filename: str | None = None, content_type: str | None = None
) -> Table:
    """Open an upload as a table of cells.

    Raises:
        SpreadsheetError: see `detect_format`, `check_workbook_archive` and the CSV rules.
    """
    kind = detect_format(data, filename=filename, content_type=content_type)
    if kind == XLSX:
        return Table(XLSX, _xlsx_rows(_open_workbook(data)))
    return Table(CSV, _csv_rows(_decode_csv(data)))


# xlsx -------------------------------------------------------------------------------------


def check_workbook_archive(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs and XML with a DTD before any XML parser sees the workbook.

    Raises:
        SpreadsheetError: naming what was refused.
    """
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetError(f"The workbook has more than {MAX_ZIP_MEMBERS} parts.")
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        raise SpreadsheetError("The file is a zip archive but not an .xlsx workbook.")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise SpreadsheetError("Encrypted workbooks are not supported.")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SpreadsheetError("The workbook uses an unsupported compression method.")
        if member.file_size > MAX_MEMBER_BYTES:
            raise SpreadsheetError(
                f"A part of the workbook expands to more than {MAX_MEMBER_BYTES // 2**20} MiB."
            )
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise SpreadsheetError(
                f"A part of the workbook is compressed more than {MAX_RATIO} times; "
                "refused as a possible zip bomb."
            )
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise SpreadsheetError(
            f"The workbook expands to more than {MAX_TOTAL_BYTES // 2**20} MiB; refused."
        )
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels", ".vml")):
            _refuse_dtd(archive, member)


def _refuse_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    tail = b""
    with archive.open(member) as stream:
        start = stream.read(4)
        # The scan below reads bytes as ASCII: UTF-16 or UTF-32 text would hide a DTD from it.
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in start:
            raise SpreadsheetError("The workbook's XML is not UTF-8; refused.")
        tail = start.lower()
        while chunk := stream.read(_SCAN_CHUNK):
            window = (tail + chunk).lower()
            if any(marker in window for marker in _DTD_MARKERS):
                raise SpreadsheetError(
                    "The workbook's XML declares a DTD or entities; refused (XML entity bomb)."
                )
            tail = window[-16:]


@dataclass(frozen=True, slots=True)
class _Workbook:
    reader: Any  # openpyxl's ExcelReader, its archive open
    sheet_path: str


def _open_workbook(data: bytes) -> _Workbook:
    # openpyxl's own building blocks, without `load_workbook`: that one scans every sheet for
    # its dimensions first (the whole sheet when they are missing) and pads rows to them.
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise SpreadsheetError("The file is not a readable .xlsx workbook.") from error
    with archive:
        try:
            check_workbook_archive(archive)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            raise SpreadsheetError("The file is not a readable .xlsx workbook.") from error
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = ExcelReader(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)  # which number formats are dates
            paths = [
                rel.target
                for _, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ]
    except Exception as error:  # hostile input breaks parsers in many ways; all are a 422
        raise SpreadsheetError("The file is not a readable .xlsx workbook.") from error
    if not paths:
        reader.archive.close()
        raise SpreadsheetError("The workbook has no worksheet.")
    return _Workbook(reader, paths[0])


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE = f"{_MAIN_NS}row", f"{_MAIN_NS}c", f"{_MAIN_NS}v"
_FORMULA, _INLINE, _TEXT, _RUN = f"{_MAIN_NS}f", f"{_MAIN_NS}is", f"{_MAIN_NS}t", f"{_MAIN_NS}r"
_SHEET_DATA = f"{_MAIN_NS}sheetData"


def _column_number(reference: str) -> int:
    number = 0
    for char in reference:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
    return number


def _inline_text(cell) -> str | None:
    node = cell.find(_INLINE)
    if node is None:
        return None
    parts = [child.text or "" for child in node if child.tag == _TEXT]
    parts += [run.findtext(_TEXT) or "" for run in node if run.tag == _RUN]
    return "".join(parts)


class _SheetParser:
    """Cells as openpyxl reads them (shared and inline strings, booleans, numbers, dates;
    formulas as `=` + their text, shared ones translated), from the standard library's C
    parser: twice as fast as openpyxl's own loop. Safe because `check_workbook_archive`
    refused any part with a DTD (no entities to expand) or in a non-UTF-8 encoding."""

    def __init__(self, reader):
        from openpyxl.formula.translate import Translator
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        self._strings = reader.shared_strings
        self._dates = reader.wb._date_formats
        self._durations = reader.wb._timedelta_formats
        self._epoch = reader.wb.epoch
        self._translator, self._from_excel, self._from_iso = Translator, from_excel, from_ISO8601
        self._shared_formulas: dict[str, Any] = {}

    def _formula(self, formula, reference: str) -> str:
        text = "=" + (formula.text or "")
        if formula.get("t") == "shared":
            index = formula.get("si")
            if formula.text is None and index in self._shared_formulas:
                return self._shared_formulas[index].translate_formula(reference)
            if formula.text is not None:
                self._shared_formulas[index] = self._translator(text, reference)
        return text

    def value(self, cell, reference: str) -> Any:
        formula = cell.find(_FORMULA)
        if formula is not None:
            return self._formula(formula, reference)
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            return _inline_text(cell)
        raw = cell.findtext(_VALUE)
        if not raw:
            return None
        if kind == "s":
            return self._strings[int(raw)]
        if kind == "b":
            return raw.strip() == "1"
        if kind == "d":
            return self._from_iso(raw)
        if kind != "n":  # str (a formula's text result) and e (an error such as #N/A)
            return raw
        number = float(raw) if ("." in raw or "e" in raw or "E" in raw) else int(raw)
        style = int(cell.get("s") or 0)
        if style and style in self._dates:
            return self._from_excel(number, self._epoch, timedelta=style in self._durations)
        return number


def _xlsx_rows(workbook: _Workbook) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The first sheet's rows as (row number, values), blank rows left out."""
    from xml.etree.ElementTree import iterparse

    reader = workbook.reader
    try:
        parser = _SheetParser(reader)
        with reader.archive.open(workbook.sheet_path) as source:
            number = 0
            container = None
            events = iterparse(source, events=("start", "end"))  # noqa: S314 - checked above
            while True:
                try:
                    event, element = next(events, (None, None))
                    if event is None:
                        return
                    if event == "start":
                        if element.tag == _SHEET_DATA:
                            container = element
                        continue
                    if element.tag != _ROW:
                        continue
                    given = element.get("r")
                    number = int(given) if given else number + 1
                    if number > MAX_SHEET_ROWS:
                        raise SpreadsheetError(f"The sheet has more than {MAX_SHEET_ROWS} rows.")
                    values: dict[int, Any] = {}
                    column = 0
                    for cell in element:
                        if cell.tag != _CELL:
                            continue
                        reference = cell.get("r") or ""
                        column = _column_number(reference) or column + 1
                        value = parser.value(cell, reference)
                        if not is_blank(value):
                            if column > MAX_COLUMNS:
                                raise SpreadsheetError(
                                    f"The sheet has more than {MAX_COLUMNS} columns."
                                )
                            values[column] = value
                except SpreadsheetError:
                    raise
                except Exception as error:  # a corrupt part shows only while streaming it
                    raise SpreadsheetError("The file is not a readable .xlsx workbook.") from error
                # Drop parsed rows, so memory does not grow with the sheet.
                if container is not None:
                    container.clear()
                else:
                    element.clear()
                if values:
                    yield number, tuple(values.get(c) for c in range(1, max(values) + 1))
    finally:
        reader.archive.close()


# csv --------------------------------------------------------------------------------------


def _decode_csv(data: bytes) -> str:
    if b"\x00" in data:
        raise SpreadsheetError(
            "The file contains NUL bytes: it is not a text CSV file (or not UTF-8)."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SpreadsheetError("The CSV file is UTF-16; save it as 'CSV UTF-8'.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpreadsheetError(
            f"The CSV file is not UTF-8 text (invalid byte at offset {error.start}); "
            "save it as 'CSV UTF-8'."
        ) from error


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _csv_rows(text: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    number = 0
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as error:
            raise SpreadsheetError(f"Row {number + 1} is not valid CSV: {error}.") from error
        if cells is None:
            return
        number += 1
        if number > MAX_SHEET_ROWS:
            raise SpreadsheetError(f"The file has more than {MAX_SHEET_ROWS} rows.")
        if len(cells) > MAX_COLUMNS:
            raise SpreadsheetError(f"Row {number} has more than {MAX_COLUMNS} columns.")
        if any(not is_blank(cell) for cell in cells):
            yield number, tuple(cells)


def is_blank(cell: Any) -> bool:
    """Empty, or only whitespace: such a cell holds no value."""
    return cell is None or (isinstance(cell, str) and not cell.strip())
