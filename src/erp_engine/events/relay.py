"""The outbox relay: publishes outbox events to NATS JetStream, in order, at least once.

Subject `erp.events.<type>`, header `Nats-Msg-Id` = event id, so JetStream drops the
duplicate that a crash between "acknowledged" and "marked published" can cause.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.aio.client import Client as Nats
from nats.errors import Error as NatsError
from nats.js.api import StreamConfig
from nats.js.errors import NoStreamResponseError, NotFoundError

from erp_engine.events.model import OutboxEvent
from erp_engine.events.service import event_body, publish_pending
from erp_engine.ops import metrics
from erp_engine.ops.logging import OutageLog
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork

logger = logging.getLogger("erp_engine.relay")
STREAM = "ERP_EVENTS"
SUBJECTS = "erp.events.>"
DUPLICATE_WINDOW_S = 120
MAX_BACKOFF_S = 10.0
DAY_S = 86_400


def subject_for(event_type: str) -> str:
    return f"erp.events.{event_type}"


def event_payload(event: OutboxEvent) -> bytes:
    return json.dumps(event_body(event), ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """How long and how much the stream keeps (0 = no limit); JetStream drops the oldest."""

    max_age_s: float = 7 * DAY_S
    max_bytes: int = 1024**3

    @classmethod
    def from_settings(cls, settings: Settings) -> StreamLimits:
        return cls(settings.nats_stream_max_age_days * DAY_S, settings.nats_stream_max_bytes)

    def apply(self, config: StreamConfig) -> StreamConfig:
        # JetStream's "no limit" is 0 for the age and -1 for the size; the duplicate window
        # may not outlast the messages it remembers.
        window = min(DUPLICATE_WINDOW_S, self.max_age_s) if self.max_age_s else DUPLICATE_WINDOW_S
        return dataclasses.replace(
            config,
            max_age=self.max_age_s,
            max_bytes=self.max_bytes or -1,
            duplicate_window=window,
        )

    def holds_for(self, config: StreamConfig) -> bool:
        return abs((config.max_age or 0) - self.max_age_s) < 1 and (config.max_bytes or -1) == (
            self.max_bytes or -1
        )


async def ensure_stream(js, limits: StreamLimits) -> None:
    """Create the event stream if it does not exist, or give it the configured limits."""
    try:
        info = await js.stream_info(STREAM)
    except NotFoundError:
        await js.add_stream(limits.apply(StreamConfig(name=STREAM, subjects=[SUBJECTS])))
        return
    if not limits.holds_for(info.config):
        await js.update_stream(limits.apply(info.config))


class JetStreamPublisher:
    """Publishes to JetStream and waits for each acknowledgement."""

    def __init__(
        self,
        url: str,
        *,
        limits: StreamLimits | None = None,
        timeout: float = 5.0,
        outage: OutageLog | None = None,
    ):
        self.url = url
        self.limits = limits or StreamLimits()
        self.timeout = timeout
        self.outage = outage
        self.nc: Nats | None = None
        self.js = None

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    @property
    def usable(self) -> bool:
        """Connected or reconnecting: the client gave up only if it is closed."""
        return self.js is not None and not self.nc.is_closed

    async def connect(self) -> None:
        """Connect within a bounded time (NATS's own loop would retry forever).

        Raises:
            TimeoutError, OSError or a NATS error: the broker cannot be reached now.
        """
        await self.close()
        nc = Nats()
        try:
            await asyncio.wait_for(
                nc.connect(
                    self.url,
                    connect_timeout=self.timeout,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    allow_reconnect=True,
                    # Without these the client logs each failed attempt with a traceback.
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                ),
                timeout=self.timeout * 2,
            )
            js = nc.jetstream(timeout=self.timeout)
            await ensure_stream(js, self.limits)
        except BaseException:
            await _close(nc, self.timeout)
            raise
        self.nc, self.js = nc, js
        metrics.relay_connected(True)

    async def publish(self, event: OutboxEvent) -> None:
        try:
            await self._publish(event)
        except (NoStreamResponseError, NotFoundError):
            # Nothing stored the message: the stream was deleted (or lost with the broker's
            # storage). Create it again and send this event once more.
            if self.outage is None or not self.outage.failing:  # said once per outage
                logger.warning("relay: stream %s is missing; creating it again", STREAM)
            await ensure_stream(self.js, self.limits)
            await self._publish(event)

    async def _publish(self, event: OutboxEvent) -> None:
        await self.js.publish(
            subject_for(event.type),
            event_payload(event),
            headers={"Nats-Msg-Id": str(event.id)},
            timeout=self.timeout,
        )

    async def close(self) -> None:
        nc, self.nc, self.js = self.nc, None, None
        if nc is not None:
            await _close(nc, self.timeout)

    async def _on_error(self, error: Exception) -> None:
        if self.outage is not None:
            self.outage.failed(error)

    async def _on_disconnected(self) -> None:
        metrics.relay_connected(False)
        if self.nc is not None and self.outage is not None:  # not when we close it ourselves
            self.outage.failed("disconnected")

    async def _on_reconnected(self) -> None:
        metrics.relay_connected(True)


async def _close(nc: Nats, wait_s: float) -> None:
    """Drain a connected client, close any other; never hang on a broker that is away."""
    with contextlib.suppress(Exception):
        if nc.is_connected:
            await asyncio.wait_for(nc.drain(), wait_s)
    with contextlib.suppress(Exception):
        if not nc.is_closed:
            await nc.close()
    metrics.relay_connected(False)


async def unless_stopped(awaitable: Awaitable[None], stop: asyncio.Event) -> bool:
    """Await `awaitable` unless `stop` is set first, which cancels it; True if it finished."""
    work = asyncio.ensure_future(awaitable)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({work, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not work.done():
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
    if work.cancelled():
        return False
    work.result()  # its exception, if it failed
    return True


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, waking at once when `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_relay(
    uow_factory: Callable[[], UnitOfWork],
    nats_url: str,
    *,
    stop: asyncio.Event,
    limits: StreamLimits | None = None,
    batch: int = 100,
    idle_s: float = 0.5,
    on_published: Callable[[int], None] | None = None,
) -> None:
    """Publish until `stop` is set; ride out broker and database outages with back-off.

    Connecting is bounded and raced against `stop`, so SIGTERM ends the relay within one
    publish timeout even while NATS cannot be reached.
    """
    broker = OutageLog(logger, "relay: NATS")
    database = OutageLog(logger, "relay: database")
    publisher = JetStreamPublisher(nats_url, limits=limits, outage=broker)
    backoff = idle_s
    try:
        while not stop.is_set():
            try:
                if not publisher.usable and not await unless_stopped(publisher.connect(), stop):
                    break
                published = await publish_pending(uow_factory(), publisher, limit=batch)
            except (NatsError, OSError, TimeoutError) as error:
                broker.failed(error)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
            except Exception as error:
                database.failed(error)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
            else:
                database.recovered()
                if publisher.connected:  # an empty outbox proves nothing about the broker
                    broker.recovered()
                backoff = idle_s
                if published:
                    metrics.events_published(published)
                    if on_published:
                        on_published(published)
                if published == batch:
                    continue  # more is waiting: no pause
            await pause(stop, backoff)
    finally:
        await publisher.close()
