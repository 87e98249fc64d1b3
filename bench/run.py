"""The service benchmark: `make bench` (never part of `make test`).

    uv run python bench/run.py [--seconds 8] [--runs 3] [--clients 1,16,64] [--keep]

1. creates its own PostgreSQL database on 127.0.0.1:5432 (ERP_BENCH_PG_ADMIN overrides the
   admin DSN), migrates it, loads the dataset (bench/dataset.py: 10,000 items, 5 warehouses,
   50,000 stock rows, 1,000,000 moves) and checks its invariants with SQL;
2. captures the SQL of one create + approve + commit and replays it with pgbench at each
   client count: the limit, PostgreSQL alone doing our statements (bench/pgbench.py);
3. starts `erp serve --workers auto` (the production worker policy) and measures, each run
   bounded in time, median of `--runs` runs: commits at each client count on random and on
   3 hot items, the items and stocks lists, 1,000-line documents, the dashboard and stock
   as-of a month back; profiles the server with py-spy during one extra commit run;
4. checks the invariants again after all that load, drops the database, and writes
   bench/results/*.json, docs/performance-commit.png and its own section of
   docs/performance.md (the "Spreadsheets" section belongs to bench/spreadsheets.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
DOCS = ROOT / "docs" / "performance.md"
CHART = ROOT / "docs" / "performance-commit.png"
ADMIN_DSN = os.environ.get("ERP_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
EMAIL, PASSWORD = "bench@example.com", "Bench-password-2026!"
SECTION = "## Service benchmark"
BEGIN, END = "<!-- bench/run.py: begin -->", "<!-- bench/run.py: end -->"

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

import dataset  # noqa: E402
import load  # noqa: E402
import pgbench  # noqa: E402


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _url(name: str, driver: str = "postgresql+asyncpg") -> str:
    return f"{driver}://{ADMIN_DSN.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _settle(dsn: str) -> float:
    connection = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE)")
        await connection.execute("CHECKPOINT")
        return time.perf_counter() - started
    finally:
        await connection.close()


def settle(dsn: str, before: str, results: dict) -> None:
    """VACUUM ANALYZE and a CHECKPOINT before the next scenario: what the last one wrote
    (tens of thousands of updated stock rows, new moves and documents) must not be paid for
    by the next one, in dead rows to step over or in autovacuum and checkpoint work taking
    CPU in the middle of its runs. Autovacuum does the same in a live system, spread over
    time."""
    seconds = asyncio.run(_settle(dsn))
    results.setdefault("settled_s", {})[before] = round(seconds, 1)
    log(f"settled before {before}: VACUUM ANALYZE and CHECKPOINT in {seconds:.1f} s")


# Machine and CPU accounting ----------------------------------------------------------------


def machine() -> dict:
    import asyncpg as apg
    import fastapi
    import pydantic
    import sqlalchemy
    import uvicorn

    with open("/proc/meminfo") as meminfo:
        total_kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read()).group(1))
    with open("/proc/cpuinfo") as cpuinfo:
        models = [ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")]
    cpu = models[0] if models else "unknown"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "src"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(total_kib / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": {
            "sqlalchemy": sqlalchemy.__version__,
            "asyncpg": apg.__version__,
            "fastapi": fastapi.__version__,
            "pydantic": pydantic.__version__,
            "uvicorn": uvicorn.__version__,
            "httpx": httpx.__version__,
        },
        "git": commit + (" + uncommitted src changes" if dirty else ""),
        "loadavg_start": os.getloadavg(),
    }


def _ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (ppid, command line) of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        table[int(entry)] = (ppid, command)
    return table


def descendants(root: int, table: dict[int, tuple[int, str]] | None = None) -> set[int]:
    table = table or _processes()
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _) in table.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return found


def _machine_busy() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU used while it runs, in cores: server workers, our PostgreSQL backends, the load
    generator (this process and its children: wrk, pgbench), and the whole machine."""

    def __init__(self, server_pid: int | None, database: str):
        self.server_pid = server_pid
        self.database = database
        self.first: dict[int, tuple[str, int]] = {}
        self.last: dict[int, int] = {}
        self.stop_flag = threading.Event()

    def _group(self, pid: int, command: str, server: set[int]) -> str | None:
        if pid in server:
            return "server"
        if command.startswith("postgres:") and f" {self.database} " in command:
            return "postgres"
        if pid in self.client:
            return "client"
        return None

    def _sample(self, initial: bool = False) -> None:
        table = _processes()
        server = descendants(self.server_pid, table) if self.server_pid else set()
        self.client = descendants(os.getpid(), table) - server
        for pid, (_, command) in table.items():
            group = self._group(pid, command, server)
            ticks = _ticks(pid) if group else None
            if ticks is None:
                continue
            # A process born during the measurement counts from zero.
            self.first.setdefault(pid, (group, ticks if initial else 0))
            self.last[pid] = ticks

    def __enter__(self) -> CpuMeter:
        self._sample(initial=True)
        self.wall = time.perf_counter()
        self.machine = _machine_busy()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def _loop(self) -> None:
        while not self.stop_flag.wait(0.25):
            self._sample()

    def __exit__(self, *exc) -> None:
        self.stop_flag.set()
        self.thread.join()
        self._sample()
        wall = time.perf_counter() - self.wall
        busy, total = _machine_busy()
        hz = os.sysconf("SC_CLK_TCK")
        used: dict[str, float] = defaultdict(float)
        for pid, (group, start) in self.first.items():
            used[group] += (self.last.get(pid, start) - start) / hz
        cores = os.cpu_count() or 1
        machine_cores = (busy - self.machine[0]) / max(1, total - self.machine[1]) * cores
        self.result = {
            **{g: round(used.get(g, 0.0) / wall, 2) for g in ("server", "postgres", "client")},
            "machine": round(machine_cores, 2),
        }
        self.result["other"] = round(
            max(0.0, machine_cores - sum(self.result[g] for g in ("server", "postgres", "client"))),
            2,
        )


# Database and server -----------------------------------------------------------------------


async def create_user(url: str) -> tuple[uuid.UUID, int]:
    from erp_engine.db.engine import create_engine, create_session_factories
    from erp_engine.identity import service
    from erp_engine.kernel.roles import Role
    from erp_engine.settings import Settings
    from erp_engine.uow import UnitOfWork

    engine = create_engine(Settings(_env_file=None, database_url=url))
    try:
        write, _ = create_session_factories(engine)
        user = await service.create_user(
            UnitOfWork(write),
            email=EMAIL,
            name="Bench manager",
            role=Role.MANAGER,
            password=PASSWORD,
        )
    finally:
        await engine.dispose()
    return user.id, user.token_version


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`erp serve --workers auto` in its own process group, with the benchmark's settings."""

    def __init__(self, url: str, env: dict):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "DATABASE_URL": url}
        self.log = RESULTS / "server.log"

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "erp_engine",
                "serve",
                "--workers",
                "auto",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"erp serve exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("erp serve did not become ready")
        time.sleep(2)  # let every worker finish starting
        table = _processes()
        self.workers = sorted(
            pid for pid in descendants(self.process.pid, table) if "spawn_main" in table[pid][1]
        )
        return self

    def __exit__(self, *exc) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


# Measurements ------------------------------------------------------------------------------


def median_of(runs: list[dict]) -> dict:
    """Each figure is the median over the runs (so p99 is the median run's p99)."""
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "mean_ms")
    out = {k: statistics.median(r[k] for r in runs) for k in keys if k in runs[0]}
    out["errors"] = sum(r.get("errors", 0) for r in runs)
    if runs[0].get("cpu_ms_per_op"):
        out["cpu_ms_per_op"] = {
            k: statistics.median(r["cpu_ms_per_op"][k] or 0 for r in runs)
            for k in runs[0]["cpu_ms_per_op"]
        }
    out["runs"] = runs
    if "cpu" in runs[0]:
        out["cpu"] = {
            k: round(statistics.median(r["cpu"][k] for r in runs), 2) for k in runs[0]["cpu"]
        }
    return out


def measured(fn, meter_args) -> dict:
    with CpuMeter(*meter_args) as meter:
        result = fn()
    result["cpu"] = meter.result
    # CPU per operation is what contention with other jobs disturbs least.
    wall = result.get("elapsed_s") or 0
    result["cpu_ms_per_op"] = {
        group: round(cores * wall * 1000 / result["ok"], 2) if result.get("ok") else None
        for group, cores in meter.result.items()
        if group in ("server", "postgres")
    }
    return result


def profile_commit(server: Server, token: str, seconds: int, database: str) -> dict:
    """py-spy over every worker during one commit run (16 clients, random items)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    raw = RESULTS / "profile-commit.txt"
    if not Path(spy).exists():
        return {"error": "py-spy not installed"}
    recorder = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(server.process.pid),
            "--subprocesses",
            "--nonblocking",
            "--gil",
            "--rate",
            "200",
            "--duration",
            str(seconds + 1),
            "--format",
            "raw",
            "-o",
            str(raw),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)
    asyncio.run(load.commit_run(server.base, token, clients=16, seconds=seconds, hot=False))
    _, err = recorder.communicate(timeout=120)
    if not raw.exists():
        return {"error": f"py-spy failed: {err[-500:]}"}
    return summarise_profile(raw.read_text())


CATEGORIES = (
    ("database driver (asyncpg)", ("asyncpg",)),
    ("SQLAlchemy ORM", ("sqlalchemy/orm",)),
    ("SQLAlchemy Core, engine, pool", ("sqlalchemy",)),
    ("Pydantic validation and serialisation", ("pydantic",)),
    ("FastAPI / Starlette routing and responses", ("fastapi", "starlette")),
    ("uvicorn and HTTP parsing", ("uvicorn", "httptools", "h11")),
    ("JSON encoding", ("json/", "orjson")),
    ("logging, metrics", ("structlog", "logging/", "prometheus_client")),
    ("JWT and hashing", ("jwt", "hashlib", "argon2")),
    ("erp_engine code", ("erp_engine",)),
    ("greenlet switches", ("greenlet",)),
    ("asyncio", ("asyncio/",)),
)
# Leaves that mean "waiting": the event loop polling (uvloop runs in C under Runner.run), idle
# threads. On a saturated machine such threads can be runnable and get sampled anyway.
IDLE_LEAVES = (
    "Runner.run (",
    "Condition.wait (",
    "_worker (concurrent",
    "Connection._recv (",
    "Event.wait (",
    "select (",
    "poll (",
)


def summarise_profile(collapsed: str) -> dict:
    """Worker samples by the library of the innermost frame, and our functions inclusive.

    SQLAlchemy's async layer runs its sync code in greenlets, whose stacks start at the
    greenlet: time inside the ORM is not always attributed to the erp_engine frame above it.
    """
    busy = idle = 0
    leaves: Counter = Counter()
    categories: Counter = Counter()
    ours: Counter = Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or "spawn_main" not in stack:
            continue  # only the workers, not the supervising process
        n = int(count)
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        leaf = frames[-1] if frames else ""
        if not frames or leaf.startswith(IDLE_LEAVES):
            idle += n
            continue
        busy += n
        leaves[re.sub(r" \((?:.*/)?([^/]+/[^/]+\.py):(\d+)\)", r" (\1)", leaf)] += n
        category = next(
            (name for name, marks in CATEGORIES if any(m in leaf for m in marks)),
            "interpreter and C extensions",
        )
        categories[category] += n
        for frame in set(frames):
            match = re.match(r"([\w.<>]+) \((?:.*/)?erp_engine/(.*?\.py)", frame)
            if match:
                ours[f"{match.group(2)}: {match.group(1)}"] += n

    def share(counter: Counter, k: int) -> list:
        return [(name, round(100 * n / max(1, busy), 1)) for name, n in counter.most_common(k)]

    return {
        "samples": busy,
        "idle_samples": idle,
        "by_category_pct": share(categories, 14),
        "top_leaf_frames_pct": share(leaves, 15),
        "erp_engine_inclusive_pct": share(ours, 15),
    }


def big_documents(server: Server, token: str, url: str) -> dict:
    """Approve and commit each 1,000-line draft; create, approve, commit 500-line ones."""

    async def ids() -> list[str]:
        connection = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            rows = await connection.fetch(
                "SELECT id FROM documents WHERE reference LIKE 'BIG-%' ORDER BY number"
            )
        finally:
            await connection.close()
        return [str(r["id"]) for r in rows]

    async def measure() -> dict:
        out: dict[str, list[float]] = defaultdict(list)
        async with httpx.AsyncClient(
            base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=300
        ) as client:
            for doc in await ids():
                for action in ("approve", "commit"):
                    seconds, _ = await load.timed(
                        client, "POST", f"/api/v1/outbounds/{doc}/{action}"
                    )
                    out[f"{action} 1000"].append(seconds * 1000)
            for run in range(3):
                items = [str(dataset.item_uuid(5000 + run * 500 + j)) for j in range(500)]
                body = {
                    "warehouse_id": str(dataset.warehouse_uuid(3)),
                    "lines": [{"item_id": i, "quantity": 1} for i in items],
                }
                begun = time.perf_counter()
                answer = await client.post("/api/v1/outbounds", json=body)
                out["create 500"].append((time.perf_counter() - begun) * 1000)
                if answer.status_code != 201:
                    raise RuntimeError(f"500-line create: {answer.status_code} {answer.text[:200]}")
                doc = answer.json()["id"]
                for action in ("approve", "commit"):
                    seconds, _ = await load.timed(
                        client, "POST", f"/api/v1/outbounds/{doc}/{action}"
                    )
                    out[f"{action} 500"].append(seconds * 1000)
        return {k: {"runs_ms": v, "median_ms": statistics.median(v)} for k, v in out.items()}

    return asyncio.run(measure())


def reports(server: Server, token: str, runs: int, per_run: int = 5) -> dict:
    """Sequential requests: dashboard, and stock as-of a month back."""
    month_ago = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    paths = {
        "dashboard": "/api/v1/dashboard",
        "stock as-of a month back": f"/api/v1/stocks/as-of?at={month_ago}&limit=50",
    }

    async def measure() -> dict:
        out = {}
        async with httpx.AsyncClient(
            base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=300
        ) as client:
            for name, path in paths.items():
                await load.timed(client, "GET", path)  # warm the worker's caches
                run_results = []
                for _ in range(runs):
                    times = []
                    for _ in range(per_run):
                        seconds, answer = await load.timed(client, "GET", path)
                        times.append(seconds * 1000)
                    run_results.append(
                        {
                            "p50_ms": load.percentile(times, 50),
                            "max_ms": max(times),
                            "times_ms": times,
                        }
                    )
                out[name] = {
                    "path": path,
                    "p50_ms": statistics.median(r["p50_ms"] for r in run_results),
                    "max_ms": max(r["max_ms"] for r in run_results),
                    "runs": run_results,
                    "rows": answer.json().get("count"),
                }
        return out

    return asyncio.run(measure())


def login(server: Server) -> str:
    answer = httpx.post(
        server.base + "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


# Orchestration -----------------------------------------------------------------------------


def run(options) -> dict:
    RESULTS.mkdir(exist_ok=True)
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(),
        "machine": machine(),
        "options": vars(options),
    }
    log(
        f"machine: {results['machine']['cpus']} CPUs, load average "
        f"{results['machine']['loadavg_start']}"
    )
    name = f"erp_perf_{uuid.uuid4().hex[:10]}"
    url = _url(name)
    pg_dsn = _url(name, "postgresql")
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    clients = [int(c) for c in options.clients.split(",")]
    try:
        from erp_engine.db.migrate import upgrade

        upgrade(url)
        user_id, token_version = asyncio.run(create_user(url))
        log("generating the dataset …")
        results["dataset"] = asyncio.run(
            dataset.generate(url, user_id=user_id, user_name="Bench manager")
        )
        log(f"dataset: {results['dataset']}")
        results["check_before"] = asyncio.run(dataset.check(url))
        log(
            f"invariants after generation: ok={results['check_before']['ok']} "
            f"({results['check_before']['seconds']:.0f} s)"
        )
        if not results["check_before"]["ok"]:
            raise SystemExit(f"dataset invariants broken: {results['check_before']}")
        results["postgres"] = asyncio.run(_pg_facts(pg_dsn))

        secret = secrets.token_urlsafe(48)
        settings_env = {
            "jwt_secret": secret,
            "rate_limit_default": "1000000/second",
            "log_level": "WARNING",
        }
        recording = asyncio.run(
            pgbench.capture(url, settings_env, user_id=user_id, token_version=token_version)
        )
        results["capture"] = recording.summary()
        log(f"captured the commit path: {results['capture']}")
        scripts = {}
        for mode in ("random", "hot"):
            scripts[mode] = RESULTS / f"commit-{mode}.pgbench.sql"
            scripts[mode].write_text(pgbench.script(recording, hot=mode == "hot"))

        stocks_filter = f"warehouse_id={dataset.warehouse_uuid(3)}"
        lists = {
            "items": "/api/v1/items?limit=50",
            "stocks": f"/api/v1/stocks?limit=50&{stocks_filter}",
        }
        for key, path in lists.items():
            recorded = asyncio.run(
                pgbench.capture_get(
                    url, settings_env, path, user_id=user_id, token_version=token_version
                )
            )
            scripts[key] = RESULTS / f"list-{key}.pgbench.sql"
            scripts[key].write_text(pgbench.get_script(recorded))

        def limit(script: Path, label: str, seconds: int) -> dict:
            """pgbench replays of `script` at each client count, median of the runs."""
            out = {}
            for count in clients:
                runs = [
                    measured(
                        lambda c=count: pgbench.replay(pg_dsn, script, clients=c, seconds=seconds),
                        (None, name),
                    )
                    for _ in range(options.runs)
                ]
                out[count] = median_of(runs)
                log(f"pgbench {label} {count:>2} clients: {_show(out[count])}")
            return out

        results["pgbench_lists"] = {
            f"{key}/{count}": figures
            for key in lists
            for count, figures in limit(scripts[key], f"GET {key}", options.list_seconds).items()
        }
        results["pgbench"] = {}
        for mode in ("random", "hot"):
            settle(pg_dsn, f"pgbench {mode}", results)
            for count, figures in limit(scripts[mode], mode, options.seconds).items():
                results["pgbench"][f"{mode}/{count}"] = figures

        env = {
            "ENGINE_ENV": "development",
            "JWT_SECRET": secret,
            "RATE_LIMIT_DEFAULT": "1000000/second",
            "LOG_LEVEL": "warning",
            "ACCESS_TOKEN_MINUTES": "240",
            "RELAY_IN_SERVER": "false",
        }
        with Server(url, env) as server:
            results["server"] = {
                "workers": len(server.workers),
                "pids": server.workers,
                "env": {k: v for k, v in env.items() if k != "JWT_SECRET"},
            }
            log(f"erp serve: {len(server.workers)} worker processes on {server.base}")
            token = login(server)
            meter = (server.process.pid, name)
            # Warm every worker: pools, prepared statements, compiled-SQL caches.
            asyncio.run(load.commit_run(server.base, token, clients=16, seconds=3, hot=False))
            load.get_run(server.base, token, "/api/v1/items?limit=50", clients=16, seconds=2)

            results["commit"] = {}
            for mode in ("random", "hot"):
                settle(pg_dsn, f"commit {mode}", results)
                for count in clients:
                    runs = [
                        measured(
                            lambda c=count, m=mode, seed=r: asyncio.run(
                                load.commit_run(
                                    server.base,
                                    token,
                                    clients=c,
                                    seconds=options.seconds,
                                    hot=m == "hot",
                                    seed=seed,
                                )
                            ),
                            meter,
                        )
                        for r in range(options.runs)
                    ]
                    results["commit"][f"{mode}/{count}"] = median_of(runs)
                    log(
                        f"commit {mode} {count:>2} clients: "
                        f"{_show(results['commit'][f'{mode}/{count}'])}"
                    )

            log("profiling one commit run with py-spy …")
            results["profile"] = profile_commit(server, token, options.seconds, name)

            results["lists"] = {}
            settle(pg_dsn, "lists", results)
            for key, path in lists.items():
                for count in clients:
                    runs = [
                        measured(
                            lambda c=count, p=path: load.get_run(
                                server.base, token, p, clients=c, seconds=options.list_seconds
                            ),
                            meter,
                        )
                        for _ in range(options.runs)
                    ]
                    results["lists"][f"{key}/{count}"] = {**median_of(runs), "path": path}
                    log(
                        f"GET {key} {count:>2} clients: {_show(results['lists'][f'{key}/{count}'])}"
                    )

            results["big_documents"] = big_documents(server, token, url)
            shown = {k: round(v["median_ms"]) for k, v in results["big_documents"].items()}
            log(f"big documents: {shown}")
            results["reports"] = reports(server, token, options.runs)
            log(f"reports: { {k: round(v['p50_ms']) for k, v in results['reports'].items()} }")

        results["check_after"] = asyncio.run(dataset.check(url))
        log(f"invariants after the load: ok={results['check_after']['ok']}")
    finally:
        if options.keep:
            log(f"kept database {name}")
        else:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    results["finished_at"] = datetime.now(UTC).isoformat()
    results["loadavg_end"] = os.getloadavg()
    results["targets"] = targets(results)
    return results


async def _pg_facts(dsn: str) -> dict:
    connection = await asyncpg.connect(dsn)
    try:
        facts = {}
        for setting in (
            "server_version",
            "max_connections",
            "shared_buffers",
            "synchronous_commit",
            "work_mem",
        ):
            facts[setting] = await connection.fetchval(f"SHOW {setting}")
    finally:
        await connection.close()
    return facts


def _show(figures: dict) -> str:
    return (
        f"{figures['rps']:.0f}/s p50 {figures['p50_ms']:.1f} p95 {figures['p95_ms']:.1f} "
        f"p99 {figures['p99_ms']:.1f} ms, {figures['errors']} errors"
        + (f", cpu {figures['cpu']}" if "cpu" in figures else "")
    )


# Targets, chart, docs ----------------------------------------------------------------------


def targets(results: dict) -> list[dict]:
    out = []

    def target(name: str, met: bool | None, measured: str) -> None:
        out.append({"target": name, "met": met, "measured": measured})

    commit = results.get("commit", {}).get("random/16")
    limit = results.get("pgbench", {}).get("random/16")
    if commit and limit:
        share = commit["rps"] / limit["rps"]
        target(
            "commit ≥ 25 % of the pgbench limit at 16 clients (~500 commits/s)",
            share >= 0.25 and commit["errors"] == 0,
            f"{commit['rps']:.0f} commits/s = {100 * share:.0f} % of {limit['rps']:.0f}/s",
        )
    items = results.get("lists", {}).get("items/16")
    if items:
        limit = results.get("pgbench_lists", {}).get("items/16")
        beside = f" (PostgreSQL alone: {limit['rps']:.0f}/s)" if limit else ""
        target(
            "items list ≥ 1,000 req/s and p99 < 50 ms at 16 clients",
            items["rps"] >= 1000 and items["p99_ms"] < 50 and items["errors"] == 0,
            f"{items['rps']:.0f} req/s, p99 {items['p99_ms']:.0f} ms{beside}",
        )
    big = results.get("big_documents", {})
    for action in ("approve", "commit"):
        if f"{action} 1000" in big:
            ms = big[f"{action} 1000"]["median_ms"]
            target(f"1,000-line outbound {action} < 1 s", ms < 1000, f"{ms:.0f} ms (median of 3)")
    for name, figures in results.get("reports", {}).items():
        target(
            f"{name} over 1M moves < 200 ms",
            figures["p50_ms"] < 200,
            f"{figures['p50_ms']:.0f} ms median, {figures['max_ms']:.0f} ms slowest",
        )
    return out


def chart(results: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    clients = sorted({int(k.split("/")[1]) for k in results["commit"]})
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    series = [
        ("pgbench", "random", "pgbench, random items", "tab:gray", "--"),
        ("pgbench", "hot", "pgbench, 3 hot items", "tab:gray", ":"),
        ("commit", "random", "ERP Engine, random items", "tab:blue", "-"),
        ("commit", "hot", "ERP Engine, 3 hot items", "tab:red", "-"),
    ]
    for source, mode, label, color, style in series:
        data = [results[source][f"{mode}/{c}"] for c in clients]
        left.plot(clients, [d["rps"] for d in data], style, marker="o", color=color, label=label)
        right.plot(
            clients, [d["p99_ms"] for d in data], style, marker="o", color=color, label=label
        )
    for axis, title, unit in (
        (left, "Throughput", "commits/s (create+approve+commit)"),
        (right, "p99 latency of a whole commit flow", "ms"),
    ):
        axis.set_xscale("log", base=2)
        axis.set_xticks(clients, [str(c) for c in clients])
        axis.set_xlabel("concurrent clients")
        axis.set_ylabel(unit)
        axis.set_title(title)
        axis.grid(alpha=0.3)
    right.set_yscale("log")
    left.legend(fontsize=8)
    fig.suptitle(
        f"Commit path vs PostgreSQL alone ({results['machine']['cpus']} cores shared with other "
        f"jobs; load average {results['machine']['loadavg_start'][0]:.1f} at start, "
        f"{results['loadavg_end'][0]:.1f} at end)"
    )

    fig.tight_layout()
    fig.savefig(CHART, dpi=110)
    plt.close(fig)


def round_trips(capture: dict) -> int:
    """BEGIN, statements, COMMIT/ROLLBACK, and 3 per pre-ping."""
    return sum(capture.get(k, 0) for k in ("sql", "begin", "commit", "rollback")) + 3 * capture.get(
        "ping", 0
    )


def section(results: dict, notes: str) -> str:
    m = results["machine"]
    clients = sorted({int(k.split("/")[1]) for k in results["commit"]})
    list_tool = next(iter(results["lists"].values()))["runs"][0].get("tool", "httpx")
    lines = [SECTION, BEGIN, ""]
    lines += [
        f"Measured by `make bench` (`bench/run.py`) on {results['started_at'][:10]} at commit "
        f"{m['git']}: median of {results['options']['runs']} runs of "
        f"{results['options']['seconds']} s (lists {results['options']['list_seconds']} s).",
        "",
        f"**Machine:** {m['cpus']} cores ({m['cpu']}), {m['memory_gib']} GiB, Linux "
        f"{m['kernel']}; Python {m['python']}, PostgreSQL {results['postgres']['server_version']}"
        f" (shared_buffers {results['postgres']['shared_buffers']}, max_connections "
        f"{results['postgres']['max_connections']}), "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + f". **Load average at start: {', '.join(f'{x:.2f}' for x in m['loadavg_start'])}** "
        f"(at the end {', '.join(f'{x:.2f}' for x in results['loadavg_end'])}): the machine "
        "was shared with other test runs, so every figure here is a floor, not a ceiling.",
        "",
        f"**Server:** `erp serve --workers auto` = {results['server']['workers']} worker "
        "processes, ENGINE_ENV=development, LOG_LEVEL=warning, RATE_LIMIT_DEFAULT="
        "1000000/second; load generators on loopback (commit: asyncio on raw keep-alive "
        f"HTTP/1.1; lists: {list_tool}).",
        "",
    ]
    if settled := results.get("settled_s"):
        lines += [
            "**Between scenarios** the database is settled with VACUUM ANALYZE and a "
            "CHECKPOINT, so no scenario pays in dead rows or background work for what the one "
            "before it wrote: "
            + ", ".join(f"before {k} {v:.1f} s" for k, v in settled.items())
            + ".",
            "",
        ]
    d = results["check_before"]["counts"]
    ds = results["dataset"]
    lines += [
        "### Dataset",
        "",
        f"{d['items']:,} items, {d['warehouses']} warehouses, {d['stock_rows']:,} stock rows, "
        f"{d['moves']:,} ledger moves in {d['documents']:,} committed documents "
        f"({d['document_lines']:,} lines, {d['flows']:,} flows, {d['events']:,} outbox events) "
        f"from {d['first_move'][:10]} to {d['last_move'][:10]}; "
        f"{d['database_bytes'] / 2**20:,.0f} MiB. Generated in bulk SQL in "
        f"{ds['generate_s']:.0f} s (+{ds['vacuum_analyze_s']:.0f} s VACUUM ANALYZE), then "
        f"checked in {results['check_before']['seconds']:.0f} s, and again after all the load "
        "below (including pgbench's replayed writes):",
        "",
        "| invariant (violations) | after generation | after the benchmark |",
        "|---|---|---|",
    ]
    for key, count in results["check_before"]["violations"].items():
        lines.append(f"| {key} | {count} | {results['check_after']['violations'][key]} |")
    lines += ["", "### Targets", "", "| target | measured | |", "|---|---|---|"]
    for t in results["targets"]:
        lines.append(
            f"| {t['target']} | {t['measured']} | {'**met**' if t['met'] else '**not met**'} |"
        )
    lines += [
        "",
        "### Commit: create + approve + commit of a 3-line outbound",
        "",
        "One *commit* is the whole flow: three HTTP requests, three transactions. The limit is "
        "the same SQL replayed by pgbench against the same database (see below). CPU columns "
        "are cores used during the run: server workers / our PostgreSQL backends / load "
        "generator / the rest of the machine (other people's jobs).",
        "",
        "| items | clients | ERP Engine commits/s | p50 / p95 / p99 ms | pgbench commits/s "
        "| p50 / p95 / p99 ms | ratio | CPU server / pg / client / other | CPU ms per commit: "
        "server / pg | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode in ("random", "hot"):
        for c in clients:
            app, limit = results["commit"][f"{mode}/{c}"], results["pgbench"][f"{mode}/{c}"]
            cpu = app.get("cpu", {})
            per = app.get("cpu_ms_per_op") or {
                k: statistics.median(
                    (r.get("cpu_ms_per_op") or {}).get(k) or 0 for r in app["runs"]
                )
                for k in ("server", "postgres")
            }
            lines.append(
                f"| {mode} | {c} | {app['rps']:.0f} | {app['p50_ms']:.0f} / {app['p95_ms']:.0f} / "
                f"{app['p99_ms']:.0f} | {limit['rps']:.0f} | {limit['p50_ms']:.0f} / "
                f"{limit['p95_ms']:.0f} / {limit['p99_ms']:.0f} | "
                f"{100 * app['rps'] / limit['rps']:.0f} % | {cpu.get('server', 0):.2f} / "
                f"{cpu.get('postgres', 0):.2f} / {cpu.get('client', 0):.2f} / "
                f"{cpu.get('other', 0):.2f} | {per.get('server', 0):.0f} / "
                f"{per.get('postgres', 0):.0f} | {app['errors'] + limit['errors']} |"
            )
    lines += ["", f"![Commit throughput and p99 by client count]({CHART.name})", ""]
    steps = results["commit"].get("random/16", {}).get("runs", [{}])[0].get("step_p50_ms")
    if steps:
        lines += [
            "At 16 clients on random items the median request took "
            + ", ".join(f"{k} {v:.0f} ms" for k, v in steps.items())
            + ".",
            "",
        ]
    cap = results["capture"]
    lines += [
        "### The limit: the commit path's SQL in pgbench",
        "",
        f"`bench/pgbench.py` records what one flow sends to PostgreSQL: {cap.get('sql', 0)} "
        f"statements in {cap.get('begin', 0)} transactions, and {cap.get('ping', 0)} pool "
        "pre-pings (each `BEGIN; SELECT; ROLLBACK` on asyncpg) — "
        f"{round_trips(cap)}"
        " round trips per commit. The script (`bench/results/commit-*.pgbench.sql`) keeps "
        "every statement and literal, with random items (`\\set`), a fresh document id, and "
        "the number and new balances taken from the statements that return them (`\\gset`). "
        "pgbench runs it with `-M prepared`, as asyncpg prepares statements.",
        "",
        "### Lists",
        "",
        "The limit beside each list is its own statements (the caller check and the page "
        "with its total), recorded from one request and replayed by pgbench "
        "(`bench/results/list-*.pgbench.sql`) at the same client count.",
        "",
        "| request | clients | req/s | p50 / p95 / p99 ms | pgbench req/s | ratio "
        "| CPU server / pg / client / other | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, fig in results["lists"].items():
        name, c = key.split("/")
        cpu = fig.get("cpu", {})
        limit = results.get("pgbench_lists", {}).get(key)
        beside = (
            f"{limit['rps']:.0f} | {100 * fig['rps'] / limit['rps']:.0f} %" if limit else "– | –"
        )
        lines.append(
            f"| `GET {fig['path']}` | {c} | {fig['rps']:.0f} | {fig['p50_ms']:.1f} / "
            f"{fig['p95_ms']:.1f} / {fig['p99_ms']:.1f} | {beside} | "
            f"{cpu.get('server', 0):.2f} / {cpu.get('postgres', 0):.2f} / "
            f"{cpu.get('client', 0):.2f} / {cpu.get('other', 0):.2f} | {fig['errors']} |"
        )
    lines += [
        "",
        "### Big documents and reports",
        "",
        "| request | median | runs (ms) |",
        "|---|---|---|",
    ]
    labels = {
        "approve 1000": "approve a 1,000-line outbound",
        "commit 1000": "commit a 1,000-line outbound",
        "create 500": "create a 500-line outbound (the API's maximum)",
        "approve 500": "approve a 500-line outbound",
        "commit 500": "commit a 500-line outbound",
    }
    for key, fig in results["big_documents"].items():
        lines.append(
            f"| {labels.get(key, key)} | {fig['median_ms']:.0f} ms | "
            + ", ".join(f"{v:.0f}" for v in fig["runs_ms"])
            + " |"
        )
    for name, fig in results["reports"].items():
        times = [t for r in fig["runs"] for t in r["times_ms"]]
        lines.append(
            f"| `GET {fig['path']}` ({name}) | {fig['p50_ms']:.0f} ms | "
            + ", ".join(f"{v:.0f}" for v in times)
            + " |"
        )
    lines += [
        "",
        "The 1,000-line documents are drafts written by the dataset generator: the API takes at "
        "most 500 lines per document (`MAX_LINES`), so no client can create one.",
        "",
        "### Profile",
        "",
    ]
    prof = results.get("profile", {})
    if "error" in prof:
        lines.append(f"py-spy: {prof['error']}")
    else:
        lines += [
            f"py-spy sampled every worker at 200 Hz during one extra 16-client commit run "
            f"({prof['samples']:,} samples of busy threads; idle waits are not sampled). "
            "Where the workers' CPU goes, by the library of the innermost frame:",
            "",
            "| where | share |",
            "|---|---|",
        ]
        lines += [f"| {name} | {pct} % |" for name, pct in prof["by_category_pct"]]
        lines += [
            "",
            "Our functions, inclusive (a sample counts for every one of ours on the stack):",
            "",
            "| function | share |",
            "|---|---|",
        ]
        lines += [f"| `{name}` | {pct} % |" for name, pct in prof["erp_engine_inclusive_pct"]]
    if notes:
        lines += ["", notes.strip()]
    lines += ["", END]
    return "\n".join(lines)


def write_docs(text: str) -> None:
    """Replace only this script's section (from its heading to its end marker)."""
    current = (
        DOCS.read_text()
        if DOCS.exists()
        else ("# Performance\n\nFigures from the benchmarks in `bench/` (`make bench`).\n")
    )
    pattern = re.compile(re.escape(SECTION) + r"\n.*?" + re.escape(END), re.S)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text, current)
    else:
        # Before the spreadsheets section when there is one, so each keeps its place.
        marker = current.find("\n## Spreadsheets")
        updated = (
            current[:marker] + "\n\n" + text + "\n" + current[marker:]
            if marker >= 0
            else current.rstrip() + "\n\n" + text + "\n"
        )
    DOCS.write_text(re.sub(r"\n{3,}", "\n\n", updated).rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="length of each commit run")
    parser.add_argument("--list-seconds", type=int, default=5, help="length of each list run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/ alone")
    parser.add_argument(
        "--notes",
        type=Path,
        default=BENCH / "notes.md",
        help="hand-written analysis appended to the docs section",
    )
    parser.add_argument("--from-json", type=Path, help="only rewrite docs from a results file")
    options = parser.parse_args()
    if options.from_json:
        results = json.loads(options.from_json.read_text())
    else:
        if not shutil.which("wrk"):
            log(
                "warning: wrk is not installed, so the list runs use httpx, whose client takes "
                "a core of the two from the server it measures; `make bench` installs wrk"
            )
        started = time.monotonic()
        results = run(options)
        results["total_s"] = time.monotonic() - started
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        for path in (RESULTS / f"run-{stamp}.json", RESULTS / "latest.json"):
            path.write_text(json.dumps(results, indent=2, default=str))
        log(f"results in {RESULTS.relative_to(ROOT)}/run-{stamp}.json")
    for t in results["targets"]:
        log(f"{'MET    ' if t['met'] else 'NOT MET'} {t['target']}: {t['measured']}")
    if not options.no_docs:
        chart(results)
        notes = options.notes.read_text() if options.notes and options.notes.exists() else ""
        write_docs(section(results, notes))
        log(f"wrote {DOCS.relative_to(ROOT)} and {CHART.relative_to(ROOT)}")
    broken = not results["check_after"]["ok"]
    if broken:
        raise SystemExit("invariants broken after the load: see check_after in the results")


if __name__ == "__main__":
    main()
