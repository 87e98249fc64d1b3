"""Bodies of the import answers."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from erp_engine.kernel.schema import OutputModel


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class ImportProblem(OutputModel):
    row: int | None
    column: str | None
    cell: str | None = None
    field: str
    code: str = Field(description="What is wrong, stable: `required`, `number_expected`, …")
    message: str
    params: dict[str, str | int] = Field(
        default_factory=dict,
        description="The values the message names (`got`, `max`, `sku`, `row`, …)",
    )


class ItemImportResult(OutputModel):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    errors: list[ImportProblem]


class StockImportResult(ItemImportResult):
    adjustments: list[str]
