"""The webhook dispatcher loop (runs in `erp outbox-relay`, or in the server if configured)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from erp_engine.kernel.clock import utcnow
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from erp_engine.webhooks.delivery import HttpSender
from erp_engine.webhooks.service import dispatch_once

logger = logging.getLogger("erp_engine.webhooks")


async def run_dispatcher(
    uow_factory: Callable[[], UnitOfWork],
    settings: Settings,
    *,
    stop: asyncio.Event,
    idle_s: float = 1.0,
) -> None:
    """Deliver webhooks until `stop` is set."""
    sender = HttpSender(
        timeout_s=settings.webhook_timeout_s, allowed_hosts=settings.webhook_allowed_hosts
    )
    try:
        while not stop.is_set():
            try:
                attempts = await dispatch_once(uow_factory, sender, now=utcnow(), settings=settings)
            except Exception as error:
                logger.error("webhooks: %s; retrying", type(error).__name__)
                attempts = 0
            if attempts:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=idle_s)
    finally:
        await sender.close()
