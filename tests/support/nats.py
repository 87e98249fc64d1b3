"""A private nats-server (JetStream on) for tests that stop and start the broker.

Each server listens on its own free loopback port and keeps its JetStream data in its own
`-sd` directory, so a test can stop it and start it again on the same port and data without
touching the shared server on 4222 that other suites use.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from erp_engine.events.relay import STREAM, SUBJECTS
from tests.support.server import free_port

NATS_SERVER = os.environ.get("ERP_TEST_NATS_SERVER", "/usr/sbin/nats-server")
READY_TIMEOUT_S = 20


class NatsServer:
    """`nats-server -js` on 127.0.0.1; `stop()` and `start()` keep the port and the data."""

    def __init__(self, store_dir: Path):
        self.store_dir = store_dir
        self.port = free_port()
        self.monitor_port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = store_dir.parent / f"nats-{self.port}.log"

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.process is None, "already running"
        self.store_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                [
                    NATS_SERVER,
                    "-a",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-m",
                    str(self.monitor_port),
                    "-js",
                    "-sd",
                    str(self.store_dir),
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server (SIGTERM, or SIGKILL with `kill`) and wait until it has exited."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def _wait_ready(self) -> None:
        """Until the client port sends INFO and JetStream reports healthy."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited early:\n{self.log.read_text()}")
            if self._accepts_clients() and self._jetstream_healthy():
                return
            time.sleep(0.05)  # polling a condition that has no push notification
        raise RuntimeError(f"nats-server not ready in {READY_TIMEOUT_S}s:\n{self.log.read_text()}")

    def _accepts_clients(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                return sock.recv(4).startswith(b"INFO")
        except OSError:
            return False

    def _jetstream_healthy(self) -> bool:
        try:
            response = httpx.get(f"http://127.0.0.1:{self.monitor_port}/healthz", timeout=1)
        except httpx.TransportError:
            return False
        return response.status_code == 200


@contextlib.contextmanager
def running_nats(store_dir: Path) -> Iterator[NatsServer]:
    """A started private server, stopped afterwards however the test ends."""
    server = NatsServer(store_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class StreamMessage:
    sequence: int
    subject: str
    msg_id: str | None
    body: dict


async def stream_messages(url: str, *, stream: str = STREAM) -> list[StreamMessage]:
    """Every message in `stream`, in stream order (read through an ephemeral consumer)."""
    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=0)
    try:
        js = nc.jetstream(timeout=5)
        total = (await js.stream_info(stream)).state.messages
        if total == 0:
            return []
        subscription = await js.pull_subscribe(
            SUBJECTS,
            stream=stream,
            config=ConsumerConfig(
                deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30
            ),
        )
        messages: list[StreamMessage] = []
        for _ in range(total):  # bounded: each fetch returns at least one message
            if len(messages) >= total:
                break
            for message in await subscription.fetch(min(total - len(messages), 500), timeout=5):
                messages.append(
                    StreamMessage(
                        message.metadata.sequence.stream,
                        message.subject,
                        (message.headers or {}).get("Nats-Msg-Id"),
                        json.loads(message.data),
                    )
                )
        await subscription.unsubscribe()
        return messages
    finally:
        await nc.close()


async def stream_count(url: str, *, stream: str = STREAM) -> int:
    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=0)
    try:
        return (await nc.jetstream(timeout=5).stream_info(stream)).state.messages
    finally:
        await nc.close()
