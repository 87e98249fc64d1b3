"""HTTP routes for the dashboard and low-stock alerts."""

from __future__ import annotations

import uuid

from fastapi import Response

from erp_engine.api.deps import AppSettings, Paging, ReadSession, ReadSessions, Staff, Uow, Viewer
from erp_engine.api.responses import set_etag
from erp_engine.api.routing import SlashRouter
from erp_engine.db.pagination import Page
from erp_engine.insights import queries, service
from erp_engine.insights.model import AlertStatus
from erp_engine.insights.schemas import AlertRead, Dashboard

dashboard = SlashRouter(prefix="/dashboard", tags=["dashboard"])
alerts = SlashRouter(prefix="/alerts", tags=["alerts"])


@dashboard.get("", response_model=Dashboard, operation_id="get_dashboard")
async def get_dashboard(_: Viewer, sessions: ReadSessions, settings: AppSettings):
    return await queries.dashboard(sessions, currency=settings.currency)


@alerts.get("", response_model=Page[AlertRead], operation_id="list_alerts")
async def list_alerts(
    _: Viewer,
    session: ReadSession,
    paging: Paging,
    status: AlertStatus | None = None,
    item_id: uuid.UUID | None = None,
    acknowledged: bool | None = None,
):
    return await queries.list_alerts(
        session, paging, status=status, item_id=item_id, acknowledged=acknowledged
    )


@alerts.get("/{alert_id}", response_model=AlertRead, operation_id="get_alert")
async def get_alert(alert_id: uuid.UUID, _: Viewer, session: ReadSession, response: Response):
    alert = await queries.get_alert(session, alert_id)
    set_etag(response, alert.version)
    return alert


@alerts.post("/{alert_id}/acknowledge", response_model=AlertRead, operation_id="acknowledge_alert")
async def acknowledge_alert(
    alert_id: uuid.UUID, actor: Staff, uow: Uow, session: ReadSession, response: Response
):
    alert = await service.acknowledge_alert(uow, alert_id, actor=actor)
    set_etag(response, alert.version)
    return await queries.get_alert(session, alert_id)
