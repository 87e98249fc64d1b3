"""A live `erp serve` with two workers: metrics add up across workers, and every request
leaves one JSON access line that names the route and the caller but never their secrets.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from erp_engine.db.migrate import upgrade
from tests.support.postgres import create_database, drop_database
from tests.support.server import erp, running_server, wait_for_started_workers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]
EMAIL = "observer@test.example"
PASSWORD = "observer-pass-5f1c2e9a"
SECRET = "observability-secret-" + "z" * 32
ITEM_ROUTE = "/api/v1/items/{item_id}"
WAIT_S = 30


class Live:
    def __init__(self, base_url: str, log: Path, metrics_dir: Path):
        self.base_url = base_url
        self.log = log
        self.metrics_dir = metrics_dir


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[Live]:
    """Two workers on a fresh PostgreSQL database, JSON logs at INFO, one admin user."""
    root = tmp_path_factory.mktemp("live")
    metrics_dir = root / "prometheus"
    metrics_dir.mkdir()
    name = f"erp_obs_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    env = {
        "DATABASE_URL": url,
        "JWT_SECRET": SECRET,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "info",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "RATE_LIMIT_DEFAULT": "100000/minute",
    }
    try:
        upgrade(url)
        erp(
            "user",
            "create",
            "--email",
            EMAIL,
            "--name",
            "Observer",
            "--role",
            "admin",
            "--password",
            PASSWORD,
            env=env,
        )
        with running_server(env, workers=2, log_dir=root) as base_url:
            port = base_url.rsplit(":", 1)[1]
            yield Live(base_url, root / f"server-{port}.log", metrics_dir)
    finally:
        drop_database(name)


def fresh_get(base_url: str, path: str, headers: dict[str, str] | None = None) -> int:
    """One request on a new connection, so the kernel may hand it to either worker."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return client.get(path, headers=headers).status_code


def requests_by_worker(metrics_dir: Path, route: str, status: str) -> dict[str, float]:
    """erp_http_requests_total{route, status} as each worker's own file holds it."""
    counts = {}
    for path in metrics_dir.glob("counter_*.db"):
        for family in MultiProcessCollector.merge([str(path)]):
            for sample in family.samples:
                if (
                    sample.name == "erp_http_requests_total"
                    and sample.labels.get("route") == route
                    and sample.labels.get("status") == status
                ):
                    counts[path.stem] = counts.get(path.stem, 0) + sample.value
    return counts


def scraped(base_url: str, route: str, status: str) -> float:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        response = client.get("/metrics")
    assert response.status_code == 200, response.text
    return sum(
        s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
        if s.name == "erp_http_requests_total"
        and s.labels.get("route") == route
        and s.labels.get("method") == "GET"
        and s.labels.get("status") == status
    )


def pool_gauges(base_url: str) -> tuple[float, float]:
    """(erp_db_pool_size, erp_db_pool_connections_in_use) as one scrape reports them."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        response = client.get("/metrics")
    assert response.status_code == 200, response.text
    samples = {
        s.name: s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }
    return samples["erp_db_pool_size"], samples["erp_db_pool_connections_in_use"]


def worker_pids(metrics_dir: Path) -> set[int]:
    """The workers that have live gauges (a worker makes its file as it starts)."""
    return {int(p.stem.rsplit("_", 1)[1]) for p in metrics_dir.glob("gauge_livesum_*.db")}


def test_pool_gauges_sum_the_live_workers_whichever_answers(live: Live):
    """Runs first in this module: no scrape has touched any worker's gauges before."""
    wait_for_started_workers(live.log, 2)
    pool_size = 5  # DATABASE_POOL_SIZE's default, per worker
    for _ in range(6):  # fresh connections: either worker may answer
        size, in_use = pool_gauges(live.base_url)
        assert size == 2 * pool_size
        assert in_use >= 0
    # A worker killed outright is replaced by uvicorn; its gauges must not linger.
    os.kill(min(worker_pids(live.metrics_dir)), signal.SIGKILL)
    wait_for_started_workers(live.log, 3)
    for _ in range(6):
        assert pool_gauges(live.base_url)[0] == 2 * pool_size


def test_counters_add_up_across_workers(live: Live):
    path = f"/api/v1/items/{uuid.uuid4()}"  # unauthenticated: 401, counted all the same
    made = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(10):  # bounded: until both workers have served some of them
            statuses = list(pool.map(lambda _: fresh_get(live.base_url, path), range(16)))
            assert set(statuses) == {401}
            made += len(statuses)
            if len(requests_by_worker(live.metrics_dir, ITEM_ROUTE, "401")) >= 2:
                break
    per_worker = requests_by_worker(live.metrics_dir, ITEM_ROUTE, "401")
    assert len(per_worker) >= 2, f"one worker served all {made} requests: {per_worker}"
    assert sum(per_worker.values()) == made
    # Whichever worker answers the scrape reports the total of all workers.
    for _ in range(6):
        assert scraped(live.base_url, ITEM_ROUTE, "401") == made


def access_lines(log: Path, request_ids: set[str]) -> list[dict]:
    """The JSON access lines of these requests, once all have been written (or time runs out)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        lines = []
        for text in log.read_text().splitlines():
            if text.startswith("{"):
                record = json.loads(text)
                if record.get("event") == "request" and record.get("request_id") in request_ids:
                    lines.append(record)
        if {r["request_id"] for r in lines} == request_ids or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)  # the line is written just after the response is sent


def test_one_json_access_line_per_request_without_credentials(live: Live):
    run = uuid.uuid4().hex[:8]
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        login = client.post(
            "/api/v1/auth/login",
            json={"email": EMAIL, "password": PASSWORD},
            headers={"X-Request-ID": f"login-{run}"},
        )
        assert login.status_code == 200, login.text
        tokens = login.json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = client.post(
            "/api/v1/items",
            json={"sku": f"LOG-{run}", "name": "Logged"},
            headers={**bearer, "X-Request-ID": f"create-{run}"},
        )
        assert created.status_code == 201, created.text
        item_id = created.json()["id"]
        shown = client.get(
            f"/api/v1/items/{item_id}", headers={**bearer, "X-Request-ID": f"show-{run}"}
        )
        assert shown.status_code == 200
        forged = "forged.token.value-" + run
        refused = client.get(
            "/api/v1/items",
            headers={"Authorization": f"Bearer {forged}", "X-Request-ID": f"refused-{run}"},
        )
        assert refused.status_code == 401
        generated = client.get("/api/v1/items", headers=bearer)
        assert generated.status_code == 200
    generated_id = generated.headers["x-request-id"]

    expected = {
        f"login-{run}": ("POST", "/api/v1/auth/login", 200, None),
        f"create-{run}": ("POST", "/api/v1/items", 201, "user:"),
        f"show-{run}": ("GET", ITEM_ROUTE, 200, "user:"),
        f"refused-{run}": ("GET", "/api/v1/items", 401, None),
        generated_id: ("GET", "/api/v1/items", 200, "user:"),
    }
    lines = access_lines(live.log, set(expected))
    assert sorted(r["request_id"] for r in lines) == sorted(expected)  # one line each
    for record in lines:
        method, route, status, principal = expected[record["request_id"]]
        assert (record["method"], record["route"], record["status"]) == (method, route, status)
        assert isinstance(record["duration_ms"], int | float)
        assert record["duration_ms"] >= 0
        if principal is None:
            assert record["principal"] is None
        else:
            assert record["principal"].startswith(principal)
            uuid.UUID(record["principal"].removeprefix(principal))
        assert record["level"] == "info"
        assert record["timestamp"]

    text = live.log.read_text()
    for secret in (tokens["access_token"], tokens["refresh_token"], forged, PASSWORD, SECRET):
        assert secret not in text
    assert "Bearer " not in text
