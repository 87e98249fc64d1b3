"""Background work after commit: the outbox relay (when NATS_URL is set), webhooks, and
the retention that prunes what both have finished with."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from erp_engine.events.relay import StreamLimits, run_relay
from erp_engine.events.retention import run_retention
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from erp_engine.webhooks.worker import run_dispatcher


async def run_workers(
    uow_factory: Callable[[], UnitOfWork], settings: Settings, *, stop: asyncio.Event
) -> None:
    """Run until `stop` is set."""
    tasks = [
        run_dispatcher(uow_factory, settings, stop=stop),
        run_retention(uow_factory, settings, stop=stop),
    ]
    if settings.nats_url:
        limits = StreamLimits.from_settings(settings)
        tasks.append(run_relay(uow_factory, settings.nats_url, stop=stop, limits=limits))
    await asyncio.gather(*tasks)
