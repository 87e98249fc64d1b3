"""Webhook subscriptions and delivery: after commit, from the outbox, signed, retried.

Deliveries are created by reading the event feed (so no committed event is missed), and
sent outside any request. A dispatcher leases a webhook's next deliveries before sending
them, long enough to send them all: no other dispatcher sends them too, and one that dies
mid-send leaves them to be retried when the lease ends, never lost. Every attempt is logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from erp_engine.errors import NotFoundError
from erp_engine.events.cursor import Cursor
from erp_engine.events.service import event_body
from erp_engine.kernel.changes import apply_changes, check_version
from erp_engine.kernel.principal import Principal
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork, transactional
from erp_engine.webhooks.model import DeliveryStatus, Webhook, WebhookAttempt, WebhookDelivery
from erp_engine.webhooks.targets import check_target

CURSOR_NAME = "webhooks"
# Beyond the sender's own deadline: for recording the outcome and for a busy event loop.
LEASE_MARGIN = timedelta(seconds=15)
ENDPOINT_BATCH = 10
MAX_BACKOFF = timedelta(hours=1)
SIGNATURE_HEADER = "X-ERP-Signature"


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`, as receivers verify it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@transactional
async def create_webhook(
    uow: UnitOfWork,
    *,
    url: str,
    events: list[str],
    secret: str | None,
    active: bool,
    description: str | None,
    allowed_hosts: list[str],
    actor: Principal,
) -> Webhook:
    """Raises:
    ValidationError: the URL is not http(s) or targets an internal address.
    """
    await check_target(url, allowed_hosts)
    async with uow:
        webhook = Webhook(
            id=uuid.uuid4(),
            url=url,
            events=sorted(set(events)),
            secret=secret or secrets.token_urlsafe(32),
            active=active,
            description=description,
            consecutive_failures=0,
        )
        uow.webhooks.add(webhook)
        await uow.commit()
        return webhook


@transactional
async def update_webhook(
    uow: UnitOfWork,
    webhook_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    allowed_hosts: list[str],
    actor: Principal,
    expected_version: int | None = None,
) -> Webhook:
    """Re-activating a disabled webhook clears its failure count and reason.

    Raises:
        NotFoundError, PreconditionFailedError, ValidationError.
    """
    if "url" in changes:
        await check_target(changes["url"], allowed_hosts)
    if "events" in changes:
        changes["events"] = sorted(set(changes["events"]))
    async with uow:
        webhook = await uow.webhooks.get(webhook_id, for_update=True)
        if webhook is None:
            raise NotFoundError("No webhook with this id.")
        check_version(webhook.version, expected_version)
        if changes.get("active") and not webhook.active:
            changes.update(consecutive_failures=0, disabled_reason=None)
        apply_changes(webhook, changes)
        await uow.commit()
        return webhook


@transactional
async def delete_webhook(uow: UnitOfWork, webhook_id: uuid.UUID, *, actor: Principal) -> None:
    """Raises:
    NotFoundError: no such webhook.
    """
    async with uow:
        webhook = await uow.webhooks.get(webhook_id, for_update=True)
        if webhook is None:
            raise NotFoundError("No webhook with this id.")
        await uow.webhooks.delete(webhook)
        await uow.commit()


async def enqueue_deliveries(uow: UnitOfWork, *, limit: int = 500) -> int:
    """Create a delivery per (new event, subscribed webhook); return how many."""
    async with uow:
        cursor = await uow.outbox.cursor(CURSOR_NAME)  # locked: one enqueuer at a time
        events = await uow.outbox.feed(cursor, limit)
        if not events:
            return 0
        hooks = await uow.webhooks.active()
        created = 0
        for event in events:
            for hook in hooks:
                if hook.wants(event.type):
                    uow.webhooks.add(
                        WebhookDelivery(
                            id=uuid.uuid4(),
                            webhook_id=hook.id,
                            event_id=event.id,
                            event_type=event.type,
                            payload=event_body(event),
                            status=DeliveryStatus.PENDING,
                            attempts=0,
                            next_attempt_at=event.occurred_at,
                        )
                    )
                    created += 1
        last = events[-1]
        await uow.outbox.save_cursor(CURSOR_NAME, Cursor(last.txid or 0, last.position))
        await uow.commit()
        return created


@dataclass(frozen=True, slots=True)
class Attempt:
    delivery_id: uuid.UUID
    webhook_id: uuid.UUID
    url: str
    body: bytes
    headers: dict[str, str]


def _attempt(webhook: Webhook, delivery: WebhookDelivery) -> Attempt:
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Attempt(
        delivery.id,
        webhook.id,
        webhook.url,
        body,
        {
            "Content-Type": "application/json",
            "User-Agent": "ERP-Engine-Webhooks/1.0",
            "X-ERP-Event": delivery.event_type,
            "X-ERP-Delivery": str(delivery.id),
            SIGNATURE_HEADER: sign(webhook.secret, body),
        },
    )


def attempt_lease(settings: Settings) -> timedelta:
    """How long one attempt may hold its delivery: the sender's deadline plus a margin."""
    return timedelta(seconds=settings.webhook_timeout_s) + LEASE_MARGIN


async def claim_batches(
    uow: UnitOfWork,
    *,
    now: datetime,
    settings: Settings,
    endpoints: int,
    busy: Collection[uuid.UUID] = (),
) -> list[list[Attempt]]:
    """Lease the next due deliveries of up to `endpoints` webhooks: one batch per webhook,
    in the order they are to be sent.

    The n-th delivery of a batch is leased for n attempts' time, so it stays this
    dispatcher's until it has been sent however slowly the ones before it go; meanwhile no
    other dispatcher takes anything of that webhook.
    """
    async with uow:
        batches = []
        for webhook in await uow.webhooks.ready(now, limit=endpoints, busy=busy):
            due = await uow.webhooks.due(webhook.id, now, ENDPOINT_BATCH)
            for position, delivery in enumerate(due, start=1):
                delivery.leased_until = now + position * attempt_lease(settings)
            if due:
                batches.append([_attempt(webhook, delivery) for delivery in due])
        await uow.commit()
        return batches


async def release(uow: UnitOfWork, delivery_ids: list[uuid.UUID]) -> None:
    """Give claimed deliveries back unsent: another round (or dispatcher) sends them."""
    async with uow:
        await uow.webhooks.release(delivery_ids)
        await uow.commit()


def _backoff(settings: Settings, attempts: int) -> timedelta:
    delay = timedelta(seconds=settings.webhook_retry_base_s * 2 ** (attempts - 1))
    return min(delay, MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class Outcome:
    result: str  # succeeded, retrying (to be sent again) or failed (given up)
    webhook_active: bool


async def record_result(
    uow: UnitOfWork,
    delivery_id: uuid.UUID,
    *,
    status_code: int | None,
    error: str | None,
    started_at: datetime,
    finished_at: datetime,
    settings: Settings,
) -> Outcome | None:
    """Log the attempt and store its outcome: success, a retry later, or failure at the
    limit; None if the delivery is gone (its webhook was deleted) or already finished."""
    async with uow:
        delivery = await uow.webhooks.get_delivery(delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        webhook = await uow.webhooks.get(delivery.webhook_id, for_update=True)
        delivery.attempts += 1
        delivery.leased_until = None
        delivery.last_status_code, delivery.last_error = status_code, error
        uow.webhooks.add(
            WebhookAttempt(
                id=uuid.uuid4(),
                delivery_id=delivery.id,
                number=delivery.attempts,
                attempted_at=started_at,
                duration_ms=round((finished_at - started_at).total_seconds() * 1000),
                status_code=status_code,
                error=error,
            )
        )
        if status_code is not None and 200 <= status_code < 300:
            delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, finished_at
            webhook.consecutive_failures = 0
        else:
            if delivery.attempts >= settings.webhook_max_attempts:
                delivery.status = DeliveryStatus.FAILED
            else:
                delivery.next_attempt_at = finished_at + _backoff(settings, delivery.attempts)
            webhook.consecutive_failures += 1
            if webhook.active and webhook.consecutive_failures >= settings.webhook_disable_after:
                webhook.active = False
                webhook.disabled_reason = (
                    f"Disabled after {webhook.consecutive_failures} failed attempts in a row; "
                    f"last: {error or f'HTTP {status_code}'}."
                )
        outcome = Outcome(
            "retrying" if delivery.status == DeliveryStatus.PENDING else delivery.status,
            webhook.active,
        )
        await uow.commit()
        return outcome


Sender = Callable[[Attempt], Awaitable[tuple[int | None, str | None]]]


async def deliver_batch(
    uow_factory: Callable[[], UnitOfWork],
    send: Sender,
    batch: list[Attempt],
    *,
    settings: Settings,
    clock: Callable[[], datetime],
    stop: asyncio.Event | None = None,
    on_result: Callable[[str], None] | None = None,
) -> int:
    """Send one webhook's claimed deliveries one after another; return how many were sent.

    Stops early when the webhook disables itself or `stop` is set, and gives the rest back.
    """
    sent = 0
    try:
        for attempt in batch:
            if stop is not None and stop.is_set():
                break
            started_at = clock()
            status_code, error = await send(attempt)
            outcome = await record_result(
                uow_factory(),
                attempt.delivery_id,
                status_code=status_code,
                error=error,
                started_at=started_at,
                finished_at=clock(),
                settings=settings,
            )
            sent += 1
            if outcome is not None and on_result is not None:
                on_result(outcome.result)
            if outcome is None or not outcome.webhook_active:
                break
    finally:
        if unsent := [attempt.delivery_id for attempt in batch[sent:]]:
            await release(uow_factory(), unsent)
    return sent


async def dispatch_once(
    uow_factory: Callable[[], UnitOfWork],
    send: Sender,
    *,
    now: datetime,
    settings: Settings,
) -> int:
    """One round at a fixed `now`: enqueue new events, send what is due (endpoints at once,
    each in order), record outcomes; return the number of attempts."""
    await enqueue_deliveries(uow_factory())
    batches = await claim_batches(
        uow_factory(), now=now, settings=settings, endpoints=settings.webhook_concurrency
    )
    sent = await asyncio.gather(
        *(
            deliver_batch(uow_factory, send, batch, settings=settings, clock=lambda: now)
            for batch in batches
        )
    )
    return sum(sent)


async def prune_deliveries(uow: UnitOfWork, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` finished deliveries older than `before`; return how many."""
    async with uow:
        deleted = await uow.webhooks.prune(before, limit)
        await uow.commit()
        return deleted
