"""The unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from erp_engine.appends import write_appends
from erp_engine.audit.service import collect_changes
from erp_engine.catalog.repository import EngineRepository, ItemRepository
from erp_engine.documents.repository import DocumentRepository
from erp_engine.errors import PreconditionFailedError, UnavailableError
from erp_engine.events.repository import OutboxRepository
from erp_engine.flows.repository import FlowRepository
from erp_engine.identity.callers import (
    drop_user_changes,
    forget_changed_callers,
    note_user_changes,
)
from erp_engine.identity.repository import (
    ApiKeyRepository,
    RefreshTokenRepository,
    UserRepository,
)
from erp_engine.insights.repository import AlertRepository
from erp_engine.ledger.repository import LedgerRepository
from erp_engine.numbering.repository import CounterRepository
from erp_engine.warehouses.repository import WarehouseRepository
from erp_engine.webhooks.repository import WebhookRepository


class AuditedSession(Session):
    """The session behind every unit of work: each flush records its changes for the audit
    trail, then writes the appended rows (audit, flows, events) in one statement; a commit
    that wrote a user clears this worker's caller cache. Class-level listeners, so no
    session pays for registering them; in this order."""


event.listen(AuditedSession, "before_flush", collect_changes)
event.listen(AuditedSession, "before_flush", write_appends)
event.listen(AuditedSession, "after_flush", note_user_changes)
event.listen(AuditedSession, "after_commit", forget_changed_callers)
event.listen(AuditedSession, "after_rollback", drop_user_changes)


class UnitOfWork:
    """Use as `async with uow:`; leaving without `await uow.commit()` rolls back."""

    session: AsyncSession

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]):
        self._session_factory = session_factory

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory(sync_session_class=AuditedSession)
        self._committed = False
        session = self.session
        self.engines = EngineRepository(session)
        self.items = ItemRepository(session)
        self.warehouses = WarehouseRepository(session)
        self.ledger = LedgerRepository(session)
        self.documents = DocumentRepository(session)
        self.flows = FlowRepository(session)
        self.outbox = OutboxRepository(session)
        self.counters = CounterRepository(session)
        self.users = UserRepository(session)
        self.refresh_tokens = RefreshTokenRepository(session)
        self.api_keys = ApiKeyRepository(session)
        self.alerts = AlertRepository(session)
        self.webhooks = WebhookRepository(session)
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name


P = ParamSpec("P")
T = TypeVar("T")

# PostgreSQL: serialization_failure, deadlock_detected. Retried because the whole use case
# runs again in a fresh transaction, so the client never sees a transient conflict.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
MAX_ATTEMPTS = 5


def sqlstate(error: BaseException) -> str | None:
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)


def transactional(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run a service use case again when the database reports a transient conflict.

    Raises:
        UnavailableError: SQLite stayed locked past its busy timeout, or retries ran out.
        PreconditionFailedError: the row changed under an optimistic version check.
    """

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await fn(*args, **kwargs)
            except StaleDataError as error:
                raise PreconditionFailedError(
                    "The resource was changed by someone else."
                ) from error
            except DBAPIError as error:
                if sqlstate(error) in RETRYABLE_SQLSTATES and attempt < MAX_ATTEMPTS:
                    await asyncio.sleep(0.005 * attempt)  # back off before the next attempt
                    continue
                if isinstance(error, OperationalError) and "locked" in str(error.orig):
                    raise UnavailableError("The database is busy; try again.") from error
                raise
        raise UnavailableError("The database is busy; try again.")

    return wrapper
