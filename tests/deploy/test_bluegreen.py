"""Blue-green deployment through real nginx: zero failed requests, rollback, refusal.

Real nginx (Debian's) runs unprivileged on a loopback port with the shipped config
rendered by deploy/render-nginx.sh; two real `erp serve` instances (the colours) share one
PostgreSQL database; deploy/bluegreen.sh switches between them while a bounded load of reads
and writes runs through nginx.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from erp_engine.db.migrate import upgrade
from tests.support.postgres import create_database, drop_database
from tests.support.server import erp, free_port

ROOT = Path(__file__).resolve().parents[2]
BLUEGREEN = ROOT / "deploy" / "bluegreen.sh"
INSTANCE = ROOT / "tests" / "deploy" / "instance.sh"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "deploy-test-pass-1"
LOAD_CLIENTS = 6
MAX_REQUESTS = 6000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("servers"),
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed"),
]

NGINX_MAIN = """
user root;
daemon on;
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/erp.conf;
}}
"""


@dataclass
class Site:
    tmp: Path
    url: str
    env: dict[str, str]
    releases: dict[str, Path] = field(default_factory=dict)

    def bluegreen(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["bash", str(BLUEGREEN), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert not check or result.returncode == 0, result.stderr
        return result


def _release(tmp: Path, commit: str) -> Path:
    release = tmp / "releases" / commit
    release.mkdir(parents=True)
    (release / "release.env").write_text(f"ENGINE_COMMIT_SHA={commit}\n")
    return release


@pytest.fixture
def site(tmp_path: Path):
    name = f"erp_deploy_{uuid.uuid4().hex[:10]}"
    database_url = create_database(name)
    upgrade(database_url)
    env_file = tmp_path / "erp.env"
    # One load-test principal makes far more than the default 600 requests a minute.
    env_file.write_text(
        f"DATABASE_URL={database_url}\nJWT_SECRET={'d' * 48}\n"
        "LOG_LEVEL=warning\nRATE_LIMIT_DEFAULT=1000000/minute\n"
    )
    erp(
        "user",
        "create",
        "--email",
        "ops@test.example",
        "--name",
        "Ops",
        "--role",
        "manager",
        "--password",
        PASSWORD,
        env={"DATABASE_URL": database_url},
    )
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>ERP</title>")
    (web / "assets" / "app.123abc.js").write_text("console.log('erp')")
    nginx_port, blue, green = free_port(), free_port(), free_port()
    upstream = tmp_path / "upstream.conf"
    upstream.write_text(f"server 127.0.0.1:{blue};\n")
    rendered = subprocess.run(
        [str(ROOT / "deploy" / "render-nginx.sh")],
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "LISTEN": f"127.0.0.1:{nginx_port}",
            "WEB_ROOT": str(web),
            "UPSTREAM_FILE": str(upstream),
        },
    ).stdout
    (tmp_path / "erp.conf").write_text(rendered)
    (tmp_path / "nginx.conf").write_text(NGINX_MAIN.format(tmp=tmp_path))
    nginx = f"{NGINX} -p {tmp_path} -c {tmp_path / 'nginx.conf'}"
    subprocess.run(f"{nginx} -t -q", shell=True, check=True)  # noqa: S602 - fixed test command
    subprocess.run(nginx, shell=True, check=True)  # noqa: S602
    state = tmp_path / "state"
    env = {
        **os.environ,
        "ERP_HOME": str(tmp_path),
        "ERP_STATE_DIR": str(state),
        "ERP_UPSTREAM_FILE": str(upstream),
        "ERP_NGINX_RELOAD": f"{nginx} -t -q && {nginx} -s reload",
        "ERP_START": f"bash {INSTANCE} start {{port}}",
        "ERP_STOP": f"bash {INSTANCE} stop {{port}}",
        "ERP_ENV_FILE": str(env_file),
        "ERP_PYTHON": sys.executable,
        "BLUE_PORT": str(blue),
        "GREEN_PORT": str(green),
        "DRAIN_SECONDS": "30",
        "READY_TIMEOUT": "90",
    }
    site = Site(tmp_path, f"http://127.0.0.1:{nginx_port}", env)
    site.releases = {c: _release(tmp_path, c) for c in ("aaa1111", "bbb2222")}
    try:
        yield site
    finally:
        for pid_file in state.glob("reap-*.pid"):
            subprocess.run(["kill", pid_file.read_text().strip()], check=False)
        for port in (blue, green):
            subprocess.run(["bash", str(INSTANCE), "stop", str(port)], env=env, check=False)
        subprocess.run(f"{nginx} -s quit", shell=True, check=False)  # noqa: S602
        drop_database(name)


@dataclass
class Load:
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    commits: list[tuple[float, str]] = field(default_factory=list)
    # Set once the new commit has answered for a second after the switch.
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    switched_at: float | None = None


async def _client(base_url: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    token = (
        await client.post(
            "/api/v1/auth/login", json={"email": "ops@test.example", "password": PASSWORD}
        )
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


async def _send(client: httpx.AsyncClient, n: int, body: dict) -> tuple[httpx.Response, int]:
    """One request of the load, retried once like a browser would: only when the connection
    closed before any response byte (nginx's old workers closing idle keep-alive connections
    on reload). POSTs carry an Idempotency-Key, so the retry can never apply twice."""
    if n % 3 == 0:
        request = client.build_request(
            "POST", "/api/v1/inbounds", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        expected = 201
    else:
        request = client.build_request("GET", "/api/v1/items", params={"limit": 5})
        expected = 200
    try:
        return await client.send(request), expected
    except httpx.RemoteProtocolError:
        return await client.send(request), expected


async def _load(
    client: httpx.AsyncClient, stop: asyncio.Event, load: Load, body: dict, worker: int
) -> None:
    n = 0
    while not stop.is_set() and load.ok + len(load.failures) < MAX_REQUESTS:
        n += 1
        try:
            response, expected = await _send(client, n, body)
        except httpx.HTTPError as error:
            load.failures.append(f"worker {worker}: {type(error).__name__}")
            continue
        if response.status_code != expected:
            load.failures.append(f"worker {worker}: {response.status_code} {response.text[:200]}")
        else:
            load.ok += 1
            now, commit = time.monotonic(), response.headers["x-engine-commit"]
            load.commits.append((now, commit))
            if commit == "bbb2222" and load.switched_at and now > load.switched_at + 1:
                load.settled.set()


async def _commit_via_nginx(client: httpx.AsyncClient) -> str:
    try:
        response = await client.get("/healthz")
    except httpx.RemoteProtocolError:  # the keep-alive race on reload; see _send
        response = await client.get("/healthz")
    return response.headers["x-engine-commit"]


async def test_switch_rollback_and_refusal_without_a_failed_request(site: Site):
    await asyncio.to_thread(site.bluegreen, "deploy", str(site.releases["aaa1111"]), "aaa1111")
    client = await _client(site.url)
    try:
        warehouse = (await client.get("/api/v1/warehouses")).json()["data"][0]["id"]
        item = (await client.post("/api/v1/items", json={"sku": "BG-1", "name": "x"})).json()
        body = {"warehouse_id": warehouse, "lines": [{"item_id": item["id"], "quantity": 1}]}
        assert await _commit_via_nginx(client) == "aaa1111"

        # Deploy bbb2222 to the idle colour while reads and writes keep flowing.
        load, stop = Load(), asyncio.Event()
        workers = [
            asyncio.create_task(_load(client, stop, load, body, n)) for n in range(LOAD_CLIENTS)
        ]
        deploy = await asyncio.create_subprocess_exec(
            "bash",
            str(BLUEGREEN),
            "deploy",
            str(site.releases["bbb2222"]),
            "bbb2222",
            env=site.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(deploy.communicate(), timeout=180)
        assert deploy.returncode == 0, err.decode()
        load.switched_at = switched_at = time.monotonic()
        # Keep the load on until the new commit has answered for a while.
        await asyncio.wait_for(load.settled.wait(), timeout=30)
        stop.set()
        await asyncio.gather(*workers)
        assert load.failures == []
        assert load.ok > 50
        seen = [c for _, c in load.commits]
        assert seen[0] == "aaa1111"
        assert seen[-1] == "bbb2222"
        # A second after the switch, old nginx workers have finished: only the new commit.
        assert {c for t, c in load.commits if t > switched_at + 1} == {"bbb2222"}

        # Roll back: traffic is on the old commit again within 5 seconds.
        started = time.monotonic()
        rollback = await asyncio.create_subprocess_exec(
            "bash",
            str(BLUEGREEN),
            "rollback",
            env=site.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await rollback.communicate()
        assert rollback.returncode == 0, err.decode()
        while await _commit_via_nginx(client) != "aaa1111":
            assert time.monotonic() - started < 5, "rollback took longer than 5 s"
            await asyncio.sleep(0.02)
        assert time.monotonic() - started < 5

        # A colour that is down is never switched to; traffic stays where it is.
        green_port = site.env["GREEN_PORT"]
        await asyncio.to_thread(
            subprocess.run, ["bash", str(INSTANCE), "stop", green_port], env=site.env, check=True
        )
        status = (await asyncio.to_thread(site.bluegreen, "status")).stdout
        colour_down = "green" if f"port={green_port} readyz=000" in status else None
        assert colour_down == "green", status
        refused = await asyncio.to_thread(site.bluegreen, "switch", "green", check=False)
        assert refused.returncode != 0
        assert "not ready" in refused.stderr
        assert await _commit_via_nginx(client) == "aaa1111"
        assert (await client.get("/api/v1/items")).status_code == 200
    finally:
        await client.aclose()


async def test_nginx_serves_the_ui_with_the_right_cache_headers(site: Site):
    await asyncio.to_thread(site.bluegreen, "deploy", str(site.releases["aaa1111"]), "aaa1111")
    async with httpx.AsyncClient(base_url=site.url) as client:
        index = await client.get("/inbounds/123")  # a client-side route
        assert index.status_code == 200
        assert index.headers["cache-control"] == "no-cache"
        asset = await client.get("/assets/app.123abc.js")
        assert "immutable" in asset.headers["cache-control"]
        assert "max-age=31536000" in asset.headers["cache-control"]
        api = await client.get("/api/v1/items")
        assert api.status_code == 401
        assert api.headers["content-type"].startswith("application/problem+json")
        assert api.headers.get_list("x-content-type-options") == ["nosniff"]
        assert "frame-ancestors 'none'" in api.headers["content-security-policy"]
        assert "server" not in api.headers or "nginx/" not in api.headers["server"]
        assert (await client.get("/healthz")).json()["engine"]["commit"] == "aaa1111"


async def test_deploy_script_installs_a_stamped_release_and_switches_to_it(site: Site):
    git = await asyncio.to_thread(
        subprocess.run,
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    commit = git.stdout.strip()
    env = {**site.env, "SKIP_WEB": "1", "ERP_ENV_FILE": site.env["ERP_ENV_FILE"]}
    result = await asyncio.to_thread(
        subprocess.run,
        ["bash", str(ROOT / "deploy" / "deploy.sh"), str(site.tmp)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    release = site.tmp / "releases" / commit
    assert (release / ".venv" / "bin" / "erp").exists()
    assert (release / "release.env").read_text() == f"ENGINE_COMMIT_SHA={commit}\n"
    assert (site.tmp / "current").resolve() == release.resolve()
    async with httpx.AsyncClient(base_url=site.url) as client:
        health = (await client.get("/readyz")).json()
    assert health["engine"]["commit"] == commit
    assert health["schema_ok"] is True
