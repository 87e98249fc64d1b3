"""Bodies for webhooks and their deliveries. The secret is write-only."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from erp_engine.kernel.schema import InputModel, OutputModel, Timestamp
from erp_engine.webhooks.model import DeliveryStatus

EVENT_PATTERN = r"^[a-z_*]+(\.[a-z_*]+)*$"


class WebhookCreate(InputModel):
    url: str = Field(min_length=8, max_length=2000)
    events: list[str] = Field(
        min_length=1, max_length=50, description='event types or patterns, e.g. "outbound.*", "*"'
    )
    secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="HMAC key; generated (and returned once) if omitted",
    )
    active: bool = True
    description: str | None = Field(default=None, max_length=2000)


class WebhookUpdate(InputModel):
    url: str = Field(default=None, min_length=8, max_length=2000)
    events: list[str] = Field(default=None, min_length=1, max_length=50)
    secret: str = Field(default=None, min_length=16, max_length=200)
    active: bool = None
    description: str | None = Field(default=None, max_length=2000)


class WebhookRead(OutputModel):
    id: uuid.UUID
    url: str
    events: list[str]
    active: bool
    description: str | None
    consecutive_failures: int
    disabled_reason: str | None
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class WebhookCreated(WebhookRead):
    secret: str = Field(description="shown once; verify X-ERP-Signature with it")


class AttemptRead(OutputModel):
    number: int
    attempted_at: Timestamp
    duration_ms: int
    status_code: int | None = Field(description="the answer's status; null when none came")
    error: str | None


class DeliveryRead(OutputModel):
    id: uuid.UUID
    webhook_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: Timestamp
    last_status_code: int | None
    last_error: str | None
    created_at: Timestamp
    delivered_at: Timestamp | None
    payload: dict[str, Any]
    attempt_log: list[AttemptRead] = Field(description="every attempt so far, oldest first")
