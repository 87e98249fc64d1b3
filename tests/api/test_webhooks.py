"""Webhooks: admin-only subscriptions, no server-side request forgery, signed deliveries that
are retried with exponential back-off, given up on, logged, and that disable a failing hook.

Deliveries go to a real HTTP receiver on 127.0.0.1 (allowed through WEBHOOK_ALLOWED_HOSTS
on an app of its own). The dispatcher is driven one round at a time with an explicit `now`,
so back-off is checked without waiting for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from erp_engine.api.app import create_app
from erp_engine.events.model import OutboxEvent, WebhookCursor
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.roles import Role
from erp_engine.ops.model import IdempotencyRecord
from erp_engine.settings import Settings
from erp_engine.webhooks import targets
from erp_engine.webhooks.delivery import HttpSender
from erp_engine.webhooks.model import WebhookDelivery
from erp_engine.webhooks.service import (
    CURSOR_NAME,
    attempt_lease,
    claim_batches,
    dispatch_once,
    enqueue_deliveries,
)
from erp_engine.webhooks.worker import run_dispatcher
from tests.api.test_conventions import assert_problem, error_fields
from tests.api.test_events_feed import running_transactions
from tests.support.api import Api
from tests.support.waiting import wait_until

HOOKS = "/api/v1/webhooks"
SECRET = "receiver-secret-0123456789"
ADMIN = Role.ADMIN


# A local receiver -------------------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A threaded HTTP server that records every request and answers chosen statuses."""

    def __init__(self):
        self.requests: list[Received] = []
        self.statuses: list[int] = []  # answered in turn; then `default`
        self.default = 200
        self.held: set[str] = set()  # paths whose answer waits until `release` is set
        self.release = threading.Event()
        self.drip_s = 0.0  # seconds between the bytes of a dripping answer (path /drip)
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with receiver._lock:
                    receiver.requests.append(
                        Received(self.command, self.path, dict(self.headers.items()), body)
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                if self.path in receiver.held:
                    receiver.release.wait(timeout=60)
                if self.path == "/drip":
                    self._drip()
                    return
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url("/elsewhere"))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def _drip(self) -> None:
                """A 200 whose body comes a byte at a time, each in time for a read timeout."""
                body = b"x" * 20
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for byte in body:
                    time.sleep(receiver.drip_s)
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return  # the sender gave up: what this answer is for

            do_POST = do_GET = _record

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def answer(self, *statuses: int, default: int | None = None) -> None:
        with self._lock:
            self.statuses = list(statuses)
            if default is not None:
                self.default = default

    def posts(self, path: str = "/hook") -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture(scope="module")
async def loopback_app(settings: Settings):
    """The app with 127.0.0.1 in WEBHOOK_ALLOWED_HOSTS (the shared app allows nothing)."""
    application = create_app(settings.model_copy(update={"webhook_allowed_hosts": ["127.0.0.1"]}))
    yield application
    await application.state.db_engine.dispose()


@pytest.fixture
async def hooks(loopback_app, clean, tokens) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=loopback_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, tokens)


def policy(settings: Settings, **overrides) -> Settings:
    values = {
        "webhook_max_attempts": 8,
        "webhook_retry_base_s": 10.0,
        "webhook_disable_after": 100,
        **overrides,
    }
    return settings.model_copy(update=values)


async def create_hook(
    hooks: Api, receiver: Receiver, events=("item.*",), path: str = "/hook", **fields
) -> dict:
    body = {"url": receiver.url(path), "events": list(events), "secret": SECRET, **fields}
    return await hooks.ok("POST", HOOKS, 201, json=body, role=ADMIN)


async def delivery_count(uow_factory) -> int:
    async with uow_factory() as uow:
        return await uow.session.scalar(select(func.count()).select_from(WebhookDelivery))


async def enqueue(uow_factory, expected: int, within: float = 60) -> None:
    """Turn committed events into deliveries until `expected` exist. On PostgreSQL the feed
    waits for transactions still running anywhere on the server, so this polls."""
    deadline = time.monotonic() + within
    while await delivery_count(uow_factory) < expected:
        if time.monotonic() > deadline:
            raise AssertionError(
                "the events never became deliveries; transactions holding the feed back: "
                f"{await running_transactions()}"
            )
        if not await enqueue_deliveries(uow_factory()):
            await asyncio.sleep(0.05)
    assert await delivery_count(uow_factory) == expected


async def enqueue_all(uow_factory, within: float = 60) -> None:
    """Run the enqueuer until it has read up to the newest committed event."""
    deadline = time.monotonic() + within
    while True:
        await enqueue_deliveries(uow_factory())
        async with uow_factory() as uow:
            newest = await uow.session.scalar(select(func.max(OutboxEvent.position)))
            read = await uow.session.scalar(
                select(WebhookCursor.position).where(WebhookCursor.name == CURSOR_NAME)
            )
        if read == newest:
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                "the enqueuer never caught up; transactions holding the feed back: "
                f"{await running_transactions()}"
            )
        await asyncio.sleep(0.05)


async def dispatch(
    uow_factory,
    now: datetime,
    settings: Settings,
    allowed_hosts: tuple[str, ...] = ("127.0.0.1",),
    timeout_s: float = 5,
) -> int:
    sender = HttpSender(timeout_s=timeout_s, allowed_hosts=list(allowed_hosts))
    try:
        return await dispatch_once(uow_factory, sender, now=now, settings=settings)
    finally:
        await sender.close()


async def deliveries(hooks: Api, hook_id: str, **params) -> dict:
    return await hooks.ok("GET", f"{HOOKS}/{hook_id}/deliveries", params=params, role=ADMIN)


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


# Delivery -----------------------------------------------------------------------------------


async def test_deliveries_are_signed_with_the_secret_over_the_raw_body(
    hooks,
    receiver,
    uow_factory,
    settings,
):
    hook = await create_hook(hooks, receiver)
    assert hook["secret"] == SECRET
    other = await create_hook(hooks, receiver, events=("outbound.*",), secret=None)
    item = await hooks.item()
    await enqueue(uow_factory, 1)  # only the item.* hook wants item.created

    assert await dispatch(uow_factory, utcnow(), policy(settings)) == 1
    [request] = receiver.posts()
    assert request.method == "POST"
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-ERP-Signature"] == f"sha256={expected}"
    wrong = hmac.new(other["secret"].encode(), request.body, hashlib.sha256).hexdigest()
    assert wrong != expected
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-ERP-Event"] == "item.created"
    body = json.loads(request.body)
    assert set(body) == {"id", "type", "occurred_at", "entity_type", "entity_id", "data"}
    assert (body["type"], body["entity_type"], body["entity_id"]) == (
        "item.created",
        "item",
        item["id"],
    )
    assert body["data"]["sku"] == item["sku"]
    feed = await hooks.ok("GET", "/api/v1/events", role=ADMIN)
    assert body["id"] in {e["id"] for e in feed["data"]}

    log = await deliveries(hooks, hook["id"])
    assert log["count"] == 1
    [delivery] = log["data"]
    assert delivery["id"] == request.headers["X-ERP-Delivery"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "succeeded",
        1,
        200,
    )
    assert delivery["event_id"] == body["id"]
    assert delivery["event_type"] == "item.created"
    assert delivery["delivered_at"] is not None
    assert (await deliveries(hooks, other["id"]))["count"] == 0

    # Delivered is delivered: later rounds send nothing again.
    assert await dispatch(uow_factory, utcnow() + timedelta(days=1), policy(settings)) == 0
    assert len(receiver.posts()) == 1


async def test_a_generated_secret_is_shown_once_and_signs_deliveries(
    hooks,
    receiver,
    uow_factory,
    settings,
):
    hook = await create_hook(hooks, receiver, secret=None)
    assert len(hook["secret"]) >= 16
    shown = await hooks.ok("GET", f"{HOOKS}/{hook['id']}", role=ADMIN)
    listed = await hooks.ok("GET", HOOKS, role=ADMIN)
    assert "secret" not in shown
    assert all("secret" not in h for h in listed["data"])
    await hooks.item()
    await enqueue(uow_factory, 1)
    await dispatch(uow_factory, utcnow(), policy(settings))
    [request] = receiver.posts()
    digest = hmac.new(hook["secret"].encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-ERP-Signature"] == f"sha256={digest}"


async def test_an_idempotent_retry_of_a_creation_never_keeps_or_shows_the_secret(
    hooks, receiver, loopback_app
):
    headers = {"Idempotency-Key": "hook-1"}
    body = {"url": receiver.url(), "events": ["item.*"]}
    first = await hooks.post(HOOKS, json=body, headers=headers, role=ADMIN)
    assert first.status_code == 201, first.text
    secret = first.json()["secret"]
    async with loopback_app.state.read_sessions() as session:
        rows = (await session.execute(select(IdempotencyRecord.__table__))).all()
    assert rows
    assert all(secret not in " ".join(str(value) for value in row) for row in rows)

    retry = await hooks.post(HOOKS, json=body, headers=headers, role=ADMIN)
    assert_problem(retry, 409, "idempotency_secret_withheld")
    assert retry.headers["location"] == first.headers["location"]
    assert secret not in retry.text
    assert (await hooks.ok("GET", HOOKS, role=ADMIN))["count"] == 1


async def test_failures_are_retried_with_exponential_back_off_until_the_limit(
    hooks,
    receiver,
    uow_factory,
    settings,
):
    receiver.answer(default=500)
    rules = policy(settings, webhook_max_attempts=4, webhook_retry_base_s=10)
    hook = await create_hook(hooks, receiver)
    await hooks.item()
    await enqueue(uow_factory, 1)

    now = utcnow()
    assert await dispatch(uow_factory, now, rules) == 1
    for attempt, delay in ((2, 10), (3, 20), (4, 40)):  # base × 2^(attempts - 1)
        [delivery] = (await deliveries(hooks, hook["id"]))["data"]
        assert (delivery["status"], delivery["attempts"]) == ("pending", attempt - 1)
        assert delivery["last_status_code"] == 500
        assert when(delivery["next_attempt_at"]) == now + timedelta(seconds=delay)
        # Not a moment early ...
        early = now + timedelta(seconds=delay) - timedelta(milliseconds=1)
        assert await dispatch(uow_factory, early, rules) == 0
        assert len(receiver.posts()) == attempt - 1
        # ... and on time.
        now += timedelta(seconds=delay)
        assert await dispatch(uow_factory, now, rules) == 1
        assert len(receiver.posts()) == attempt

    [delivery] = (await deliveries(hooks, hook["id"]))["data"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "failed",
        4,
        500,
    )
    assert delivery["delivered_at"] is None
    sent_at = [when(a["attempted_at"]) for a in delivery["attempt_log"]]
    assert [(a["number"], a["status_code"]) for a in delivery["attempt_log"]] == [
        (1, 500),
        (2, 500),
        (3, 500),
        (4, 500),
    ]
    assert [later - earlier for earlier, later in itertools.pairwise(sent_at)] == [
        timedelta(seconds=delay) for delay in (10, 20, 40)
    ]
    assert await dispatch(uow_factory, now + timedelta(days=2), rules) == 0
    assert len(receiver.posts()) == 4
    failed = await deliveries(hooks, hook["id"], status="failed")
    assert failed["count"] == 1
    assert (await deliveries(hooks, hook["id"], status="pending"))["count"] == 0


async def test_a_retry_that_succeeds_ends_the_failure_streak(
    hooks,
    receiver,
    uow_factory,
    settings,
):
    receiver.answer(500, 503)
    rules = policy(settings, webhook_retry_base_s=1)
    hook = await create_hook(hooks, receiver)
    await hooks.item()
    await enqueue(uow_factory, 1)
    now = utcnow()
    await dispatch(uow_factory, now, rules)
    await dispatch(uow_factory, now + timedelta(seconds=1), rules)
    assert (await hooks.ok("GET", f"{HOOKS}/{hook['id']}", role=ADMIN))["consecutive_failures"] == 2
    await dispatch(uow_factory, now + timedelta(seconds=3), rules)
    assert [r.path for r in receiver.requests] == ["/hook"] * 3
    [delivery] = (await deliveries(hooks, hook["id"]))["data"]
    assert (delivery["status"], delivery["attempts"]) == ("succeeded", 3)
    # Every attempt is in the log, not only the last one.
    assert [(a["number"], a["status_code"], a["error"]) for a in delivery["attempt_log"]] == [
        (1, 500, None),
        (2, 503, None),
        (3, 200, None),
    ]
    assert all(a["duration_ms"] >= 0 for a in delivery["attempt_log"])
    shown = await hooks.ok("GET", f"{HOOKS}/{hook['id']}", role=ADMIN)
    assert (shown["active"], shown["consecutive_failures"]) == (True, 0)


async def test_a_hook_disables_itself_after_consecutive_failures(
    hooks,
    receiver,
    uow_factory,
    settings,
):
    receiver.answer(default=500)
    rules = policy(settings, webhook_disable_after=3, webhook_max_attempts=10)
    hook = await create_hook(hooks, receiver)
    for _ in range(3):
        await hooks.item()
    await enqueue(uow_factory, 3)
    now = utcnow()
    assert await dispatch(uow_factory, now, rules) == 3

    shown = await hooks.ok("GET", f"{HOOKS}/{hook['id']}", role=ADMIN)
    assert shown["active"] is False
    assert shown["consecutive_failures"] == 3
    assert "3" in shown["disabled_reason"]
    assert "HTTP 500" in shown["disabled_reason"]

    # Disabled means quiet: no new deliveries, and no retries of the pending ones.
    await hooks.item()
    await enqueue_all(uow_factory)  # the new event is read while the hook is off
    later = now + timedelta(days=1)
    assert await dispatch(uow_factory, later, rules) == 0
    assert len(receiver.posts()) == 3
    assert (await deliveries(hooks, hook["id"]))["count"] == 3

    # Turning it back on clears the streak and the reason, and delivery resumes.
    receiver.answer(default=200)
    await hooks.ok("PATCH", f"{HOOKS}/{hook['id']}", json={"active": True}, role=ADMIN)
    shown = await hooks.ok("GET", f"{HOOKS}/{hook['id']}", role=ADMIN)
    assert (shown["active"], shown["consecutive_failures"], shown["disabled_reason"]) == (
        True,
        0,
        None,
    )
    assert await dispatch(uow_factory, later, rules) == 3
    assert len(receiver.posts()) == 6
    assert (await deliveries(hooks, hook["id"], status="succeeded"))["count"] == 3


async def test_redirects_are_not_followed(hooks, receiver, uow_factory, settings):
    receiver.answer(302)
    hook = await create_hook(hooks, receiver)
    await hooks.item()
    await enqueue(uow_factory, 1)
    assert await dispatch(uow_factory, utcnow(), policy(settings)) == 1
    assert [(r.method, r.path) for r in receiver.requests] == [("POST", "/hook")]
    assert receiver.posts("/elsewhere") == []
    [delivery] = (await deliveries(hooks, hook["id"]))["data"]
    assert (delivery["status"], delivery["last_status_code"]) == ("pending", 302)
    assert "redirect" in delivery["last_error"].lower()


async def test_the_target_is_checked_again_when_sending(hooks, receiver, uow_factory, settings):
    hook = await create_hook(hooks, receiver)
    await hooks.item()
    await enqueue(uow_factory, 1)
    # A dispatcher that does not allow loopback refuses to send, even to a saved hook.
    assert await dispatch(uow_factory, utcnow(), policy(settings), allowed_hosts=()) == 1
    assert receiver.requests == []
    [delivery] = (await deliveries(hooks, hook["id"]))["data"]
    assert delivery["status"] == "pending"
    assert delivery["last_status_code"] is None
    assert "internal" in delivery["last_error"].lower()
    [attempt] = delivery["attempt_log"]
    assert (attempt["status_code"], attempt["error"]) == (None, delivery["last_error"])


async def test_the_delivery_log_pages_and_belongs_to_its_hook(
    hooks, receiver, uow_factory, settings
):
    hook = await create_hook(hooks, receiver)
    for _ in range(3):
        await hooks.item()
    await enqueue(uow_factory, 3)
    page = await deliveries(hooks, hook["id"], limit=2)
    assert (page["count"], len(page["data"]), page["limit"]) == (3, 2, 2)
    assert {d["status"] for d in page["data"]} == {"pending"}
    assert all(d["webhook_id"] == hook["id"] for d in page["data"])
    missing = await hooks.get(
        f"{HOOKS}/00000000-0000-4000-8000-000000000000/deliveries", role=ADMIN
    )
    assert_problem(missing, 404, "not_found")


# Several endpoints, several dispatchers -----------------------------------------------------


def running(uow_factory, rules: Settings, stop: asyncio.Event) -> asyncio.Task:
    return asyncio.create_task(run_dispatcher(uow_factory, rules, stop=stop, idle_s=0.02))


async def test_a_dead_endpoint_does_not_hold_up_the_others(hooks, receiver, uow_factory, settings):
    receiver.held.add("/dead")  # takes the request, then answers nothing until released
    dead = await create_hook(hooks, receiver, events=("warehouse.*",), path="/dead")
    alive = await create_hook(hooks, receiver)
    await hooks.ok("POST", "/api/v1/warehouses", 201, json={"code": "WEST", "name": "West"})
    await hooks.item()  # its delivery is due after the dead endpoint's one
    await enqueue(uow_factory, 2)
    rules = policy(settings, webhook_allowed_hosts=["127.0.0.1"], webhook_timeout_s=60)
    stop = asyncio.Event()
    dispatcher = running(uow_factory, rules, stop)
    try:
        await wait_until(lambda: _has_posts(receiver, "/hook"), "the live endpoint's delivery")
        # Both requests go out at once; the receiver's thread for /dead may record it after
        # /hook's. Held, it is not answered until `release` whenever it arrives.
        await wait_until(lambda: _has_posts(receiver, "/dead"), "the dead endpoint's request")
        assert len(receiver.posts("/dead")) == 1  # taken, still waiting for its answer
        [waiting] = (await deliveries(hooks, dead["id"]))["data"]
        assert (waiting["status"], waiting["attempts"]) == ("pending", 0)
        receiver.release.set()
        await wait_until(
            lambda: _all_succeeded(hooks, dead["id"]), "the dead endpoint to answer at last"
        )
    finally:
        receiver.release.set()
        stop.set()
        await asyncio.wait_for(dispatcher, timeout=60)
    [delivered] = (await deliveries(hooks, alive["id"]))["data"]
    assert delivered["status"] == "succeeded"


async def _has_posts(receiver: Receiver, path: str) -> bool:
    return bool(receiver.posts(path))


async def _all_succeeded(hooks: Api, hook_id: str) -> bool:
    log = await deliveries(hooks, hook_id)
    return log["count"] > 0 and {d["status"] for d in log["data"]} == {"succeeded"}


async def test_a_claimed_batch_stays_leased_until_it_can_have_been_sent(
    hooks, receiver, uow_factory, settings
):
    await create_hook(hooks, receiver)
    for _ in range(3):
        await hooks.item()
    await enqueue(uow_factory, 3)
    rules = policy(settings, webhook_timeout_s=100)
    now = utcnow()
    [batch] = await claim_batches(uow_factory(), now=now, settings=rules, endpoints=8)
    assert len(batch) == 3
    # Three attempts of up to 100 s each: nobody else takes any of them before they can
    # all have been sent, nor a later delivery of the same endpoint (order per endpoint).
    await hooks.item()
    await enqueue(uow_factory, 4)
    last_lease_ends = now + 3 * attempt_lease(rules)
    almost = last_lease_ends - timedelta(seconds=1)
    assert await claim_batches(uow_factory(), now=almost, settings=rules, endpoints=8) == []
    # A dispatcher that died meanwhile: its leases end and another sends them, in order.
    [again] = await claim_batches(uow_factory(), now=last_lease_ends, settings=rules, endpoints=8)
    assert [a.delivery_id for a in again[:3]] == [a.delivery_id for a in batch]
    assert len(again) == 4


async def test_two_dispatchers_send_each_delivery_once_and_each_endpoint_in_order(
    hooks, receiver, uow_factory, settings
):
    paths = ["/a", "/b", "/c"]
    ids = [(await create_hook(hooks, receiver, path=path))["id"] for path in paths]
    for _ in range(6):
        await hooks.item()
    await enqueue(uow_factory, 18)
    succeeded = REGISTRY.get_sample_value("erp_webhook_attempts_total", {"result": "succeeded"})
    rules = policy(settings, webhook_allowed_hosts=["127.0.0.1"], webhook_concurrency=2)
    stop = asyncio.Event()
    dispatchers = [running(uow_factory, rules, stop) for _ in range(2)]
    try:
        for hook_id in ids:
            await wait_until(lambda h=hook_id: _all_succeeded(hooks, h), "every delivery")
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*dispatchers), timeout=60)
    sent = [r.headers["X-ERP-Delivery"] for r in receiver.requests]
    assert len(sent) == len(set(sent)) == 18
    for path in paths:
        occurred = [json.loads(r.body)["occurred_at"] for r in receiver.posts(path)]
        assert occurred == sorted(occurred)
    after = REGISTRY.get_sample_value("erp_webhook_attempts_total", {"result": "succeeded"})
    assert after - (succeeded or 0) == 18


async def test_a_slowly_dripping_answer_is_cut_off_at_the_timeout(
    hooks, receiver, uow_factory, settings
):
    receiver.drip_s = 0.2  # 20 bytes over 4 s; no single read waits anywhere near 1 s
    hook = await create_hook(hooks, receiver, path="/drip")
    await hooks.item()
    await enqueue(uow_factory, 1)
    assert await dispatch(uow_factory, utcnow(), policy(settings), timeout_s=1) == 1
    [delivery] = (await deliveries(hooks, hook["id"]))["data"]
    assert (delivery["status"], delivery["last_status_code"]) == ("pending", None)
    assert delivery["last_error"] == "No answer within 1 s."


class Resolver:
    """getaddrinfo for the name `hook.test`: the given answers in turn (the last repeats)."""

    NAME = "hook.test"

    def __init__(self, *answers: str):
        self.answers = list(answers)
        self.asked: list[str] = []
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        if (host.decode() if isinstance(host, bytes) else host) != self.NAME:  # anyio: bytes
            return self.real(host, port, *args, **kwargs)
        address = self.answers[min(len(self.asked), len(self.answers) - 1)]
        self.asked.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


async def test_the_request_goes_to_the_address_that_was_checked(
    hooks, receiver, uow_factory, settings, monkeypatch
):
    """DNS rebinding: the name answers an allowed address to the check and the receiver's
    (internal) address to anyone asking again; nothing may reach the receiver."""
    # 127.0.0.2 stands for a public address (nothing listens there); 127.0.0.1 is internal.
    monkeypatch.setattr(targets, "_is_internal", lambda address: address != "127.0.0.2")
    resolver = Resolver("127.0.0.2", "127.0.0.2", "127.0.0.1")
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    port = receiver.server.server_port
    hook = await hooks.ok(
        "POST",
        HOOKS,
        201,
        role=ADMIN,
        json={"url": f"http://{Resolver.NAME}:{port}/hook", "events": ["item.*"]},
    )
    await hooks.item()
    await enqueue(uow_factory, 1)
    assert await dispatch(uow_factory, utcnow(), policy(settings), allowed_hosts=()) == 1
    assert receiver.requests == []
    assert resolver.asked == ["127.0.0.2", "127.0.0.2"]  # saved, then sent: once each
    [delivery] = (await deliveries(hooks, hook["id"]))["data"]
    assert (delivery["status"], delivery["last_error"]) == ("pending", "ConnectError")


async def test_a_pinned_request_still_names_its_host(
    hooks, receiver, uow_factory, settings, monkeypatch
):
    monkeypatch.setattr(targets, "_is_internal", lambda address: False)
    monkeypatch.setattr(socket, "getaddrinfo", Resolver("127.0.0.1"))
    port = receiver.server.server_port
    url = f"http://{Resolver.NAME}:{port}/hook"
    await hooks.ok("POST", HOOKS, 201, role=ADMIN, json={"url": url, "events": ["item.*"]})
    await hooks.item()
    await enqueue(uow_factory, 1)
    assert await dispatch(uow_factory, utcnow(), policy(settings), allowed_hosts=()) == 1
    [request] = receiver.posts()
    assert request.headers["Host"] == f"{Resolver.NAME}:{port}"


# Server-side request forgery ----------------------------------------------------------------

INTERNAL_URLS = [
    "http://127.0.0.1/hook",
    "http://10.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://localhost/hook",
    "http://localhost.:8080/hook",
    "http://0.0.0.0/hook",
    "http://192.168.1.20/hook",
    "http://172.16.5.4/hook",
    "http://100.64.0.1/hook",
    "http://[fd00::1]/hook",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://2130706433/hook",
    "http://0x7f.1/hook",
    "https://127.0.0.1:8443/hook",
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
async def test_internal_targets_are_refused(api, url):
    response = await api.post(HOOKS, json={"url": url, "events": ["*"]}, role=ADMIN)
    body = assert_problem(response, 422, "validation_error")
    assert "url" in error_fields(body)
    assert (await api.ok("GET", HOOKS, role=ADMIN))["count"] == 0


@pytest.mark.parametrize(
    "url",
    ["ftp://93.184.216.34/hook", "file:///etc/passwd", "gopher://93.184.216.34/", "http:///hook"],
)
async def test_only_http_and_https_targets_are_accepted(api, url):
    response = await api.post(HOOKS, json={"url": url, "events": ["*"]}, role=ADMIN)
    body = assert_problem(response, 422, "validation_error")
    assert "url" in error_fields(body)


async def test_a_public_address_is_accepted_and_an_edit_cannot_point_inside(api):
    hook = await api.ok(
        "POST",
        HOOKS,
        201,
        role=ADMIN,
        json={"url": "https://93.184.216.34/hook", "events": ["item.*"]},
    )
    response = await api.patch(
        f"{HOOKS}/{hook['id']}",
        role=ADMIN,
        json={"url": "http://169.254.169.254/latest/meta-data/"},
    )
    assert_problem(response, 422, "validation_error")
    shown = await api.ok("GET", f"{HOOKS}/{hook['id']}", role=ADMIN)
    assert shown["url"] == "https://93.184.216.34/hook"


async def test_allowed_hosts_open_exactly_the_listed_host(hooks, receiver):
    assert (await create_hook(hooks, receiver))["url"] == receiver.url()
    for url in (
        "http://10.0.0.1/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/",
    ):
        response = await hooks.post(HOOKS, json={"url": url, "events": ["*"]}, role=ADMIN)
        assert_problem(response, 422, "validation_error")


# Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.STAFF, Role.VIEWER])
async def test_webhooks_are_for_admins_only(hooks, receiver, role):
    hook = await create_hook(hooks, receiver)
    requests = [
        ("GET", HOOKS, None),
        ("POST", HOOKS, {"url": receiver.url(), "events": ["*"]}),
        ("GET", f"{HOOKS}/{hook['id']}", None),
        ("PATCH", f"{HOOKS}/{hook['id']}", {"active": False}),
        ("GET", f"{HOOKS}/{hook['id']}/deliveries", None),
        ("DELETE", f"{HOOKS}/{hook['id']}", None),
    ]
    for method, path, body in requests:
        response = await hooks.request(method, path, role=role, json=body)
        assert_problem(response, 403, "forbidden")
    unauthenticated = await hooks.client.get(HOOKS)
    assert_problem(unauthenticated, 401, "unauthorized")
    shown = await hooks.ok("GET", f"{HOOKS}/{hook['id']}", role=ADMIN)
    assert shown["active"] is True
    assert (await hooks.ok("GET", HOOKS, role=ADMIN))["count"] == 1
