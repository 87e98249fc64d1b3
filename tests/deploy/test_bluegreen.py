"""Blue-green deployment through real nginx: zero failed requests, rollback, refusal.

Real nginx (Debian's) runs unprivileged on a loopback port with the shipped config
rendered by deploy/render-nginx.sh; two real `erp serve` instances (the colours) share one
PostgreSQL database; deploy/bluegreen.sh switches between them while a bounded load of reads
and writes runs through nginx.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from erp_engine.db.migrate import upgrade
from tests.deploy.releases import NEXT_REVISION, next_release_code
from tests.support.postgres import create_database, drop_database
from tests.support.server import erp, free_port

ROOT = Path(__file__).resolve().parents[2]
BLUEGREEN = ROOT / "deploy" / "bluegreen.sh"
INSTANCE = ROOT / "tests" / "deploy" / "instance.sh"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "deploy-test-pass-1"
LOAD_CLIENTS = 6
MAX_REQUESTS = 6000

# No skip when nginx is missing: .ci/run installs it, and a deploy test that quietly does
# not run proves nothing.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]

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
    database_url: str
    releases: dict[str, Path] = field(default_factory=dict)

    @property
    def state(self) -> Path:
        return Path(self.env["ERP_STATE_DIR"])

    def port(self, colour: str) -> str:
        return self.env["BLUE_PORT" if colour == "blue" else "GREEN_PORT"]

    def instance(self, action: str, colour: str) -> None:
        subprocess.run(["bash", str(INSTANCE), action, self.port(colour)], env=self.env, check=True)

    def enabled(self) -> set[str]:
        return {c for c in ("blue", "green") if (self.state / f"enabled-{self.port(c)}").exists()}

    def current(self) -> str:
        return (self.tmp / "current").resolve().name

    def bluegreen(self, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["bash", str(BLUEGREEN), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert not check or result.returncode == 0, result.stderr
        return result


def _release(tmp: Path, commit: str, *, env: str = "") -> Path:
    """A release: its stamp, and a web UI of its own (index.html and one hashed asset that
    name the commit), so a response shows which release's files nginx served."""
    release = tmp / "releases" / commit
    assets = release / "web" / "dist" / "assets"
    assets.mkdir(parents=True)
    (release / "release.env").write_text(f"ENGINE_COMMIT_SHA={commit}\n{env}")
    (assets.parent / "index.html").write_text(
        f'<!doctype html><title>ERP {commit}</title><script src="/assets/app.{commit}.js">'
    )
    (assets / f"app.{commit}.js").write_text(f"console.log('{commit}')")
    return release


@pytest.fixture
def site(tmp_path: Path):
    assert Path(NGINX).exists(), "nginx is not installed (.ci/run installs nginx-light)"
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
    # WEB_ROOT serves only until the first switch; then each release's own web/dist.
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>ERP before any release</title>")
    nginx_port, blue, green = free_port(), free_port(), free_port()
    upstream = tmp_path / "upstream.conf"
    upstream.write_text(f"server 127.0.0.1:{blue};\n")
    # As the guide installs it: empty until bluegreen.sh writes the live release's (the
    # default place for render-nginx.sh and bluegreen.sh alike: beside the upstream file).
    (tmp_path / "release.conf").write_text("")
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
            "SNIPPETS_DIR": str(ROOT / "deploy" / "nginx"),
        },
    ).stdout
    (tmp_path / "erp.conf").write_text(rendered)
    (tmp_path / "nginx.conf").write_text(NGINX_MAIN.format(tmp=tmp_path))
    nginx = f"{NGINX} -p {tmp_path} -c {tmp_path / 'nginx.conf'}"
    subprocess.run(f"{nginx} -t -q", shell=True, check=True)  # noqa: S602 - fixed test command
    subprocess.run(nginx, shell=True, check=True)  # noqa: S602
    state = tmp_path / "state"
    instance = f"bash {INSTANCE}"
    env = {
        **os.environ,
        "ERP_HOME": str(tmp_path),
        "ERP_STATE_DIR": str(state),
        "ERP_UPSTREAM_FILE": str(upstream),
        "ERP_NGINX_RELOAD": f"{nginx} -t -q && {nginx} -s reload",
        "ERP_START": f"{instance} start {{port}}",
        "ERP_STOP": f"{instance} stop {{port}}",
        "ERP_ENABLE": f"{instance} enable {{port}}",
        "ERP_DISABLE": f"{instance} disable {{port}}",
        "ERP_RELAY_RESTART": f"touch {state}/relay-restarted",
        "ERP_ENV_FILE": str(env_file),
        "ERP_PYTHON": sys.executable,
        "BLUE_PORT": str(blue),
        "GREEN_PORT": str(green),
        "DRAIN_SECONDS": "30",
        "READY_TIMEOUT": "90",
        "ERP_SITE_URL": f"http://127.0.0.1:{nginx_port}",
    }
    site = Site(tmp_path, f"http://127.0.0.1:{nginx_port}", env, database_url)
    site.releases = {c: _release(tmp_path, c) for c in ("aaa1111", "bbb2222")}
    try:
        yield site
    finally:
        for reap in state.glob("reap-*"):
            pid = reap.read_text().split()[0]
            subprocess.run(["kill", "-TERM", "--", f"-{pid}"], check=False)
        for port in (blue, green):
            subprocess.run(["bash", str(INSTANCE), "stop", str(port)], env=env, check=False)
        subprocess.run(f"{nginx} -s quit", shell=True, check=False)  # noqa: S602
        drop_database(name)


def _migrate_with(release: Path, database_url: str) -> None:
    """What deploy.sh does before the switch: the new release's `erp migrate`."""
    subprocess.run(
        [sys.executable, "-m", "erp_engine", "migrate"],
        env={**os.environ, "PYTHONPATH": str(release / "src"), "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
        timeout=120,
    )


@dataclass
class Load:
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    commits: list[tuple[float, str]] = field(default_factory=list)
    # Set once `expected` has answered for a second after `switched_at`.
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    expected: str | None = None
    switched_at: float | None = None

    def expect(self, commit: str) -> None:
        self.settled.clear()
        self.expected, self.switched_at = commit, time.monotonic()

    def seen_since(self, moment: float) -> set[str]:
        return {c for t, c in self.commits if t > moment}


async def _client(base_url: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    token = (
        await client.post(
            "/api/v1/auth/login", json={"email": "ops@test.example", "password": PASSWORD}
        )
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


# How the keep-alive race of an nginx reload shows: its old workers close idle client
# connections, and a request sent on one at that moment meets the close (EOF) or, when its
# bytes had already arrived, a reset.
RELOAD_RACE = (httpx.RemoteProtocolError, httpx.ReadError)


async def _send_retrying(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Sends REQUEST, once more like a browser would only when the connection failed before
    any response byte (the reload race). A failure once the headers are in is not retried."""
    try:
        response = await client.send(request, stream=True)
    except RELOAD_RACE:
        response = await client.send(request, stream=True)
    await response.aread()
    return response


async def _send(client: httpx.AsyncClient, n: int, body: dict) -> tuple[httpx.Response, int]:
    """One request of the load, a read or a write. POSTs carry an Idempotency-Key, so the
    retry of the reload race can never apply twice."""
    if n % 3 == 0:
        request = client.build_request(
            "POST", "/api/v1/inbounds", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        expected = 201
    else:
        request = client.build_request("GET", "/api/v1/items", params={"limit": 5})
        expected = 200
    return await _send_retrying(client, request), expected


async def _load(
    client: httpx.AsyncClient, stop: asyncio.Event, load: Load, body: dict, worker: int
) -> None:
    n = 0
    while not stop.is_set() and load.ok + len(load.failures) < MAX_REQUESTS:
        n += 1
        try:
            response, expected = await _send(client, n, body)
        except httpx.HTTPError as error:
            load.failures.append(f"worker {worker}: {type(error).__name__} {error}")
            continue
        if response.status_code != expected:
            load.failures.append(f"worker {worker}: {response.status_code} {response.text[:200]}")
        else:
            load.ok += 1
            now, commit = time.monotonic(), response.headers["x-engine-commit"]
            load.commits.append((now, commit))
            if commit == load.expected and load.switched_at and now > load.switched_at + 1:
                load.settled.set()


async def _commit_via_nginx(client: httpx.AsyncClient) -> str:
    response = await _send_retrying(client, client.build_request("GET", "/healthz"))
    return response.headers["x-engine-commit"]


async def _bluegreen(site: Site, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        "bash",
        str(BLUEGREEN),
        *args,
        env=site.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode == 0, err.decode()


SECURITY_HEADERS = (
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "content-security-policy",
)
ENGINE_HEADERS = ("x-engine-name", "x-engine-commit", "x-engine-schema", "x-engine-env")


def _assert_security_headers(name: str, response: httpx.Response) -> None:
    """Each security header exactly once: nginx's add_header in a location replaces the
    server's, so each location includes them, and the app's copies are hidden."""
    for header in SECURITY_HEADERS:
        assert len(response.headers.get_list(header)) == 1, (name, header)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def _static_responses(client: httpx.AsyncClient, commit: str) -> dict[str, httpx.Response]:
    """What nginx answers from disk: a client-side route, /, index.html, the release's hashed
    asset and a missing one."""
    return {
        "spa route": await client.get("/inbounds/123"),
        "index": await client.get("/"),
        "index.html": await client.get("/index.html"),
        "asset": await client.get(f"/assets/app.{commit}.js"),
        "missing asset": await client.get("/assets/nope.js"),
    }


async def _assert_static_from(site: Site, commit: str) -> None:
    """The web UI comes from the live release's files, with the X-Engine-* headers its API
    sends (commit, and the schema it serves now), a request id of its own each, and the
    cache and security headers. A new client: no keep-alive connection from before a
    reload (see _send)."""
    async with httpx.AsyncClient(base_url=site.url) as client:
        api = await client.get("/readyz")
        static = await _static_responses(client, commit)
    assert api.headers["x-engine-commit"] == commit
    for name, response in static.items():
        for header in ENGINE_HEADERS:
            assert response.headers.get_list(header) == [api.headers[header]], (name, header)
        _assert_security_headers(name, response)
    ids = [r.headers.get_list("x-request-id") for r in static.values()]
    assert all(len(i) == 1 for i in ids), ids
    assert len({i[0] for i in ids}) == len(ids), ids  # one id per response
    for name in ("spa route", "index", "index.html"):
        assert static[name].status_code == 200, name
        assert f"<title>ERP {commit}</title>" in static[name].text, name
        assert static[name].headers["cache-control"] == "no-cache", name
    asset = static["asset"]
    assert asset.text == f"console.log('{commit}')"
    assert "immutable" in asset.headers["cache-control"]
    assert "max-age=31536000" in asset.headers["cache-control"]
    assert static["missing asset"].status_code == 404


async def test_expand_migration_switch_and_rollback_without_a_failed_request(site: Site):
    """The next release migrates (expand) and is switched to under load; the rollback to the
    previous release, which now runs on the newer schema, is as clean and takes < 5 s."""
    next_release_code(site.releases["bbb2222"])
    await asyncio.to_thread(site.bluegreen, "deploy", str(site.releases["aaa1111"]), "aaa1111")
    assert site.enabled() == {"blue"}
    assert site.current() == "aaa1111"
    client = await _client(site.url)
    try:
        warehouse = (await client.get("/api/v1/warehouses")).json()["data"][0]["id"]
        item = (await client.post("/api/v1/items", json={"sku": "BG-1", "name": "x"})).json()
        body = {"warehouse_id": warehouse, "lines": [{"item_id": item["id"], "quantity": 1}]}
        assert await _commit_via_nginx(client) == "aaa1111"
        await _assert_static_from(site, "aaa1111")

        # Migrate to bbb2222's schema and deploy it while reads and writes keep flowing.
        load, stop = Load(), asyncio.Event()
        workers = [
            asyncio.create_task(_load(client, stop, load, body, n)) for n in range(LOAD_CLIENTS)
        ]
        await asyncio.to_thread(_migrate_with, site.releases["bbb2222"], site.database_url)
        await _bluegreen(site, "deploy", str(site.releases["bbb2222"]), "bbb2222")
        load.expect("bbb2222")
        switched_at = load.switched_at
        await asyncio.wait_for(load.settled.wait(), timeout=30)
        # A second after the switch, old nginx workers have finished: only the new commit.
        assert load.seen_since(switched_at + 1) == {"bbb2222"}
        await _assert_static_from(site, "bbb2222")
        assert site.enabled() == {"green"}
        assert site.current() == "bbb2222"
        assert (site.state / "relay-restarted").exists()

        # Roll back to aaa1111, whose code is older than the schema now: still under load,
        # and every response comes from aaa1111 again within 5 seconds.
        started = time.monotonic()
        await _bluegreen(site, "rollback")
        while await _commit_via_nginx(client) != "aaa1111":
            assert time.monotonic() - started < 5, "rollback took longer than 5 s"
            await asyncio.sleep(0.02)
        assert time.monotonic() - started < 5
        # The older release's files, headed with the newer schema it now serves.
        await _assert_static_from(site, "aaa1111")
        load.expect("aaa1111")
        rolled_back_at = load.switched_at
        await asyncio.wait_for(load.settled.wait(), timeout=30)
        stop.set()
        await asyncio.gather(*workers)
        assert load.failures == []
        assert load.ok > 50
        seen = [c for _, c in load.commits]
        assert seen[0] == "aaa1111"
        assert "bbb2222" in seen
        assert seen[-1] == "aaa1111"
        assert load.seen_since(rolled_back_at + 1) == {"aaa1111"}
        assert site.enabled() == {"blue"}
        assert site.current() == "aaa1111"
        health = (await client.get("/readyz")).json()
        assert health["engine"]["schema"] == NEXT_REVISION
        assert health["schema_ok"] is True
    finally:
        await client.aclose()


async def test_rollback_starts_a_stopped_colour_and_refuses_an_unready_one(site: Site):
    await asyncio.to_thread(site.bluegreen, "deploy", str(site.releases["aaa1111"]), "aaa1111")
    await asyncio.to_thread(site.bluegreen, "deploy", str(site.releases["bbb2222"]), "bbb2222")
    client = httpx.AsyncClient(base_url=site.url)
    try:
        assert await _commit_via_nginx(client) == "bbb2222"

        # After the drain the previous colour is stopped: rollback starts it again (a cold
        # start, so seconds rather than instant) and only then switches.
        await asyncio.to_thread(site.instance, "stop", "blue")
        rollback = await asyncio.to_thread(site.bluegreen, "rollback")
        assert "blue is stopped; starting it again" in rollback.stderr
        assert await _commit_via_nginx(client) == "aaa1111"
        assert site.enabled() == {"blue"}
        assert site.current() == "aaa1111"
        await _assert_static_from(site, "aaa1111")

        # A colour that is up but not ready (its database was never migrated): a deploy to
        # it gives up and stops it, and `switch` refuses it; traffic stays on blue.
        unmigrated = f"DATABASE_URL=sqlite+aiosqlite:///{site.tmp / 'unmigrated.db'}\n"
        broken = _release(site.tmp, "ccc3333", env=unmigrated)
        refused = await asyncio.to_thread(
            site.bluegreen, "deploy", str(broken), "ccc3333", check=False
        )
        assert refused.returncode != 0
        assert "cannot serve the database's schema" in refused.stderr, refused.stderr
        assert await _commit_via_nginx(client) == "aaa1111"
        await asyncio.to_thread(site.instance, "start", "green")
        deadline = time.monotonic() + 60
        while "readyz=503" not in (status := site.bluegreen("status").stdout):
            assert time.monotonic() < deadline, status
            await asyncio.sleep(0.2)
        assert f"green: port={site.port('green')} readyz=503 commit=ccc3333" in status
        refused = await asyncio.to_thread(site.bluegreen, "switch", "green", check=False)
        assert refused.returncode != 0
        assert "green is not ready" in refused.stderr
        assert await _commit_via_nginx(client) == "aaa1111"

        # A colour that is down is never switched to either.
        await asyncio.to_thread(site.instance, "stop", "green")
        refused = await asyncio.to_thread(site.bluegreen, "switch", "green", check=False)
        assert refused.returncode != 0
        assert "does not answer" in refused.stderr
        assert await _commit_via_nginx(client) == "aaa1111"
        assert site.enabled() == {"blue"}
        await _assert_static_from(site, "aaa1111")
    finally:
        await client.aclose()


async def test_nginx_serves_the_ui_with_cache_security_and_engine_headers(site: Site):
    async with httpx.AsyncClient(base_url=site.url) as client:
        # Before the first switch the release file is empty: WEB_ROOT, no release to name.
        before = await client.get("/index.html")
        assert "ERP before any release" in before.text
        assert not [h for h in before.headers if h.startswith("x-engine-")]
        _assert_security_headers("before any release", before)

        await asyncio.to_thread(site.bluegreen, "deploy", str(site.releases["aaa1111"]), "aaa1111")
        await _assert_static_from(site, "aaa1111")
        api = await client.get("/api/v1/items")
        assert api.status_code == 401
        assert api.headers["content-type"].startswith("application/problem+json")
        assert "server" not in api.headers or "nginx/" not in api.headers["server"]
        responses = {
            "api": api,
            "health": await client.get("/healthz"),
            "login": await client.post("/api/v1/auth/login", json={}),
        }
        for name, response in responses.items():
            _assert_security_headers(name, response)

        # X-Request-ID: the client's when the app would accept it, else nginx's own; the
        # app's alone on proxied responses (nginx passes the client's header on).
        traced = await client.get("/assets/app.aaa1111.js", headers={"X-Request-ID": "t-1.a:b"})
        assert traced.headers.get_list("x-request-id") == ["t-1.a:b"]
        invalid = await client.get("/", headers={"X-Request-ID": "not valid!"})
        assert re.fullmatch("[0-9a-f]{32}", invalid.headers["x-request-id"])
        proxied = await client.get("/healthz", headers={"X-Request-ID": "t-2"})
        assert proxied.headers.get_list("x-request-id") == ["t-2"]

        # A value nginx cannot carry as written (its `$` would be read as a variable): the
        # switch is refused before anything changes, files and headers included.
        odd = _release(site.tmp, "ccc3333", env="ENGINE_NAME='erp$east'\n")
        refused = await asyncio.to_thread(
            site.bluegreen, "deploy", str(odd), "ccc3333", check=False
        )
        assert refused.returncode != 0
        assert "x-engine-name: 'erp$east' cannot be written into nginx config" in refused.stderr
        assert await _commit_via_nginx(client) == "aaa1111"
        await _assert_static_from(site, "aaa1111")

        # ENGINE_HEADERS=false: the app hides its X-Engine-* headers, and so does nginx for
        # the release's static files; the request id stays.
        hidden = _release(site.tmp, "ddd4444", env="ENGINE_HEADERS=false\n")
        await asyncio.to_thread(site.bluegreen, "deploy", str(hidden), "ddd4444")
        health = await client.get("/healthz")
        assert health.json()["engine"]["commit"] == "ddd4444"
        static = await _static_responses(client, "ddd4444")
        assert "<title>ERP ddd4444</title>" in static["index.html"].text
        for name, response in {"health": health, **static}.items():
            assert not [h for h in response.headers if h.startswith("x-engine-")], name
            assert len(response.headers.get_list("x-request-id")) == 1, name
            _assert_security_headers(name, response)


def test_runs_do_not_overlap_and_a_refused_reload_changes_nothing(site: Site):
    site.bluegreen("deploy", str(site.releases["aaa1111"]), "aaa1111")
    upstream = Path(site.env["ERP_UPSTREAM_FILE"])
    release_file = upstream.parent / "release.conf"
    before = upstream.read_text(), release_file.read_text()
    assert f'root "{site.releases["aaa1111"]}/web/dist";' in before[1]
    # Another run holds the lock: this one refuses rather than racing it.
    lock = site.state / "bluegreen.lock"
    holder = subprocess.Popen(
        ["flock", str(lock), "-c", "echo locked; sleep 30"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so the sleep holding the lock ends with it
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = site.bluegreen("switch", "blue", check=False)
        assert refused.returncode != 0
        assert "another bluegreen.sh run is in progress" in refused.stderr
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    # nginx refuses the reload: the upstream file goes back to what nginx still serves.
    refused = site.bluegreen("switch", "blue", check=False, ERP_NGINX_RELOAD="false")
    assert refused.returncode != 0
    assert "nginx refused the reload" in refused.stderr
    assert (upstream.read_text(), release_file.read_text()) == before
    assert not list(upstream.parent.glob("upstream.conf.*"))
    assert not list(upstream.parent.glob("release.conf.*"))


def _ssh_and_rsync_to_this_machine(directory: Path) -> Path:
    """`ssh HOST CMD` runs CMD here; `rsync ... HOST:PATH` copies to PATH here."""
    directory.mkdir()
    (directory / "ssh").write_text('#!/bin/bash\nshift\nexec bash -c "$*"\n')
    (directory / "rsync").write_text(
        "#!/bin/bash\n"
        'args=(); for a in "$@"; do case "$a" in -*) args+=("$a") ;; *:*) args+=("${a#*:}") ;;'
        ' *) args+=("$a") ;; esac; done\n'
        f'exec {shutil.which("rsync") or "/usr/bin/rsync"} "${{args[@]}}"\n'
    )
    for shim in ("ssh", "rsync"):
        (directory / shim).chmod(0o755)
    return directory


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
    # DEPLOY_REF pins the commit: others may commit to this checkout while the test runs.
    env = {**site.env, "SKIP_WEB": "1", "DEPLOY_REF": commit}

    async def deploy(target: str = str(site.tmp), **extra: str) -> subprocess.CompletedProcess:
        result = await asyncio.to_thread(
            subprocess.run,
            ["bash", str(ROOT / "deploy" / "deploy.sh"), target],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result

    await deploy()
    release = site.tmp / "releases" / commit
    assert (release / ".venv" / "bin" / "erp").exists()
    assert (release / "release.env").read_text() == f"ENGINE_COMMIT_SHA={commit}\n"
    assert (site.tmp / "current").resolve() == release.resolve()
    async with httpx.AsyncClient(base_url=site.url) as client:
        health = (await client.get("/readyz")).json()
    assert health["engine"]["commit"] == commit
    assert health["schema_ok"] is True

    # The same commit again, shipped the remote way (`deploy.sh root@server:DIR`; ssh and
    # rsync reach "the server" here through stand-ins): the serving release is used as
    # installed, never deleted under the running colour, and the other colour takes over.
    marker = release / ".venv" / "serving-marker"
    marker.write_text("still here")
    shims = _ssh_and_rsync_to_this_machine(site.tmp / "shims")
    again = await deploy(f"root@server:{site.tmp}", PATH=f"{shims}:{os.environ['PATH']}")
    assert f"shipping {commit} to root@server:{site.tmp}/releases/.incoming-" in again.stderr
    assert "is serving; using it as installed" in again.stderr
    assert marker.exists()
    assert site.enabled() == {"green"}
    ports = {(site.tmp / "ports" / site.port(c)).resolve() for c in ("blue", "green")}
    assert ports == {release.resolve()}
    assert not list((site.tmp / "releases").glob(".incoming-*"))
