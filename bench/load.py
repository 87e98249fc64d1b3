"""Load generators for the benchmark, all on loopback and bounded in time.

- `commit_run`: N clients, each in a loop: create a 3-line outbound, approve it, commit it
  (asyncio on raw keep-alive HTTP/1.1 connections, one per client). A flow counts when all
  three answered 2xx; its latency is the three requests end to end.
- `get_run`: N clients hammering one GET URL: wrk when installed (C, so the client does not
  eat the server's CPU), else the same httpx loop.
- `timed`: sequential requests, each timed (big documents, reports).

Every run stops starting new work at its deadline and waits for the work in flight, so no
document is left half-way; throughput is counted over the whole run including that tail.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from dataset import item_uuid, warehouse_uuid
from pgbench import COMMIT_WAREHOUSES, HOT_ITEMS, RANDOM_ITEMS, outbound_body

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "non2xx": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _summary(latencies_s: list[float], elapsed: float, errors: Counter, **extra) -> dict:
    ms = [v * 1000 for v in latencies_s]
    return {
        "rps": len(ms) / elapsed if elapsed else 0.0,
        "ok": len(ms),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": statistics.fmean(ms) if ms else float("nan"),
        "elapsed_s": elapsed,
        **extra,
    }


def pick_items(rng: random.Random, hot: bool) -> list:
    if hot:
        return [item_uuid(n) for n in HOT_ITEMS]
    return [item_uuid(rng.randint(low, high)) for low, high in RANDOM_ITEMS]


def _client(base_url: str, token: str, clients: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_connections=clients, max_keepalive_connections=clients),
        timeout=120,
    )


class Connection:
    """One keep-alive HTTP/1.1 connection on plain asyncio streams, for the commit run.

    The load generator shares the two cores with the server it measures: httpx spent about
    2 ms of CPU per request, a sixth of the machine at 60 flows/s, taken from the server.
    Writing the request and reading a Content-Length body is all the run needs (pgbench,
    beside it, is C).
    """

    def __init__(self, base_url: str, token: str):
        url = httpx.URL(base_url)
        self.host, self.port = url.host, url.port
        self.head = (
            f"Host: {self.host}:{self.port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(
            f"POST {path} HTTP/1.1\r\n".encode()
            + self.head
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            return int(head[9:12]), await reader.readexactly(length)
        except BaseException:
            await self.close()  # a broken or half-read connection is not reused
            raise

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def commit_run(
    base_url: str, token: str, *, clients: int, seconds: float, hot: bool, seed: int = 1
) -> dict:
    """create + approve + commit flows; rps counts whole flows."""
    latencies: list[float] = []
    steps: dict[str, list[float]] = {"create": [], "approve": [], "commit": []}
    errors: Counter = Counter()
    cpu_before = os.times()
    started = time.perf_counter()
    deadline = started + seconds

    async def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        connection = Connection(base_url, token)
        try:
            while time.perf_counter() < deadline:
                warehouse = warehouse_uuid(rng.randint(*COMMIT_WAREHOUSES))
                body = json.dumps(outbound_body(warehouse, pick_items(rng, hot))).encode()
                begun = time.perf_counter()
                try:
                    status, answer = await connection.post("/api/v1/outbounds", body)
                    steps["create"].append(time.perf_counter() - begun)
                    if status != 201:
                        errors[f"create {status}"] += 1
                        continue
                    doc = json.loads(answer)["id"]
                    for action in ("approve", "commit"):
                        step = time.perf_counter()
                        status, _ = await connection.post(f"/api/v1/outbounds/{doc}/{action}")
                        steps[action].append(time.perf_counter() - step)
                        if status != 200:
                            errors[f"{action} {status}"] += 1
                            break
                    else:
                        latencies.append(time.perf_counter() - begun)
                except (OSError, asyncio.IncompleteReadError, StopIteration) as error:
                    errors[type(error).__name__] += 1
        finally:
            await connection.close()

    await asyncio.gather(*(worker(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    cpu = os.times()
    client_cpu = (cpu.user - cpu_before.user + cpu.system - cpu_before.system) / elapsed
    return _summary(
        latencies,
        elapsed,
        errors,
        clients=clients,
        step_p50_ms={k: percentile([v * 1000 for v in vs], 50) for k, vs in steps.items()},
        client_cpu_cores=client_cpu,
    )


async def _httpx_get_run(base_url: str, token: str, path: str, clients: int, seconds: float):
    latencies: list[float] = []
    errors: Counter = Counter()
    async with _client(base_url, token, clients) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                begun = time.perf_counter()
                try:
                    answer = await client.get(path)
                    if answer.status_code == 200:
                        latencies.append(time.perf_counter() - begun)
                    else:
                        errors[f"GET {answer.status_code}"] += 1
                except httpx.HTTPError as error:
                    errors[type(error).__name__] += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return _summary(latencies, elapsed, errors, clients=clients, tool="httpx")


def get_run(base_url: str, token: str, path: str, *, clients: int, seconds: int) -> dict:
    """Requests/s and latency of one GET at `clients` concurrent connections."""
    wrk = shutil.which("wrk")
    if not wrk:
        return asyncio.run(_httpx_get_run(base_url, token, path, clients, seconds))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    try:
        done = subprocess.run(
            [
                wrk,
                f"-t{min(2, clients)}",
                f"-c{clients}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                "-H",
                f"Authorization: Bearer {token}",
                base_url + path,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    report = json.loads(line)
    elapsed = report["duration_us"] / 1e6
    bad = report["non2xx"] + report["socket_errors"]
    return {
        "rps": (report["requests"] - bad) / elapsed,
        "ok": report["requests"] - bad,
        "errors": bad,
        "error_kinds": {"non2xx": report["non2xx"], "socket": report["socket_errors"]},
        "p50_ms": report["p50_us"] / 1000,
        "p95_ms": report["p95_us"] / 1000,
        "p99_ms": report["p99_us"] / 1000,
        "max_ms": report["max_us"] / 1000,
        "elapsed_s": elapsed,
        "clients": clients,
        "tool": "wrk",
    }


async def timed(client: httpx.AsyncClient, method: str, path: str, *, expect: int = 200):
    """One request, timed; raises when the status is not `expect`."""
    begun = time.perf_counter()
    answer = await client.request(method, path)
    seconds = time.perf_counter() - begun
    if answer.status_code != expect:
        raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
    return seconds, answer
