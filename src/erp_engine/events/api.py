"""HTTP route of the event feed (viewer+)."""

from __future__ import annotations

from fastapi import Query

from erp_engine.api.deps import ReadSession, Viewer
from erp_engine.api.routing import SlashRouter
from erp_engine.events import queries
from erp_engine.events.cursor import Cursor
from erp_engine.events.schemas import EventPage

router = SlashRouter(prefix="/events", tags=["events"])


@router.get("", response_model=EventPage, operation_id="list_events")
async def list_events(
    _: Viewer,
    session: ReadSession,
    after: str | None = Query(None, description="`next_cursor` of the previous page"),
    limit: int = Query(100, ge=1, le=1000),
):
    """Events in a stable order. Pass `next_cursor` back as `after` to continue; a poller
    that always does so never misses an event, even one whose transaction committed late."""
    return await queries.read_feed(session, Cursor.decode(after), limit)
