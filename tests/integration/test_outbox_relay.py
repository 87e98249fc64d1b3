"""The outbox relay against a real nats-server: nothing lost, nothing doubled, order per entity.

Every test runs its own nats-server (tests/support/nats.py) on a free port with its own
storage, so stopping and restarting the broker never touches the shared one on 4222.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable
from pathlib import Path

import httpx
import nats
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select, update

from erp_engine.catalog import service as catalog
from erp_engine.errors import ConflictError
from erp_engine.events.model import OutboxEvent
from erp_engine.events.relay import STREAM, JetStreamPublisher, StreamLimits, run_relay
from erp_engine.events.service import emit_event, event_body, outbox_backlog, publish_pending
from erp_engine.kernel.principal import SYSTEM
from erp_engine.settings import Settings
from erp_engine.warehouses import service as warehouses
from tests.support import waiting
from tests.support.nats import NatsServer, running_nats, stream_messages
from tests.support.server import free_port

WAIT_S = 45
# The relay works in the background: its tests wait longer than most.
wait_until = functools.partial(waiting.wait_until, within=WAIT_S)


@pytest.fixture
def nats_server(tmp_path: Path):
    with running_nats(tmp_path / "jetstream") as server:
        yield server


async def outbox(uow_factory) -> list[OutboxEvent]:
    async with uow_factory() as uow:
        events = list(
            (
                await uow.session.execute(select(OutboxEvent).order_by(OutboxEvent.position))
            ).scalars()
        )
        uow.session.expunge_all()  # keep the loaded values past the rollback on exit
        return events


async def backlog(uow_factory) -> int:
    return (await outbox_backlog(uow_factory()))[0]


async def published_count(uow_factory) -> int:
    async with uow_factory() as uow:
        return await uow.session.scalar(
            select(func.count()).where(OutboxEvent.published_at.is_not(None))
        )


async def assert_stream_equals_outbox(url: str, uow_factory) -> list[OutboxEvent]:
    """One message per outbox event (no duplicates, none missing), each entity in order."""
    events = await outbox(uow_factory)
    messages = await stream_messages(url)
    ids = [m.msg_id for m in messages]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"{len(duplicates)} events published more than once"
    assert set(ids) == {str(e.id) for e in events}
    assert len(messages) == len(events)
    by_id = {str(e.id): e for e in events}
    stream_order: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        event = by_id[message.msg_id]
        assert message.subject == f"erp.events.{event.type}"
        assert message.body == event_body(event)
        stream_order[str(event.entity_id)].append(message.msg_id)
    outbox_order: dict[str, list[str]] = defaultdict(list)
    for event in events:  # already in position order
        outbox_order[str(event.entity_id)].append(str(event.id))
    assert stream_order == outbox_order
    return events


async def make_changes(uow_factory, prefix: str, count: int) -> list[uuid.UUID]:
    """`count` committed items through the services; return their ids."""
    return [
        (
            await catalog.create_item(
                uow_factory(), sku=f"{prefix}-{n}", name=f"Item {n}", actor=SYSTEM
            )
        ).id
        for n in range(count)
    ]


async def drain(uow_factory, publisher: JetStreamPublisher, *, batch: int) -> int:
    total = 0
    for _ in range(1000):  # bounded; each round publishes a batch or ends the loop
        published = await publish_pending(uow_factory(), publisher, limit=batch)
        total += published
        if not published:
            return total
    raise AssertionError("the outbox never drained")


async def test_every_committed_change_reaches_the_stream_exactly_once(uow_factory, nats_server):
    items = await make_changes(uow_factory, "ONCE", 3)
    await catalog.update_item(uow_factory(), items[0], {"name": "Renamed"}, actor=SYSTEM)
    await catalog.delete_item(uow_factory(), items[2], actor=SYSTEM)
    await warehouses.create_warehouse(uow_factory(), code="WEST", name="West", actor=SYSTEM)
    with pytest.raises(ConflictError):  # rolled back: it must not publish anything
        await catalog.create_item(uow_factory(), sku="ONCE-1", name="Duplicate", actor=SYSTEM)
    events = await outbox(uow_factory)
    assert [e.type for e in events] == ["item.created"] * 3 + [
        "item.updated",
        "item.deleted",
        "warehouse.created",
    ]

    publisher = JetStreamPublisher(nats_server.url)
    await publisher.connect()
    try:
        assert await drain(uow_factory, publisher, batch=4) == len(events)
        assert await outbox_backlog(uow_factory()) == (0, None)
        assert await publish_pending(uow_factory(), publisher) == 0

        # A relay that dies after JetStream acknowledged but before it marked the rows
        # publishes them again; the Nats-Msg-Id header makes JetStream drop the copies.
        async with uow_factory() as uow:
            await uow.session.execute(update(OutboxEvent).values(published_at=None))
            await uow.commit()
        assert await drain(uow_factory, publisher, batch=100) == len(events)
        info = await publisher.js.stream_info(STREAM)
        assert info.state.messages == len(events)
    finally:
        await publisher.close()
    await assert_stream_equals_outbox(nats_server.url, uow_factory)


async def test_relay_rides_out_a_broker_outage(uow_factory, nats_server: NatsServer):
    published = REGISTRY.get_sample_value("erp_outbox_published_total")
    stop = asyncio.Event()
    relay = asyncio.create_task(
        run_relay(uow_factory, nats_server.url, stop=stop, batch=20, idle_s=0.05)
    )
    try:
        await make_changes(uow_factory, "BEFORE", 4)
        await wait_until(lambda: _is_zero(backlog(uow_factory)), "the first backlog to drain")

        nats_server.stop()
        await make_changes(uow_factory, "DURING-A", 3)
        assert await backlog(uow_factory) == 3
        await make_changes(uow_factory, "DURING-B", 3)
        assert await backlog(uow_factory) == 6  # grows while the broker is away
        assert not relay.done()

        nats_server.start()
        await wait_until(lambda: _is_zero(backlog(uow_factory)), "the relay to catch up")
        await make_changes(uow_factory, "AFTER", 2)
        await wait_until(lambda: _is_zero(backlog(uow_factory)), "the last events")
    finally:
        stop.set()
        await asyncio.wait_for(relay, timeout=30)
    events = await assert_stream_equals_outbox(nats_server.url, uow_factory)
    assert len(events) == 12
    # Counted per acknowledgement: a resend after a lost ack counts again.
    assert REGISTRY.get_sample_value("erp_outbox_published_total") - published >= 12


async def _is_zero(value: Awaitable[int]) -> bool:
    return await value == 0


class BlockedBroker:
    """A publisher that waits until released, like a broker that stopped answering."""

    def __init__(self):
        self.waiting = asyncio.Event()
        self.release = asyncio.Event()
        self.published: list[uuid.UUID] = []

    async def publish(self, event: OutboxEvent) -> None:
        self.waiting.set()
        await self.release.wait()
        self.published.append(event.id)


async def test_writers_never_wait_for_the_broker(uow_factory):
    """While the relay waits on NATS, other transactions still commit (SQLite's single
    write lock must not be held across the broker round trip)."""
    await make_changes(uow_factory, "SLOW", 2)
    broker = BlockedBroker()
    relay = asyncio.create_task(publish_pending(uow_factory(), broker))
    try:
        await asyncio.wait_for(broker.waiting.wait(), timeout=10)
        await asyncio.wait_for(make_changes(uow_factory, "MEANWHILE", 1), timeout=5)
        assert not relay.done()
    finally:
        broker.release.set()
        published = await asyncio.wait_for(relay, timeout=10)
    assert published == 2
    assert await backlog(uow_factory) == 1  # the one committed meanwhile


@pytest.mark.postgres_only
async def test_two_relays_publish_each_event_once_in_entity_order(uow_factory, nats_server):
    items = await make_changes(uow_factory, "PAIR", 5)
    counts = {"a": 0, "b": 0}
    stop = asyncio.Event()

    def counter(name: str):
        def on_published(n: int) -> None:
            counts[name] += n

        return on_published

    relays = [
        asyncio.create_task(
            run_relay(
                uow_factory,
                nats_server.url,
                stop=stop,
                batch=4,
                idle_s=0.01,
                on_published=counter(name),
            )
        )
        for name in counts
    ]
    try:
        # Changes for a handful of entities, interleaved, committed while both relays run.
        for round_ in range(12):
            for n, item_id in enumerate(items):
                await catalog.update_item(
                    uow_factory(), item_id, {"name": f"Item {n} v{round_}"}, actor=SYSTEM
                )
        await wait_until(lambda: _is_zero(backlog(uow_factory)), "both relays to drain")
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*relays), timeout=30)
    events = await assert_stream_equals_outbox(nats_server.url, uow_factory)
    assert len(events) == 5 + 5 * 12
    # Neither relay published an event the other had published: no reliance on dedup here.
    assert counts["a"] + counts["b"] == len(events)


# A real `erp outbox-relay` process, killed without warning ---------------------------------


def _start_relay(database_url: str, nats_url: str, log: Path, **env: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "LOG_LEVEL": "warning",
        "RELAY_METRICS_ADDRESS": "",
        **env,
    }
    with log.open("a") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "erp_engine", "outbox-relay"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


async def _emit_many(uow_factory, count: int, entities: int) -> None:
    """A large backlog in one transaction (the bulk path), for a handful of entities."""
    ids = [uuid.uuid4() for _ in range(entities)]
    async with uow_factory() as uow:
        for n in range(count):
            emit_event(
                uow,
                "item.updated",
                entity_type="item",
                entity_id=ids[n % entities],
                data={"id": ids[n % entities], "n": n},
            )
        await uow.commit()


@pytest.mark.slow
@pytest.mark.xdist_group("servers")
async def test_relay_killed_mid_batch_loses_and_doubles_nothing(
    uow_factory,
    settings,
    nats_server: NatsServer,
    tmp_path: Path,
):
    total = 2000
    await _emit_many(uow_factory, total, entities=40)
    assert await backlog(uow_factory) == total
    log = tmp_path / "relay.log"
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    in_flight_at_kill = []
    try:
        for _ in range(3):  # kill until a kill lands between "acknowledged" and "marked"
            relay = _start_relay(settings.database_url, nats_server.url, log)
            try:
                deadline = time.monotonic() + WAIT_S
                while time.monotonic() < deadline:
                    assert relay.poll() is None, log.read_text()
                    published = await published_count(uow_factory)
                    if published == total:
                        break
                    try:
                        in_stream = (await js.stream_info(STREAM)).state.messages
                    except nats.js.errors.NotFoundError:
                        in_stream = 0  # the relay has not created the stream yet
                    if in_stream > published:  # a batch is on its way: kill the relay now
                        break
                    await asyncio.sleep(0.02)
            finally:
                _stop(relay, signal.SIGKILL)
            published = await published_count(uow_factory)
            in_flight_at_kill.append((await js.stream_info(STREAM)).state.messages - published)
            if in_flight_at_kill[-1] > 0 or published == total:
                break
        assert any(n > 0 for n in in_flight_at_kill), (
            f"never killed mid-batch: {in_flight_at_kill}; {log.read_text()}"
        )
        assert await backlog(uow_factory) > 0, "the relay finished before it was killed"

        relay = _start_relay(settings.database_url, nats_server.url, log)
        try:
            await wait_until(
                lambda: _is_zero(backlog(uow_factory)), "the restarted relay to drain the outbox"
            )
        finally:
            _stop(relay)
        assert (await js.stream_info(STREAM)).state.messages == total
    finally:
        await nc.close()
    await assert_stream_equals_outbox(nats_server.url, uow_factory)


@pytest.mark.slow
@pytest.mark.xdist_group("servers")
async def test_events_tail_prints_each_committed_change_once(uow_factory, nats_server):
    items = await make_changes(uow_factory, "TAIL", 3)
    await catalog.update_item(uow_factory(), items[1], {"name": "Tailed"}, actor=SYSTEM)
    publisher = JetStreamPublisher(nats_server.url)
    await publisher.connect()
    try:
        await drain(uow_factory, publisher, batch=100)
    finally:
        await publisher.close()
    events = await outbox(uow_factory)
    assert len(events) == 4

    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "erp_engine", "events", "tail", "--count", str(len(events))],
        env={**os.environ, "NATS_URL": nats_server.url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == len(events), result.stdout
    for line, event in zip(lines, events, strict=True):  # one line per event, in order
        assert str(event.id) in line
        assert event.type in line
        assert str(event.entity_id) in line


# A lost stream, the stream's limits ---------------------------------------------------------


async def test_a_deleted_stream_is_created_again(uow_factory, nats_server):
    stop = asyncio.Event()
    relay = asyncio.create_task(run_relay(uow_factory, nats_server.url, stop=stop, idle_s=0.05))
    try:
        await make_changes(uow_factory, "KEPT", 2)
        await wait_until(lambda: _is_zero(backlog(uow_factory)), "the first events")
        nc = await nats.connect(nats_server.url)
        try:
            await nc.jetstream().delete_stream(STREAM)
        finally:
            await nc.close()
        created = await make_changes(uow_factory, "AFTER", 3)
        await wait_until(
            lambda: _is_zero(backlog(uow_factory)), "the relay to create the stream again"
        )
    finally:
        stop.set()
        await asyncio.wait_for(relay, timeout=30)
    messages = await stream_messages(nats_server.url)
    assert [m.body["entity_id"] for m in messages] == [str(i) for i in created]


async def test_the_stream_keeps_events_for_the_configured_age_and_size(nats_server):
    assert StreamLimits.from_settings(Settings(_env_file=None)) == StreamLimits(
        max_age_s=7 * 86_400, max_bytes=1024**3
    )
    for limits, age, size in (
        (StreamLimits(max_age_s=3 * 86_400, max_bytes=50 * 1024**2), 3 * 86_400, 50 * 1024**2),
        # A changed setting reaches the stream that exists already; 0 means no limit.
        (
            StreamLimits.from_settings(
                Settings(_env_file=None, nats_stream_max_age_days=1, nats_stream_max_bytes=0)
            ),
            86_400,
            -1,
        ),
    ):
        publisher = JetStreamPublisher(nats_server.url, limits=limits)
        await publisher.connect()
        try:
            config = (await publisher.js.stream_info(STREAM)).config
        finally:
            await publisher.close()
        assert (config.max_age, config.max_bytes, config.duplicate_window) == (age, size, 120)


# NATS out of reach from the start -----------------------------------------------------------

PASSWORD = "s3cretpw"


def unreachable_nats_url() -> str:
    """Credentials in the URL, and nothing listening on its port."""
    return f"nats://relayuser:{PASSWORD}@127.0.0.1:{free_port()}"


async def test_a_relay_stops_at_once_while_nats_cannot_be_reached(uow_factory, caplog):
    await make_changes(uow_factory, "WAITING", 1)
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="erp_engine.relay"):
        relay = asyncio.create_task(
            run_relay(uow_factory, unreachable_nats_url(), stop=stop, idle_s=0.05)
        )
        await wait_until(
            lambda: _logged(caplog, "relay: NATS failing"), "the relay to report the outage"
        )
        await asyncio.sleep(2)  # long enough for a retry loop to log many attempts
        assert not relay.done()
        stop.set()
        await asyncio.wait_for(relay, timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "erp_engine.relay"]
    assert len(lines) == 1, lines
    assert PASSWORD not in caplog.text
    assert await backlog(uow_factory) == 1


async def _logged(caplog, text: str) -> bool:
    return any(text in record.getMessage() for record in caplog.records)


@pytest.mark.slow
@pytest.mark.xdist_group("servers")
@pytest.mark.parametrize(
    ("signum", "log_format"), [(signal.SIGTERM, "console"), (signal.SIGINT, "json")]
)
async def test_the_relay_command_stops_on_a_signal_and_never_shows_the_password(
    settings, tmp_path: Path, signum: int, log_format: str
):
    log = tmp_path / "relay.log"
    metrics = f"127.0.0.1:{free_port()}"
    relay = _start_relay(
        settings.database_url,
        unreachable_nats_url(),
        log,
        LOG_LEVEL="info",
        LOG_FORMAT=log_format,
        RELAY_METRICS_ADDRESS=metrics,
    )
    try:
        await wait_until(
            lambda: _in_file(log, "relay: NATS failing"), "the relay to report the outage"
        )
        await asyncio.sleep(2)  # long enough for a retry loop to log many attempts
        assert relay.poll() is None, log.read_text()
        # The relay's own /metrics, for Prometheus: not connected, nothing published.
        async with httpx.AsyncClient() as client:
            scraped = (await client.get(f"http://{metrics}/metrics", timeout=10)).text
        assert "erp_relay_nats_connected 0.0" in scraped
        assert "erp_outbox_published_total 0.0" in scraped
        os.killpg(relay.pid, signum)
        relay.wait(timeout=15)
    finally:
        _stop(relay, signal.SIGKILL)
    output = log.read_text()
    assert PASSWORD not in output, output
    assert "nats://relayuser:***@127.0.0.1:" in output, output  # the banner names the broker
    assert output.count("relay: NATS") == 1, output
    assert "Traceback" not in output, output


def _in_file(path: Path, text: str) -> Awaitable[bool]:
    return asyncio.to_thread(lambda: path.exists() and text in path.read_text())
