"""Bodies for the dashboard and low-stock alerts."""

from __future__ import annotations

import uuid
from datetime import date

from erp_engine.flows.schemas import FlowRead
from erp_engine.insights.model import AlertStatus
from erp_engine.kernel.schema import MoneyTotal, OutputModel, Quantity, Timestamp


class DocumentCounts(OutputModel):
    draft: int
    approved: int


class DashboardCounts(OutputModel):
    engines: int
    items: int
    warehouses: int
    low_stock: int
    open_alerts: int
    inbound: DocumentCounts
    outbound: DocumentCounts


class DailySeries(OutputModel):
    days: list[date]
    inbound: list[Quantity]
    outbound: list[Quantity]


class TopItem(OutputModel):
    item_id: uuid.UUID
    sku: str
    name: str
    quantity: Quantity


class Dashboard(OutputModel):
    counts: DashboardCounts
    stock_value: MoneyTotal
    currency: str
    series: DailySeries
    top_outbound_items: list[TopItem]
    recent_flows: list[FlowRead]


class AlertRead(OutputModel):
    id: uuid.UUID
    item_id: uuid.UUID
    sku: str
    item_name: str
    status: AlertStatus
    available: Quantity
    reorder_point: Quantity
    opened_at: Timestamp
    closed_at: Timestamp | None
    acknowledged_by: uuid.UUID | None
    acknowledged_by_name: str | None
    acknowledged_at: Timestamp | None
    version: int
