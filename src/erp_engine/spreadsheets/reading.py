"""Uploaded spreadsheets into rows of cells, refusing hostile files with bounded memory.

A file is what its bytes say, and must agree with its name: an .xlsx is a zip archive with
`[Content_Types].xml`, a CSV is UTF-8 text (BOM optional) without NUL bytes. Before openpyxl
opens a workbook, the zip's declared sizes and compression ratios are checked (zip bombs),
and every XML part is scanned for a DTD (entity expansion); defusedxml refuses one again
while parsing. Reading the zip never inflates more than a member's declared size, and each
part that could still expand has a limit of its own (the MAX_* below): shared strings are
streamed and packed, the sheet is read one row at a time. Formulas come back as their
literal text (`=SUM(A1:A3)`) and are never evaluated.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from erp_engine.errors import PayloadTooLargeError, ValidationError, field_error

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
# What a hostile file could make us hold or loop over, below the zip limits above. A
# 100,000-row import has a few hundred thousand distinct strings and a few million cells.
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_STRING_CHARS = 16 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
MAX_SHEET_CELLS = 3_000_000
# XML elements held before a row (or a shared string) is read and dropped: Excel's 16,384
# columns, a few elements per cell.
MAX_HELD_ELEMENTS = 100_000
# Parts that openpyxl parses whole into objects (manifest, workbook, its links, styles).
MAX_WHOLE_PART_BYTES = 4 * 1024 * 1024
_SCAN_CHUNK = 1024 * 1024
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
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


def refuse_oversized(size: int, limit: int) -> None:
    """Refuse a file over the upload limit (the same for the API and the CLI).

    Raises:
        PayloadTooLargeError: naming the file's size and the limit.
    """
    if size > limit:
        raise PayloadTooLargeError(
            f"The file is {size:,} bytes; the limit is {limit / 2**20:g} MiB "
            f"({limit:,} bytes) per file."
        )


class SpreadsheetError(ValidationError):
    """The upload cannot be read as a spreadsheet at all (type, hostility, limits).

    `code` says which (`file_refused` for every limit that guards against hostile files).
    """

    def __init__(self, message: str, code: str, **params: Any):
        problem = {"row": None, "column": None, "cell": None}
        super().__init__(
            message, errors=[{**problem, **field_error("file", code, message, **params)}]
        )


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
        raise SpreadsheetError("The file is empty.", "file_empty")
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in _REFUSED_EXTENSIONS:
        raise SpreadsheetError(
            f"{suffix} files are not supported; save it as .xlsx or .csv.",
            "file_type",
            suffix=suffix,
        )
    declared = _EXTENSIONS.get(suffix)
    if declared is None:
        media_type = (content_type or "").split(";")[0].strip().lower()
        declared = _MEDIA_TYPES.get(media_type)
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise SpreadsheetError(
                f"The file is {what}, not an .xlsx workbook or a CSV file.", "file_not_spreadsheet"
            )
    actual = XLSX if data.startswith(b"PK\x03\x04") else CSV
    if declared == XLSX and actual != XLSX:
        raise SpreadsheetError(
            "The file is named as an .xlsx workbook but is not one.", "file_not_spreadsheet"
        )
    if declared == CSV and actual != CSV:
        raise SpreadsheetError(
            "The file is named as a CSV file but is a zip archive.", "file_not_spreadsheet"
        )
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
        raise SpreadsheetError(
            f"The workbook has more than {MAX_ZIP_MEMBERS} parts.", "file_refused"
        )
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        raise SpreadsheetError(
            "The file is a zip archive but not an .xlsx workbook.", "file_not_spreadsheet"
        )
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise SpreadsheetError("Encrypted workbooks are not supported.", "file_encrypted")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SpreadsheetError(
                "The workbook uses an unsupported compression method.", "file_refused"
            )
        if member.file_size > MAX_MEMBER_BYTES:
            raise SpreadsheetError(
                f"A part of the workbook expands to more than {MAX_MEMBER_BYTES // 2**20} MiB.",
                "file_refused",
            )
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise SpreadsheetError(
                f"A part of the workbook is compressed more than {MAX_RATIO} times; "
                "refused as a possible zip bomb.",
                "file_refused",
            )
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise SpreadsheetError(
            f"The workbook expands to more than {MAX_TOTAL_BYTES // 2**20} MiB; refused.",
            "file_refused",
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
            raise SpreadsheetError("The workbook's XML is not UTF-8; refused.", "file_refused")
        tail = start.lower()
        while chunk := stream.read(_SCAN_CHUNK):
            window = (tail + chunk).lower()
            if any(marker in window for marker in _DTD_MARKERS):
                raise SpreadsheetError(
                    "The workbook's XML declares a DTD or entities; refused (XML entity bomb).",
                    "file_refused",
                )
            tail = window[-16:]


def _check_part(archive: zipfile.ZipFile, path: str, limit: int, what: str) -> None:
    """Refuse a part that expands beyond `limit`: reading never inflates more than the size
    a member declares (a member that lies fails its CRC), so the declared size bounds it.

    Raises:
        SpreadsheetError: naming the part and the limit.
    """
    try:
        size = archive.getinfo(path).file_size
    except KeyError:
        return
    if size > limit:
        raise SpreadsheetError(
            f"The workbook's {what} expands to {size:,} bytes; the limit is "
            f"{limit // 2**20} MiB. Save only the sheet to import in a new workbook.",
            "file_refused",
        )


class SharedStrings:
    """The workbook's shared strings, packed: blocks of strings joined into one `str` each,
    with their end offsets in an array. A Python `str` per entry costs 50+ bytes on its own,
    which a file of millions of tiny strings turns into hundreds of MiB."""

    BLOCK = 4096

    def __init__(self) -> None:
        self._blocks: list[str] = []
        self._ends = array("I")  # offsets inside a block: it holds far fewer than 2**32
        self._pending: list[str] = []
        self.chars = 0

    def __len__(self) -> int:
        return len(self._ends) + len(self._pending)

    def append(self, text: str) -> None:
        self._pending.append(text)
        self.chars += len(text)
        if len(self._pending) == self.BLOCK:
            self.seal()

    def seal(self) -> None:
        """Pack the strings appended since the last block."""
        end = 0
        for text in self._pending:
            end += len(text)
            self._ends.append(end)
        self._blocks.append("".join(self._pending))
        self._pending = []

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._ends):
            raise IndexError("no such shared string")
        block, slot = divmod(index, self.BLOCK)
        start = self._ends[index - 1] if slot else 0
        return self._blocks[block][start : self._ends[index]]


_SI, _SST = f"{{{_MAIN}}}si", f"{{{_MAIN}}}sst"
_T, _R = f"{{{_MAIN}}}t", f"{{{_MAIN}}}r"


def _entry_text(entry) -> str:
    # As openpyxl's Text.content: the entry's own text, then its runs' (never phonetics).
    parts = [entry.findtext(_T) or ""]
    parts += [run.findtext(_T) or "" for run in entry if run.tag == _R]
    return "".join(parts).replace("x005F_", "")


def read_shared_strings(archive: zipfile.ZipFile, path: str | None) -> SharedStrings:
    """The shared strings part, streamed, within the MAX_SHARED_* limits.

    Raises:
        SpreadsheetError: the part, the number of strings or their length exceed a limit.
    """
    from xml.etree.ElementTree import iterparse

    strings = SharedStrings()
    if path is None or path not in archive.namelist():
        return strings
    _check_part(archive, path, MAX_SHARED_STRINGS_BYTES, "shared strings part")
    with archive.open(path) as source:
        events = iterparse(source, events=("start", "end"))  # noqa: S314 - no DTD, UTF-8
        _, root = next(events)
        if root.tag != _SST:
            raise SpreadsheetError(
                "The workbook's shared strings part is not readable.", "file_not_spreadsheet"
            )
        depth = held = 0
        for event, element in events:
            if event == "start":
                depth += 1
                continue
            depth, held = depth - 1, held + 1
            if held > MAX_HELD_ELEMENTS:
                raise SpreadsheetError(
                    f"A shared string holds more than {MAX_HELD_ELEMENTS:,} XML elements "
                    "(the limit).",
                    "file_refused",
                )
            if depth != 0:
                continue  # inside an entry: read when the entry ends
            if element.tag == _SI:
                strings.append(_entry_text(element))
            root.clear()  # drop what was read, so memory holds only the packed strings
            held = 0
            if len(strings) > MAX_SHARED_STRINGS:
                raise SpreadsheetError(
                    f"The workbook has more than {MAX_SHARED_STRINGS:,} shared strings "
                    "(the limit).",
                    "file_refused",
                )
            if strings.chars > MAX_SHARED_STRING_CHARS:
                raise SpreadsheetError(
                    f"The workbook's shared strings hold more than "
                    f"{MAX_SHARED_STRING_CHARS:,} characters (the limit).",
                    "file_refused",
                )
    strings.seal()
    return strings


@dataclass(frozen=True, slots=True)
class _Workbook:
    reader: Any  # openpyxl's ExcelReader, its archive open
    sheet_path: str
    strings: SharedStrings


def _open_workbook(data: bytes) -> _Workbook:
    # openpyxl's own building blocks, without `load_workbook`: that one scans every sheet for
    # its dimensions first (the whole sheet when they are missing) and pads rows to them.
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import ExcelReader, _find_workbook_part
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise SpreadsheetError(
            "The file is not a readable .xlsx workbook.", "file_not_spreadsheet"
        ) from error
    with archive:
        try:
            check_workbook_archive(archive)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            raise SpreadsheetError(
                "The file is not a readable .xlsx workbook.", "file_not_spreadsheet"
            ) from error
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = ExcelReader(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
            archive = reader.archive
            _check_part(archive, ARC_CONTENT_TYPES, MAX_WHOLE_PART_BYTES, "content types part")
            reader.read_manifest()
            strings_part = reader.package.find(SHARED_STRINGS)
            strings = read_shared_strings(
                archive, strings_part.PartName[1:] if strings_part is not None else None
            )
            workbook_path = _find_workbook_part(reader.package).PartName[1:]
            for path, what in (
                (workbook_path, "workbook part"),
                (get_rels_path(workbook_path), "workbook relationships part"),
                (ARC_STYLE, "styles part"),
            ):
                _check_part(archive, path, MAX_WHOLE_PART_BYTES, what)
            reader.read_workbook()
            apply_stylesheet(archive, reader.wb)  # which number formats are dates
            paths = [
                rel.target
                for _, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ]
    except SpreadsheetError:
        reader.archive.close()
        raise
    except Exception as error:  # hostile input breaks parsers in many ways; all are a 422
        raise SpreadsheetError(
            "The file is not a readable .xlsx workbook.", "file_not_spreadsheet"
        ) from error
    if not paths:
        reader.archive.close()
        raise SpreadsheetError("The workbook has no worksheet.", "file_no_sheet")
    return _Workbook(reader, paths[0], strings)


_MAIN_NS = f"{{{_MAIN}}}"
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

    def __init__(self, reader, strings: SharedStrings):
        from openpyxl.formula.translate import Translator
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        self._strings = strings
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
    """The first sheet's rows as (row number, values), blank rows left out.

    Memory holds one row's elements at a time (at most MAX_HELD_ELEMENTS), and the loop
    stops after MAX_SHEET_CELLS cells or MAX_SHEET_ROWS rows, whatever the sheet claims.
    """
    from xml.etree.ElementTree import iterparse

    reader = workbook.reader
    try:
        parser = _SheetParser(reader, workbook.strings)
        with reader.archive.open(workbook.sheet_path) as source:
            number = rows = cells = pending = 0
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
                    pending += 1
                    if pending > MAX_HELD_ELEMENTS:
                        raise SpreadsheetError(
                            f"A row of the sheet holds more than {MAX_HELD_ELEMENTS:,} XML "
                            "elements (the limit).",
                            "file_refused",
                        )
                    if element.tag == _CELL:
                        cells += 1
                        if cells > MAX_SHEET_CELLS:
                            raise SpreadsheetError(
                                f"The sheet has more than {MAX_SHEET_CELLS:,} cells (the limit).",
                                "file_refused",
                            )
                        continue
                    if element is container:
                        return  # what follows the rows (merges, links, ...) is not read
                    if element.tag != _ROW:
                        continue
                    given = element.get("r")
                    number = int(given) if given else number + 1
                    rows += 1
                    if max(number, rows) > MAX_SHEET_ROWS:
                        raise SpreadsheetError(
                            f"The sheet has more than {MAX_SHEET_ROWS} rows.",
                            "file_too_many_rows",
                            max=MAX_SHEET_ROWS,
                        )
                    values: dict[int, Any] = {}
                    column = 0
                    for cell in element:
                        if cell.tag != _CELL:
                            continue
                        reference = cell.get("r") or ""
                        column = _column_number(reference) or column + 1
                        if not len(cell):  # no value, formula or text: blank (or styled)
                            continue
                        value = parser.value(cell, reference)
                        if not is_blank(value):
                            if column > MAX_COLUMNS:
                                raise SpreadsheetError(
                                    f"The sheet has more than {MAX_COLUMNS} columns.",
                                    "file_too_many_columns",
                                    max=MAX_COLUMNS,
                                )
                            values[column] = value
                except SpreadsheetError:
                    raise
                except Exception as error:  # a corrupt part shows only while streaming it
                    raise SpreadsheetError(
                        "The file is not a readable .xlsx workbook.", "file_not_spreadsheet"
                    ) from error
                # Drop parsed rows, so memory does not grow with the sheet. A row outside
                # sheetData stays attached to its parent: `pending` keeps counting it.
                if container is not None:
                    container.clear()
                    pending = 0
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
            "The file contains NUL bytes: it is not a text CSV file (or not UTF-8).",
            "file_not_utf8",
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SpreadsheetError("The CSV file is UTF-16; save it as 'CSV UTF-8'.", "file_utf16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpreadsheetError(
            f"The CSV file is not UTF-8 text (invalid byte at offset {error.start}); "
            "save it as 'CSV UTF-8'.",
            "file_not_utf8",
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
            raise SpreadsheetError(
                f"Row {number + 1} is not valid CSV: {error}.", "file_bad_csv_row", row=number + 1
            ) from error
        if cells is None:
            return
        number += 1
        if number > MAX_SHEET_ROWS:
            raise SpreadsheetError(
                f"The file has more than {MAX_SHEET_ROWS} rows.",
                "file_too_many_rows",
                max=MAX_SHEET_ROWS,
            )
        if len(cells) > MAX_COLUMNS:
            raise SpreadsheetError(
                f"Row {number} has more than {MAX_COLUMNS} columns.",
                "file_too_many_columns",
                max=MAX_COLUMNS,
            )
        if any(not is_blank(cell) for cell in cells):
            yield number, tuple(cells)


def is_blank(cell: Any) -> bool:
    """Empty, or only whitespace: such a cell holds no value."""
    return cell is None or (isinstance(cell, str) and not cell.strip())
