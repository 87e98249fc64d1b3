"""`erp serve` with several workers spreads connections opened together evenly over them.

uvicorn's own accept loop hands a burst of connections to whichever worker wakes first;
`ops.balanced_accept` makes each worker step back after an accept in proportion to the
connections it holds. Unbalanced, the same burst has come out as 1/1/14 over five workers.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from erp_engine.db.migrate import upgrade
from tests.support.postgres import create_database, drop_database
from tests.support.server import (
    established_per_process,
    running_server,
    wait_for_started_workers,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]
WORKERS = 3
PER_WORKER = 4


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    name = f"erp_workers_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    try:
        upgrade(url)
        env = {
            "DATABASE_URL": url,
            "JWT_SECRET": "workers-secret-" + "w" * 32,
            "LOG_LEVEL": "info",  # each worker's "Application startup complete"
        }
        logs = tmp_path_factory.mktemp("workers")
        with running_server(env, workers=WORKERS, log_dir=logs) as base:
            port = base.rsplit(":", 1)[1]
            wait_for_started_workers(logs / f"server-{port}.log", WORKERS)
            yield base
    finally:
        drop_database(name)


def test_keep_alive_connections_opened_together_spread_evenly(base_url: str):
    port = int(base_url.rsplit(":", 1)[1])
    count = WORKERS * PER_WORKER
    clients = [httpx.Client(base_url=base_url, timeout=30) for _ in range(count)]
    together = threading.Barrier(count)

    def first_request(client: httpx.Client) -> int:
        together.wait()
        return client.get("/healthz").status_code

    try:
        with ThreadPoolExecutor(count) as pool:
            assert set(pool.map(first_request, clients)) == {200}
        # Every client holds its connection open: each worker's share is still there.
        per_worker = established_per_process(port)
        assert sum(per_worker.values()) == count
        assert len(per_worker) == WORKERS, per_worker
        # Even is 4/4/4. A worker the scheduler keeps off the CPU past its neighbours' pause
        # (two cores, the rest of the suite beside us) may let one more go elsewhere;
        # uvicorn alone gave 2/6/4, 6/3/3, 2/4/6 and 5/5/2 in four runs here.
        assert max(per_worker.values()) - min(per_worker.values()) <= 2, per_worker
    finally:
        for client in clients:
            client.close()
