"""Who is acting and on which request: set at the edge, read by the audit trail."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from erp_engine.kernel.principal import SYSTEM, Principal


@dataclass(frozen=True, slots=True)
class RequestInfo:
    request_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None


current_request: ContextVar[RequestInfo] = ContextVar("current_request", default=RequestInfo())  # noqa: B039 - frozen
current_actor: ContextVar[Principal] = ContextVar("current_actor", default=SYSTEM)
