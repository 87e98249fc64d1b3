"""Retention: published events and finished webhook deliveries go after a configured age.

Deleted in small transactions, so the relay, the dispatcher and writers never wait long on
the rows being pruned; unpublished events and pending deliveries are never touched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from erp_engine.events.relay import pause
from erp_engine.events.service import prune_published
from erp_engine.kernel.clock import utcnow
from erp_engine.ops import metrics
from erp_engine.ops.logging import OutageLog
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from erp_engine.webhooks.service import CURSOR_NAME, prune_deliveries

logger = logging.getLogger("erp_engine.retention")
PRUNE_BATCH = 500
PRUNE_EVERY_S = 600.0


async def _in_batches(prune: Callable[[], Awaitable[int]], batch: int, stop: asyncio.Event) -> int:
    total = 0
    while not stop.is_set():
        deleted = await prune()
        total += deleted
        if deleted < batch:
            break
        await asyncio.sleep(0)  # let the relay and the dispatcher in between batches
    return total


async def prune_once(
    uow_factory: Callable[[], UnitOfWork],
    settings: Settings,
    *,
    now: datetime,
    stop: asyncio.Event,
    batch: int = PRUNE_BATCH,
) -> dict[str, int]:
    """Delete everything retention allows at `now`; return how many rows per table."""
    counts = {}
    if days := settings.outbox_retention_days:
        before = now - timedelta(days=days)
        counts["outbox_events"] = await _in_batches(
            lambda: prune_published(uow_factory(), before=before, limit=batch, read_by=CURSOR_NAME),
            batch,
            stop,
        )
    if days := settings.webhook_delivery_retention_days:
        before = now - timedelta(days=days)
        counts["webhook_deliveries"] = await _in_batches(
            lambda: prune_deliveries(uow_factory(), before=before, limit=batch), batch, stop
        )
    return counts


async def run_retention(
    uow_factory: Callable[[], UnitOfWork],
    settings: Settings,
    *,
    stop: asyncio.Event,
    every_s: float = PRUNE_EVERY_S,
) -> None:
    """Prune at start and every `every_s` until `stop` is set."""
    database = OutageLog(logger, "retention: database")
    while not stop.is_set():
        try:
            counts = await prune_once(uow_factory, settings, now=utcnow(), stop=stop)
        except Exception as error:
            database.failed(error)
        else:
            database.recovered()
            for table, count in counts.items():
                metrics.pruned(table, count)
                if count:
                    logger.info("retention: deleted %d rows of %s", count, table)
        await pause(stop, every_s)
