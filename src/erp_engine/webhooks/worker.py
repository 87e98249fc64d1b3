"""The webhook dispatcher loop (runs in `erp outbox-relay`, or in the server if configured).

Endpoints are served side by side, up to WEBHOOK_CONCURRENCY at once, each by a task that
sends its deliveries in order: a dead endpoint ties up its own task, never the others.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable

from erp_engine.kernel.clock import utcnow
from erp_engine.ops import metrics
from erp_engine.ops.logging import OutageLog
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from erp_engine.webhooks.delivery import HttpSender
from erp_engine.webhooks.service import Attempt, claim_batches, deliver_batch, enqueue_deliveries

logger = logging.getLogger("erp_engine.webhooks")


async def _claim(
    uow_factory: Callable[[], UnitOfWork],
    settings: Settings,
    sending: dict[uuid.UUID, asyncio.Task[int]],
    database: OutageLog,
) -> list[list[Attempt]]:
    """New deliveries from the feed, then batches for as many endpoints as there is room."""
    try:
        await enqueue_deliveries(uow_factory())
        room = settings.webhook_concurrency - len(sending)
        claimed = (
            await claim_batches(
                uow_factory(), now=utcnow(), settings=settings, endpoints=room, busy=sending
            )
            if room > 0
            else []
        )
    except Exception as error:
        database.failed(error)
        return []
    database.recovered()
    return claimed


async def _until_one_finishes(
    sending: dict[uuid.UUID, asyncio.Task[int]], stop: asyncio.Event, idle_s: float
) -> None:
    """Wait for an endpoint's batch to end, for `stop`, or `idle_s` (new events may wait)."""
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait(
            {stopped, *sending.values()}, timeout=idle_s, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        stopped.cancel()


def _reap(sending: dict[uuid.UUID, asyncio.Task[int]], database: OutageLog) -> None:
    for webhook_id, task in list(sending.items()):
        if task.done():
            del sending[webhook_id]
            if not task.cancelled() and task.exception() is not None:
                database.failed(task.exception())


async def run_dispatcher(
    uow_factory: Callable[[], UnitOfWork],
    settings: Settings,
    *,
    stop: asyncio.Event,
    idle_s: float = 1.0,
) -> None:
    """Deliver webhooks until `stop` is set; attempts under way may finish (each is bounded
    by WEBHOOK_TIMEOUT_S), the rest of their batches is given back."""
    sender = HttpSender(
        timeout_s=settings.webhook_timeout_s, allowed_hosts=settings.webhook_allowed_hosts
    )
    database = OutageLog(logger, "webhooks: database")
    sending: dict[uuid.UUID, asyncio.Task[int]] = {}
    try:
        while not stop.is_set():
            for batch in await _claim(uow_factory, settings, sending, database):
                sending[batch[0].webhook_id] = asyncio.create_task(
                    deliver_batch(
                        uow_factory,
                        sender,
                        batch,
                        settings=settings,
                        clock=utcnow,
                        stop=stop,
                        on_result=metrics.webhook_attempt,
                    )
                )
            await _until_one_finishes(sending, stop, idle_s)
            _reap(sending, database)
    finally:
        if sending:
            _, late = await asyncio.wait(sending.values(), timeout=settings.webhook_timeout_s + 5)
            for task in late:  # their leases run out and another round sends them again
                task.cancel()
            await asyncio.gather(*sending.values(), return_exceptions=True)
        await sender.close()
