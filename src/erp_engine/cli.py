"""The `erp` command: serve, migrate, user, demo, check."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import signal
import sys
import tempfile
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from erp_engine.kernel.roles import Role
from erp_engine.settings import Settings, env_file_is_world_readable
from erp_engine.spreadsheets.cli import export_command, import_app

app = typer.Typer(
    help="ERP Engine: an inventory-centred ERP.", no_args_is_help=True, add_completion=False
)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(user_app, name="user")
events_app = typer.Typer(help="Watch the event stream.", no_args_is_help=True)
app.add_typer(events_app, name="events")
console = Console()
err = Console(stderr=True)
APP = "erp_engine.api.app:create_app"  # uvicorn imports it in each worker process


def _settings() -> Settings:
    return Settings()


def _uow_factory(settings: Settings):
    from erp_engine.db.engine import create_engine, create_session_factories
    from erp_engine.uow import UnitOfWork

    engine = create_engine(settings)
    write, _ = create_session_factories(engine)
    return engine, (lambda: UnitOfWork(write))


def _worker_count(workers: str | None, settings: Settings) -> int:
    if workers is None:
        workers = "1" if settings.is_sqlite else "auto"
    if workers == "auto":
        return (os.cpu_count() or 1) * 2 + 1
    if not workers.isdigit() or int(workers) < 1:
        raise typer.BadParameter("use a positive number or 'auto'", param_hint="--workers")
    return int(workers)


def _refuse_unsafe_production(settings: Settings) -> None:
    if not settings.is_production:
        return
    problems = settings.production_problems()
    if problems:
        for problem in problems:
            err.print(f"[red]refusing to start in production:[/] {problem}")
        raise typer.Exit(2)
    if env_file_is_world_readable():
        err.print("[yellow]warning:[/] .env is readable by other users; chmod 600 .env")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[
        str | None,
        typer.Option(
            help="worker processes: a number or 'auto' (cores × 2 + 1); 1 on SQLite by default"
        ),
    ] = None,
    reload: Annotated[bool, typer.Option(help="restart on code changes (development)")] = False,
) -> None:
    """Serve the API and web UI."""
    import uvicorn

    settings = _settings()
    _refuse_unsafe_production(settings)
    count = 1 if reload else _worker_count(workers, settings)
    if count > 1 and not settings.redis_url and settings.rate_limit_enabled:
        err.print(
            f"[yellow]warning:[/] {count} workers without REDIS_URL: rate limits are "
            f"counted per worker (up to {count}× the configured limits)"
        )
    if count > 1 and settings.is_sqlite:
        err.print(
            "[yellow]warning:[/] several workers on SQLite queue on one write lock; "
            "use PostgreSQL for concurrency"
        )
    if not settings.is_sqlite:
        _warn_if_connections_run_short(settings, count)
    console.print(
        f"ERP Engine on http://{host}:{port} ({count} worker(s), "
        f"{'SQLite' if settings.is_sqlite else 'PostgreSQL'})"
    )
    if count > 1:
        _share_metrics_between_workers()
    options = dict(
        factory=True,
        host=host,
        port=port,
        server_header=False,
        # Off: uvicorn would believe X-Forwarded-For/-Proto from 127.0.0.1 whatever
        # TRUSTED_PROXIES says. RequestContextMiddleware reads them, from trusted peers only.
        proxy_headers=False,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=20,
        access_log=False,  # one structured line per request comes from the app itself
    )
    if count > 1:
        from erp_engine.ops.balanced_accept import serve_balanced

        serve_balanced(uvicorn.Config(APP, workers=count, **options))
    else:
        uvicorn.run(APP, reload=reload, **options)


def _warn_if_connections_run_short(settings: Settings, workers: int) -> None:
    from erp_engine.db.budget import connection_budget

    budget = asyncio.run(connection_budget(settings, workers))
    shortfall = budget and budget.shortfall()
    if shortfall:
        err.print(f"[yellow]warning:[/] {shortfall}")


def _share_metrics_between_workers() -> None:
    """Point prometheus-client's multiprocess mode at a fresh directory for this server."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        directory = tempfile.mkdtemp(prefix="erp-metrics-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


@app.command()
def migrate(
    check: Annotated[
        bool, typer.Option("--check", help="exit 1 if the database is behind")
    ] = False,
) -> None:
    """Apply database migrations (or only check whether any are pending)."""
    from erp_engine.db import migrate as migrations

    settings = _settings()
    head = migrations.head_revision()
    current = asyncio.run(_current_revision(settings))
    if check:
        if current != head:
            err.print(f"database is at {current or 'nothing'}, code expects {head}")
            raise typer.Exit(1)
        console.print(f"database is up to date ({head})")
        return
    migrations.upgrade(settings.database_url)
    console.print(f"database migrated to {head}")


async def _current_revision(settings: Settings) -> str | None:
    from erp_engine.db.engine import create_engine
    from erp_engine.db.migrate import current_revision

    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            return await current_revision(connection)
    finally:
        await engine.dispose()


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="login email")],
    name: Annotated[str, typer.Option(help="display name")],
    role: Annotated[Role, typer.Option(help="viewer, staff, manager or admin")],
    password: Annotated[str | None, typer.Option(help="prompted for when omitted")] = None,
) -> None:
    """Create a user."""
    from erp_engine.errors import DomainError
    from erp_engine.identity import service

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def run():
        engine, uow = _uow_factory(_settings())
        try:
            return await service.create_user(
                uow(), email=email, name=name, role=role, password=password
            )
        finally:
            await engine.dispose()

    try:
        user = asyncio.run(run())
    except DomainError as error:
        err.print(f"[red]{error.detail}[/]")
        raise typer.Exit(1) from error
    console.print(f"created {user.role} {user.email} ({user.id})")


@app.command()
def demo(
    items: Annotated[int, typer.Option(help="extra generated items, for large data sets")] = 0,
) -> None:
    """Load demo data once (two engines, items, warehouses, documents, a demo admin)."""
    if _settings().is_production:
        err.print("[red]refusing to load demo data (and a demo admin) in production[/]")
        raise typer.Exit(2)
    from erp_engine.demo import DEMO_ADMIN_EMAIL, load_demo

    async def run():
        engine, uow = _uow_factory(_settings())
        try:
            with Progress(
                TextColumn("extra items"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                disable=items == 0,
            ) as progress:
                task = progress.add_task("items", total=items)
                return await load_demo(
                    uow, extra_items=items, progress=lambda n: progress.advance(task, n)
                )
        finally:
            await engine.dispose()

    result = asyncio.run(run())
    if not result.loaded:
        console.print("demo data already loaded; nothing to do")
        return
    console.print(f"demo data loaded ({result.items} items)")
    if result.admin_password:
        console.print("\n[bold]Demo admin login (shown once, keep it):[/]")
        console.print(f"  email:    {DEMO_ADMIN_EMAIL}")
        console.print(f"  password: {result.admin_password}\n")


@app.command()
def check(
    url: Annotated[str, typer.Argument(help="base URL or health URL, e.g. http://127.0.0.1:8000")],
    timeout: Annotated[float, typer.Option(help="seconds to wait")] = 5.0,
) -> None:
    """Probe a server's health: exit 0 when healthy, 1 otherwise (for cron and monitors)."""
    target = (
        url
        if url.rstrip("/").endswith(("/healthz", "/readyz", "/health"))
        else (url.rstrip("/") + "/healthz")
    )
    # Plain output, one line: a Rich console wraps at 80 columns when piped (cron, monitors).
    try:
        response = httpx.get(target, timeout=timeout)
        if response.is_redirect:
            # Typically nginx's http -> https redirect after TLS was added: follow it once.
            target = str(response.next_request.url) if response.next_request else target
            response = httpx.get(target, timeout=timeout)
        if response.is_redirect:
            location = response.headers.get("location", "?")
            typer.echo(f"unhealthy {target}: http={response.status_code} redirects to {location}")
            raise typer.Exit(1)
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        reason = str(error).splitlines()[0][:160] if str(error) else ""
        typer.echo(f"unhealthy {target}: {type(error).__name__}{': ' + reason if reason else ''}")
        raise typer.Exit(1) from error
    engine = body.get("engine", {})
    line = (
        f"{body.get('status')} {target} http={response.status_code} "
        f"db={body.get('database')} commit={engine.get('commit')} "
        f"schema={engine.get('schema')} schema_ok={body.get('schema_ok')}"
    )
    typer.echo(line)
    if response.status_code != 200:
        raise typer.Exit(1)


@app.command("outbox-relay")
def outbox_relay() -> None:
    """Publish the outbox to NATS JetStream (when NATS_URL is set) and deliver webhooks."""
    from erp_engine.ops.logging import configure_logging, redact
    from erp_engine.ops.workers import run_workers

    settings = _settings()
    configure_logging(settings)
    if not settings.nats_url:
        err.print("[yellow]NATS_URL is not set:[/] delivering webhooks only")
    if settings.relay_metrics_address:
        from erp_engine.ops.metrics import serve_relay_metrics

        try:
            serve_relay_metrics(settings.relay_metrics_address)
        except (OSError, ValueError) as error:
            err.print(f"warning: no relay metrics: {error}", markup=False, style="yellow")

    async def run():
        from erp_engine.ops.metrics import track_pool

        engine, uow = _uow_factory(settings)
        track_pool(engine)  # the relay's connections count in max_connections too
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await run_workers(uow, settings, stop=stop)
        finally:
            await engine.dispose()

    nats = redact(settings.nats_url) if settings.nats_url else "off"
    console.print(
        f"outbox relay running (NATS: {nats}); Ctrl+C stops",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    asyncio.run(run())


@events_app.command("tail")
def events_tail(
    subject: Annotated[str, typer.Option(help="subject filter")] = "erp.events.>",
    count: Annotated[int, typer.Option(help="stop after this many (0 = follow forever)")] = 0,
    new_only: Annotated[bool, typer.Option("--new", help="only events from now on")] = False,
) -> None:
    """Print events from NATS JetStream as they arrive (needs NATS_URL)."""
    from erp_engine.events.relay import StreamLimits
    from erp_engine.events.tail import tail
    from erp_engine.ops.logging import redact

    settings = _settings()
    if not settings.nats_url:
        err.print("[red]NATS_URL is not set[/]")
        raise typer.Exit(2)

    def show(event: dict) -> None:
        console.print(
            f"{event['occurred_at']}  {event['type']:<22} {event['entity_type']} "
            f"{event['entity_id']}  {event['id']}",
            highlight=False,
            soft_wrap=True,
        )

    limits = StreamLimits.from_settings(settings)
    try:
        asyncio.run(
            tail(settings.nats_url, subject, show, limits=limits, count=count, new_only=new_only)
        )
    except TimeoutError as error:
        err.print(f"cannot reach NATS at {redact(settings.nats_url)}", markup=False, style="red")
        raise typer.Exit(1) from error


app.add_typer(import_app, name="import")
app.command("export")(export_command)


def main() -> None:
    app(prog_name="erp")


if __name__ == "__main__":
    main()
    sys.exit(0)
