"""Run a real `erp serve` in a subprocess on a free loopback port, for multi-process tests."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

READY_TIMEOUT_S = 60


def _ephemeral_range() -> range:
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


def free_port() -> int:
    """A loopback port that is free now and that no outgoing connection will take meanwhile.

    Asking the kernel for port 0 hands out an ephemeral port, and between our release and the
    child's bind any outgoing connection (a test's PostgreSQL client, say) may take that very
    port: a nats-server once failed with "address already in use" that way. Ports below the
    ephemeral range are only ever taken by an explicit bind, so pick one of those at random.
    """
    ephemeral = _ephemeral_range()
    candidates = [port for port in range(10_000, 32_768) if port not in ephemeral]
    for port in random.sample(candidates, 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def erp(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the `erp` command line with `env` added; raise on failure."""
    return subprocess.run(
        [sys.executable, "-m", "erp_engine", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


def _wait_ready(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a condition that has no push notification
    raise RuntimeError(f"server not ready in {READY_TIMEOUT_S}s:\n{log.read_text()}")


@contextlib.contextmanager
def running_server(env: dict[str, str], *, workers: int, log_dir: Path) -> Iterator[str]:
    """Yield the base URL of a live server; stop it (gracefully) afterwards."""
    port = free_port()
    log = log_dir / f"server-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "erp_engine",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env={**os.environ, "LOG_LEVEL": "warning", **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process, log)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # pytest shows captured output only for a failing test: there the server's own
        # tracebacks say what a 500 was.
        sys.stderr.write(f"--- server log {log.name} ---\n{log.read_text()[-20000:]}")


def wait_for_started_workers(log: Path, count: int, timeout_s: float = 30) -> None:
    """Until `count` workers have finished their startup (uvicorn logs it at INFO for each)."""
    deadline = time.monotonic() + timeout_s
    while log.read_text().count("Application startup complete") < count:
        assert time.monotonic() < deadline, f"fewer than {count} workers started"
        time.sleep(0.1)  # uvicorn starts workers in the background


def established_per_process(port: int) -> dict[int, int]:
    """How many established connections to local `port` each process holds, read from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # 01: TCP_ESTABLISHED
                inodes.add(fields[9])
    counts: dict[int, int] = {}
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:  # the process or the descriptor went away meanwhile
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            pid = int(fd.parts[2])
            counts[pid] = counts.get(pid, 0) + 1
    return counts
