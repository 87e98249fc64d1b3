"""The outbox relay: publishes outbox events to NATS JetStream, in order, at least once.

Subject `erp.events.<type>`, header `Nats-Msg-Id` = event id, so JetStream drops the
duplicate that a crash between "acknowledged" and "marked published" can cause.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable

import nats
from nats.errors import Error as NatsError
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError

from erp_engine.events.model import OutboxEvent
from erp_engine.events.service import event_body, publish_pending
from erp_engine.uow import UnitOfWork

logger = logging.getLogger("erp_engine.relay")
STREAM = "ERP_EVENTS"
SUBJECTS = "erp.events.>"
DUPLICATE_WINDOW_S = 120


def subject_for(event_type: str) -> str:
    return f"erp.events.{event_type}"


def event_payload(event: OutboxEvent) -> bytes:
    return json.dumps(event_body(event), ensure_ascii=False).encode()


class JetStreamPublisher:
    """Publishes to JetStream and waits for each acknowledgement."""

    def __init__(self, url: str, *, timeout: float = 5.0):
        self.url = url
        self.timeout = timeout
        self.nc = None
        self.js = None

    async def connect(self) -> None:
        self.nc = await nats.connect(
            self.url,
            connect_timeout=self.timeout,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            allow_reconnect=True,
        )
        self.js = self.nc.jetstream(timeout=self.timeout)
        await ensure_stream(self.js)

    async def publish(self, event: OutboxEvent) -> None:
        await self.js.publish(
            subject_for(event.type),
            event_payload(event),
            headers={"Nats-Msg-Id": str(event.id)},
            timeout=self.timeout,
        )

    async def close(self) -> None:
        if self.nc is not None and not self.nc.is_closed:
            await self.nc.drain()


async def ensure_stream(js) -> None:
    """Create the event stream if it does not exist yet."""
    try:
        await js.stream_info(STREAM)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(name=STREAM, subjects=[SUBJECTS], duplicate_window=DUPLICATE_WINDOW_S)
        )


async def run_relay(
    uow_factory: Callable[[], UnitOfWork],
    nats_url: str,
    *,
    stop: asyncio.Event,
    batch: int = 100,
    idle_s: float = 0.5,
    on_published: Callable[[int], None] | None = None,
) -> None:
    """Publish until `stop` is set; ride out broker and database outages with back-off."""
    publisher = JetStreamPublisher(nats_url)
    backoff = idle_s
    while not stop.is_set():
        try:
            if publisher.js is None:
                await publisher.connect()
            published = await publish_pending(uow_factory(), publisher, limit=batch)
            backoff = idle_s
            if on_published and published:
                on_published(published)
            if published == batch:
                continue  # more is waiting: no pause
        except (NatsError, OSError, TimeoutError) as error:
            logger.warning("relay: broker unavailable (%s); retrying", type(error).__name__)
            backoff = min(backoff * 2, 10.0)
        except Exception as error:
            logger.error("relay: %s; retrying", type(error).__name__)
            backoff = min(backoff * 2, 10.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=backoff)
    await publisher.close()
