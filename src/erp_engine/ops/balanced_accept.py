"""Spread connections evenly over `erp serve`'s worker processes.

Every worker waits on the one listening socket the supervisor bound, and uvicorn's event
loop (uvloop, on libuv) accepts everything pending at once. A burst of new connections —
16 clients starting together, or nginx filling its upstream keep-alive pool — lands on
whichever worker woke first: over five workers we measured spreads such as 1/1/14 and
2/2/2/2/8, and the worker holding eight connections sets the p99 for everyone (items list
at 16 clients: p99 83-290 ms unbalanced against 47-59 ms at 3/3/3/3/4, same throughput;
bench/notes.md).

Here a worker accepts one connection at a time and then steps back for a moment that grows
with the connections it already holds, so the next one goes to a less busy worker. The
pause is capped: when every worker is at the cap the spread no longer matters much, and a
longer pause would only delay new connections.

uvicorn (0.54) offers no hook for this: its supervisor builds each worker's `Server` in
`Process.server`. `serve_balanced` hands the supervisor a `Process` that builds a
`BalancedServer` instead; the worker process unpickles that class by name.
"""

from __future__ import annotations

import asyncio
import logging
import socket

import uvicorn
from uvicorn.supervisors import multiprocess

PAUSE_PER_OPEN_CONNECTION_S = 0.005
PAUSE_MAX_S = 0.02
RETRY_AFTER_ACCEPT_ERROR_S = 1.0  # as asyncio's own accept loop does on EMFILE and the like

logger = logging.getLogger("uvicorn.error")


def accept_pause(open_connections: int) -> float:
    """How long a worker holding `open_connections` waits before it accepts again."""
    return min(PAUSE_MAX_S, PAUSE_PER_OPEN_CONNECTION_S * open_connections)


class BalancedServer(uvicorn.Server):
    """A worker's server that accepts from the shared socket one connection at a time."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # Only `serve_balanced`'s supervisor builds this server, and it always hands over
        # the socket it bound; a single process runs uvicorn's own server.
        await super().startup(sockets=[])  # the lifespan and the rest, without a listener
        self.servers = [_AcceptLoop(self, sock) for sock in sockets or []]  # type: ignore[list-item]


class _AcceptLoop:
    """Stands where uvicorn keeps an asyncio server: `close()` then `wait_closed()`."""

    def __init__(self, server: BalancedServer, sock: socket.socket):
        self._server = server
        self._sock = sock
        sock.setblocking(False)
        sock.listen(server.config.backlog)
        self._task = asyncio.get_running_loop().create_task(self._accept_forever())

    def _protocol(self) -> asyncio.Protocol:
        config = self._server.config
        return config.http_protocol_class(  # type: ignore[call-arg]
            config=config,
            server_state=self._server.server_state,
            app_state=self._server.lifespan.state,
        )

    async def _accept_forever(self) -> None:
        loop = asyncio.get_running_loop()
        state = self._server.server_state
        while True:
            try:
                connection, _ = await loop.sock_accept(self._sock)
            except ConnectionAbortedError:
                continue  # the client gave up while queued
            except OSError as error:  # out of file descriptors or buffers: back off
                logger.error("accepting a connection failed: %s", error)
                await asyncio.sleep(RETRY_AFTER_ACCEPT_ERROR_S)
                continue
            try:
                await loop.connect_accepted_socket(self._protocol, connection)
            except Exception:  # one connection's failure must not end this worker's accepting
                logger.exception("setting up an accepted connection failed")
                connection.close()
                continue
            await asyncio.sleep(accept_pause(len(state.connections)))

    def close(self) -> None:
        # uvicorn closes the socket right after this: stop watching it first.
        asyncio.get_running_loop().remove_reader(self._sock)
        self._task.cancel()

    async def wait_closed(self) -> None:
        await asyncio.gather(self._task, return_exceptions=True)


class _BalancedProcess(multiprocess.Process):
    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = BalancedServer(config=self.config)
        return self._server


def serve_balanced(config: uvicorn.Config) -> None:
    """Run `config.workers` worker processes on one socket, connections spread evenly."""
    sock = config.bind_socket()
    # The supervisor names `Process` from its module wherever it starts or restarts a worker.
    uvicorn_process, multiprocess.Process = multiprocess.Process, _BalancedProcess
    try:
        multiprocess.Multiprocess(config, sockets=[sock]).run()
    finally:
        multiprocess.Process = uvicorn_process
