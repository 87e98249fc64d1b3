"""Webhook subscriptions and delivery: after commit, from the outbox, signed, retried.

Deliveries are created by reading the event feed (so no committed event is missed), and
sent outside any request. Each attempt is claimed with a lease first, so a dispatcher that
dies mid-send leaves the delivery to be retried, never lost.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
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
from erp_engine.webhooks.model import DeliveryStatus, Webhook, WebhookDelivery
from erp_engine.webhooks.targets import check_target

CURSOR_NAME = "webhooks"
LEASE = timedelta(minutes=2)
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
    url: str
    body: bytes
    headers: dict[str, str]


async def claim_attempts(uow: UnitOfWork, *, now: datetime, limit: int = 50) -> list[Attempt]:
    """Take due deliveries under a lease and return what to send."""
    async with uow:
        due = await uow.webhooks.claim_due(now, limit)
        attempts = []
        for delivery in due:
            webhook = await uow.webhooks.get(delivery.webhook_id)
            delivery.attempts += 1
            delivery.next_attempt_at = now + LEASE
            body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
            attempts.append(
                Attempt(
                    delivery.id,
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
            )
        await uow.commit()
        return attempts


def _backoff(settings: Settings, attempts: int) -> timedelta:
    delay = timedelta(seconds=settings.webhook_retry_base_s * 2 ** (attempts - 1))
    return min(delay, MAX_BACKOFF)


async def record_result(
    uow: UnitOfWork,
    delivery_id: uuid.UUID,
    *,
    status_code: int | None,
    error: str | None,
    now: datetime,
    settings: Settings,
) -> None:
    """Store an attempt's outcome: success, a retry later, or failure at the limit."""
    async with uow:
        delivery = await uow.webhooks.get_delivery(delivery_id)
        if delivery is None:
            return
        webhook = await uow.webhooks.get(delivery.webhook_id, for_update=True)
        delivery.last_status_code, delivery.last_error = status_code, error
        if status_code is not None and 200 <= status_code < 300:
            delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, now
            webhook.consecutive_failures = 0
        else:
            if delivery.attempts >= settings.webhook_max_attempts:
                delivery.status = DeliveryStatus.FAILED
            else:
                delivery.next_attempt_at = now + _backoff(settings, delivery.attempts)
            webhook.consecutive_failures += 1
            if webhook.active and webhook.consecutive_failures >= settings.webhook_disable_after:
                webhook.active = False
                webhook.disabled_reason = (
                    f"Disabled after {webhook.consecutive_failures} failed attempts in a row; "
                    f"last: {error or f'HTTP {status_code}'}."
                )
        await uow.commit()


Sender = Callable[[Attempt], Awaitable[tuple[int | None, str | None]]]


async def dispatch_once(
    uow_factory: Callable[[], UnitOfWork],
    send: Sender,
    *,
    now: datetime,
    settings: Settings,
) -> int:
    """One round: enqueue new events, send what is due, record outcomes; return attempts."""
    await enqueue_deliveries(uow_factory())
    attempts = await claim_attempts(uow_factory(), now=now)
    for attempt in attempts:
        status_code, error = await send(attempt)
        await record_result(
            uow_factory(),
            attempt.delivery_id,
            status_code=status_code,
            error=error,
            now=now,
            settings=settings,
        )
    return len(attempts)
