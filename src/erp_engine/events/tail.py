"""A small JetStream consumer for `erp events tail`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from nats.aio.client import Client as Nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from erp_engine.events.relay import STREAM, StreamLimits, ensure_stream

CONNECT_TIMEOUT_S = 10


async def _quiet(_error: Exception) -> None:
    """The client's default logs every failed attempt with a traceback; the caller reports."""


async def tail(
    url: str,
    subject: str,
    show: Callable[[dict], None],
    *,
    limits: StreamLimits,
    count: int = 0,
    new_only: bool = False,
) -> int:
    """Show events on `subject` (each once: an ephemeral ordered consumer); return how many.

    Raises:
        TimeoutError: NATS could not be reached within CONNECT_TIMEOUT_S.
    """
    nc = Nats()
    try:
        await asyncio.wait_for(nc.connect(url, error_cb=_quiet), CONNECT_TIMEOUT_S)
        js = nc.jetstream()
        await ensure_stream(js, limits)
        policy = DeliverPolicy.NEW if new_only else DeliverPolicy.ALL
        subscription = await js.subscribe(
            subject,
            stream=STREAM,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=policy),
        )
        seen = 0
        async for message in subscription.messages:
            show(json.loads(message.data))
            seen += 1
            if count and seen >= count:
                break
        return seen
    finally:
        if nc.is_connected:
            await nc.drain()
        elif not nc.is_closed:
            await nc.close()
