"""CPU per operation with the app in process: the steadier figure for comparing two commits.

On a shared 2-core VM the rates `make bench` reports drift by ±15 % within minutes. Running
the app in this process (httpx's ASGI transport, no server, no sockets) and reading
`time.process_time()` around many operations measures the Python side alone, which is what
a change to the app moves. Compare two commits by interleaving runs (A B A B …) and taking
the lowest figure of each: noise only ever adds.

    uv run python bench/run.py --keep               # prints "kept database erp_perf_…"
    uv run python bench/inprocess.py erp_perf_…     # flows and GETs on the working tree
    git worktree add /tmp/old <commit>              # the other side, in its own checkout
    (cd /tmp/old/bench && /path/to/.venv/bin/python inprocess.py erp_perf_…)

Each checkout's bench/ measures that checkout's src/ (bench/run.py puts it first on the
path, before PYTHONPATH).

Each run creates, approves and commits real outbounds (3 lines, random items, quantity 1),
so the database's stock goes down a little every time; 10,000 runs of 200 flows are fine.
The figures include httpx's in-process client (about 0.5 ms per request): compare, do not
quote.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

import httpx
from dataset import warehouse_uuid
from load import pick_items
from pgbench import COMMIT_WAREHOUSES, outbound_body
from run import EMAIL, PASSWORD, _url
from sqlalchemy import event


async def measure(database: str, flows: int, gets: int, repeats: int) -> None:
    from erp_engine.api.app import create_app
    from erp_engine.settings import Settings

    settings = Settings(
        _env_file=None,
        database_url=_url(database),
        jwt_secret="in-process-" + "x" * 40,
        rate_limit_default="1000000/second",
        rate_limit_login_ip="1000/second",
        log_level="WARNING",
    )
    app = create_app(settings)
    statements = [0]
    event.listen(
        app.state.db_engine.sync_engine,
        "before_cursor_execute",
        lambda *_: statements.__setitem__(0, statements[0] + 1),
    )
    rng = random.Random(1)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        login = await client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

        async def flow() -> None:
            items = pick_items(rng, hot=False)
            warehouse = warehouse_uuid(rng.randint(*COMMIT_WAREHOUSES))
            created = await client.post("/api/v1/outbounds", json=outbound_body(warehouse, items))
            created.raise_for_status()
            for action in ("approve", "commit"):
                done = await client.post(f"/api/v1/outbounds/{created.json()['id']}/{action}")
                done.raise_for_status()

        async def page() -> None:
            (await client.get("/api/v1/items?limit=50")).raise_for_status()

        for name, operation, count in (("flow", flow, flows), ("items page", page, gets)):
            for _ in range(20):  # warm: prepared statements, caches
                await operation()
            cpu = []
            for _ in range(repeats):
                statements[0] = 0
                began = time.process_time()
                for _ in range(count):
                    await operation()
                cpu.append((time.process_time() - began) / count * 1000)
            print(
                f"{name}: CPU ms per operation {', '.join(f'{c:.2f}' for c in cpu)} "
                f"(lowest {min(cpu):.2f}); {statements[0] / count:.0f} statements each"
            )
    await app.state.db_engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="a database left by `bench/run.py --keep`")
    parser.add_argument("--flows", type=int, default=150, help="flows per repeat")
    parser.add_argument("--gets", type=int, default=400, help="items pages per repeat")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(measure(options.database, options.flows, options.gets, options.repeats))


if __name__ == "__main__":
    main()
