"""Bodies of the import answers."""

from __future__ import annotations

from enum import StrEnum

from erp_engine.kernel.schema import OutputModel


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class ImportProblem(OutputModel):
    row: int | None
    column: str | None
    cell: str | None = None
    field: str
    message: str


class ItemImportResult(OutputModel):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    errors: list[ImportProblem]


class StockImportResult(ItemImportResult):
    adjustments: list[str]
