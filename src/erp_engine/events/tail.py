"""A small JetStream consumer for `erp events tail`."""

from __future__ import annotations

import json
from collections.abc import Callable

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from erp_engine.events.relay import STREAM, ensure_stream


async def tail(
    url: str, subject: str, show: Callable[[dict], None], *, count: int = 0, new_only: bool = False
) -> int:
    """Show events on `subject` (each once: an ephemeral ordered consumer); return how many."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await ensure_stream(js)
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
        await nc.drain()
