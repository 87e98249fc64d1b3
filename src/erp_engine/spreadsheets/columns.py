"""What each spreadsheet holds: columns (key, readable header, type) and how their cells parse.

Exports and imports share the specs, so an export re-imports cleanly: the items export has
every import column, and the importer skips the read-only ones (stock totals, timestamps).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from erp_engine.kernel.quantity import MONEY_PLACES, QUANTITY_PLACES, plain

# Text that a spreadsheet could run or reinterpret: written with a leading apostrophe.
NEUTRALISED_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
# The apostrophe itself is escaped too, so that stripping one on import is exact.
_ESCAPED_AFTER_APOSTROPHE = frozenset("=+-@\t\r\0'")


class CellType(StrEnum):
    TEXT = "text"
    DECIMAL = "decimal"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "datetime"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    type: CellType = CellType.TEXT
    width: int = 14
    help: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()


def _text(key: str, label: str, width: int = 14, **kw: Any) -> Column:
    return Column(key, label, CellType.TEXT, width, **kw)


def _number(key: str, label: str, width: int = 13, **kw: Any) -> Column:
    return Column(key, label, CellType.DECIMAL, width, **kw)


def _time(key: str, label: str) -> Column:
    return Column(key, f"{label} (UTC)", CellType.DATETIME, 20)


def _flag(key: str, label: str, **kw: Any) -> Column:
    return Column(key, label, CellType.BOOLEAN, 10, **kw)


SKU = _text(
    "sku",
    "SKU",
    18,
    help="Required. Unique item code (case does not matter), 1-64 characters.",
    example="LCD-24-FHD",
    aliases=("품목코드", "품번", "item_code"),
)
ITEM_NAME = _text("item_name", "Item name", 30, aliases=("품목명",))
WAREHOUSE_CODE = _text(
    "warehouse_code",
    "Warehouse code",
    help="Required. Code of an active warehouse.",
    example="MAIN",
    aliases=("창고코드", "창고", "warehouse"),
)

ITEM_COLUMNS = (
    SKU,
    _text(
        "name",
        "Name",
        32,
        help="Required for new items. 1-200 characters.",
        example="24인치 FHD 모니터",
        aliases=("품목명", "이름", "item_name"),
    ),
    _text(
        "engine_code",
        "Engine code",
        help="Optional. Code of the engine (product line) the item belongs to.",
        example="LCD",
        aliases=("엔진코드", "엔진", "engine"),
    ),
    _text(
        "unit", "Unit", 8, help="Unit of measure; EA when empty.", example="EA", aliases=("단위",)
    ),
    _text(
        "barcode",
        "Barcode",
        16,
        help="Optional. Unique where set, up to 64 characters.",
        example="8801234500011",
        aliases=("바코드",),
    ),
    _number(
        "unit_cost",
        "Unit cost",
        help=f"Number >= 0, at most {MONEY_PLACES} decimal places; 0 when empty.",
        example="189000",
        aliases=("단가", "원가", "cost"),
    ),
    _number(
        "reorder_point",
        "Reorder point",
        help=f"Quantity >= 0, at most {QUANTITY_PLACES} decimal places; 0 when empty.",
        example="5",
        aliases=("재주문점", "안전재고"),
    ),
    _flag(
        "active",
        "Active",
        help="TRUE or FALSE (also yes/no, 1/0); TRUE when empty.",
        example="TRUE",
        aliases=("사용여부", "활성"),
    ),
)
ITEM_READ_ONLY = (
    _number("on_hand", "On hand"),
    _number("reserved", "Reserved"),
    _number("available", "Available"),
    _flag("low_stock", "Low stock"),
    _time("created_at", "Created at"),
    _time("updated_at", "Updated at"),
)
STOCK_COLUMNS = (
    SKU,
    ITEM_NAME,
    WAREHOUSE_CODE,
    _number("on_hand", "On hand"),
    _number("reserved", "Reserved"),
    _number("available", "Available"),
    _number("reorder_point", "Reorder point"),
    _flag("low_stock", "Low stock"),
    _time("updated_at", "Updated at"),
)
MOVE_COLUMNS = (
    _time("created_at", "Created at"),
    _text("document_number", "Document", 12),
    _text("document_type", "Document type", 12),
    _text("reason", "Reason", 11),
    SKU,
    ITEM_NAME,
    WAREHOUSE_CODE,
    _number("quantity", "Quantity"),
    _number("balance_after", "Balance after"),
)
DOCUMENT_COLUMNS = (
    _text("number", "Number", 12),
    _text("status", "Status", 10),
    WAREHOUSE_CODE,
    _text("partner", "Partner", 20),
    _text("reference", "Reference", 16),
    _time("expected_at", "Expected at"),
    _time("created_at", "Created at"),
    _time("approved_at", "Approved at"),
    _time("committed_at", "Committed at"),
    _time("cancelled_at", "Cancelled at"),
    _text("memo", "Memo", 24),
    Column("line_no", "Line", CellType.INTEGER, 6),
    SKU,
    ITEM_NAME,
    _number("quantity", "Quantity"),
    _number("unit_cost", "Unit cost"),
)
EXPORT_COLUMNS: dict[str, tuple[Column, ...]] = {
    "items": ITEM_COLUMNS + ITEM_READ_ONLY,
    "stocks": STOCK_COLUMNS,
    "stock-moves": MOVE_COLUMNS,
    "inbounds": DOCUMENT_COLUMNS,
    "outbounds": DOCUMENT_COLUMNS,
}


@dataclass(frozen=True, slots=True)
class ImportSpec:
    """The columns an import reads, those it needs, and those it knows but skips."""

    kind: str
    columns: tuple[Column, ...]
    required: frozenset[str]
    ignored: tuple[Column, ...] = field(default=())


ITEM_IMPORT = ImportSpec(
    "items",
    ITEM_COLUMNS,
    frozenset({"sku"}),
    (*ITEM_READ_ONLY, _text("id", "Id"), _text("engine_id", "Engine id")),
)
STOCK_IMPORT = ImportSpec(
    "stock",
    (
        SKU,
        WAREHOUSE_CODE,
        _number(
            "counted_quantity",
            "Counted quantity",
            help=f"Required. Quantity >= 0, at most {QUANTITY_PLACES} decimal places.",
            example="12",
            # A stocks export re-imports as a count of what it shows.
            aliases=("on_hand", "실사수량", "수량", "재고", "quantity"),
        ),
    ),
    frozenset({"sku", "warehouse_code", "counted_quantity"}),
    tuple(c for c in STOCK_COLUMNS if c.key not in ("sku", "warehouse_code", "on_hand")),
)


def header_key(text: Any) -> str:
    """`Created at (UTC)` → `created_at`; `Unit cost` → `unit_cost`; Hangul is kept."""
    value = unescape(str(text or "").strip()).lower()
    value = re.sub(r"\(.*?\)", "", value)
    return re.sub(r"[^0-9a-z가-힣]+", "_", value).strip("_")


def column_index(spec: ImportSpec) -> dict[str, Column | None]:
    """Every header key the spec recognises: its column, or None for a skipped one."""
    index: dict[str, Column | None] = {}
    for column in spec.ignored:
        index[column.key] = None
        index.setdefault(header_key(column.label), None)
    for column in spec.columns:
        for name in (column.key, header_key(column.label), *column.aliases):
            index[header_key(name)] = column
    return index


class CellError(ValueError):
    """A cell does not hold what its column expects; the message says what would, `code`
    and `params` say it to clients that word it themselves."""

    def __init__(self, message: str, code: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params


def unescape(text: str) -> str:
    """Strip the apostrophe an export put before = + - @ tab CR NUL or another apostrophe."""
    if len(text) > 1 and text[0] == "'" and text[1] in _ESCAPED_AFTER_APOSTROPHE:
        return text[1:]
    return text


def shown(value: Any) -> str:
    """A cell value for a message: quoted, cut at 40 characters."""
    text = str(value)
    return repr(text[:40] + "…" if len(text) > 40 else text)


def as_text(value: Any, *, max_length: int) -> str | None:
    """A cell as stripped text (None when empty); numbers as they read, 12.0 as 12."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(
                f"Expected text, got {shown(value)}.", "text_expected", got=shown(value)
            )
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    elif isinstance(value, Decimal):
        text = plain(value)
    elif isinstance(value, datetime | date | time):
        text = value.isoformat()
    else:
        text = unescape(str(value).strip()).strip()
    if not text:
        return None
    if len(text) > max_length:
        raise CellError(
            f"Expected at most {max_length} characters, got {len(text)}.",
            "too_long",
            max=max_length,
            length=len(text),
        )
    return text


_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def as_decimal(value: Any, *, places: int, integer_digits: int) -> Decimal | None:
    """A cell as an exact decimal >= 0 (None when empty); `1,000.5` reads as 1000.5."""
    expected = (
        f"Expected a number >= 0 with at most {places} decimal places "
        f"and {integer_digits} integer digits"
    )
    limits = {"places": places, "digits": integer_digits}

    def refuse(got: Any, code: str = "number_expected", hint: str = "") -> CellError:
        return CellError(f"{expected}, got {shown(got)}{hint}.", code, **limits, got=shown(got))

    if value is None:
        return None
    if isinstance(value, (bool, datetime | date | time)):
        raise refuse(value)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise refuse(value)
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    else:
        text = unescape(str(value).strip()).strip().replace(" ", "")
        if not text:
            return None
        if _GROUPED.match(text):
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            if text.startswith("="):
                raise refuse(text, "formula", " (formulas are not evaluated)") from None
            raise refuse(text) from None
    if not number.is_finite():
        raise refuse(value)
    if number < 0:
        raise CellError(
            f"{expected}, got a negative number ({plain(number)}).",
            "negative",
            **limits,
            got=plain(number),
        )
    if number >= Decimal(10) ** integer_digits:
        raise refuse(number)
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step, rounding=ROUND_DOWN):
        raise refuse(number)
    return number.quantize(step)


_TRUE = frozenset({"true", "t", "yes", "y", "1", "예", "네", "사용", "활성", "o"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "아니오", "아니요", "미사용", "비활성", "x"})


def as_bool(value: Any) -> bool | None:
    """A cell as TRUE/FALSE (None when empty); yes/no and 1/0 read too."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = unescape(str(value).strip()).strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(
        f"Expected TRUE or FALSE (or yes/no, 1/0), got {shown(value)}.",
        "boolean_expected",
        got=shown(value),
    )
