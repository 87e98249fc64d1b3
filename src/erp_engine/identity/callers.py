"""Each worker's copy of its callers' access rows, kept true by PostgreSQL's NOTIFY.

Every request checks its caller against the database (a deactivated, demoted or logged-out
user must lose access at once), and that one statement was a sixth of the CPU of a list page.
Here a worker keeps the rows it has read and drops one the moment it hears that the row
changed:

- a trigger on `users` (migration 3c7e5d1b9a24) sends `NOTIFY erp_users_changed, '<id>'`
  when a user's name, role, active flag or token version changes, or the user is deleted,
  from whichever process made the change (another worker, the CLI, plain SQL);
- each worker listens on a connection of its own; the copy is used only while that
  connection is up and answering, and starts empty each time it is (re)established;
- a change committed by this worker clears its copy at once, before the notification comes
  back, so the worker that made a change never serves the old row afterwards;
- a row read while a notification arrives is not kept (a generation counter), so a read
  that raced a change cannot put the old row back after the change was heard.

Another worker hears a change a few milliseconds after its commit. SQLite has no NOTIFY and
one worker: there the copy stays off and every request reads the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session

from erp_engine.identity.model import User

logger = logging.getLogger("erp_engine.callers")

CHANNEL = "erp_users_changed"
TRIGGER = "users_notify_access_change"
# The listening connection answers a ping this often, or the copy is dropped until it does.
PING_EVERY_S = 5.0
PING_TIMEOUT_S = 2.0
RECONNECT_AFTER_S = 1.0
# Running ahead of its migration, a worker looks for the trigger again this often.
SCHEMA_RECHECK_S = 60.0
# A copy never grows past this; users are few, but a stream of tokens of deleted users is not.
MAX_ROWS = 10_000


class CallerCache:
    """The access rows (name, role, active, token_version) this worker may trust, by user id."""

    def __init__(self) -> None:
        self._rows: dict[uuid.UUID, Any] = {}
        self._generation = 0
        self.live = False

    @property
    def generation(self) -> int:
        """Take before reading a row from the database; pass to `keep` with the row."""
        return self._generation

    def get(self, user_id: uuid.UUID):
        return self._rows.get(user_id) if self.live else None

    def keep(self, user_id: uuid.UUID, row, generation: int) -> None:
        """Keep `row`, read after `generation` was taken, unless anything changed since."""
        if self.live and generation == self._generation and row is not None:
            if len(self._rows) >= MAX_ROWS:
                self._rows.clear()
            self._rows[user_id] = row

    def forget(self, user_id: uuid.UUID | None = None) -> None:
        """Drop one user's row (or all): it changed, or may have."""
        self._generation += 1
        if user_id is None:
            self._rows.clear()
        else:
            self._rows.pop(user_id, None)

    def _go_live(self) -> None:
        self.forget()
        self.live = True

    def _go_dark(self) -> None:
        self.live = False
        self.forget()

    def _heard(self, _connection, _pid, _channel, payload: str) -> None:
        try:
            self.forget(uuid.UUID(payload))
        except ValueError:
            self.forget()

    async def listen(self, connect: Callable[[], Awaitable[Any]], *, stop: asyncio.Event) -> None:
        """Keep a listening connection (from `connect`, an asyncpg connection) until `stop`;
        the copy is live only while it is up."""
        while not stop.is_set():
            connection = None
            try:
                connection = await connect()
                await self._serve(connection, stop)
            except Exception as error:  # any failure means: not live, retry
                logger.warning("caller cache off: %s", type(error).__name__)
            finally:
                self._go_dark()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(connection.close(), PING_TIMEOUT_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RECONNECT_AFTER_S)

    async def _serve(self, connection, stop: asyncio.Event) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        # Looked up at each notification, so a test can stand in for a late one.
        await connection.add_listener(CHANNEL, lambda *args: self._heard(*args))
        exists = "SELECT EXISTS (SELECT FROM pg_trigger WHERE tgname = $1)"
        if not await connection.fetchval(exists, TRIGGER):
            # A schema before the trigger: nobody would tell us of changes.
            logger.warning("caller cache off: the schema has no %s trigger yet", TRIGGER)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SCHEMA_RECHECK_S)
            return
        self._go_live()
        while not (stop.is_set() or lost.is_set()):
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(lost.wait())]
            await asyncio.wait(waiters, timeout=PING_EVERY_S, return_when="FIRST_COMPLETED")
            for waiter in waiters:
                waiter.cancel()
            if not (stop.is_set() or lost.is_set()):
                await asyncio.wait_for(connection.fetchval("SELECT 1"), PING_TIMEOUT_S)


# Listeners on the unit of work's session class (uow.py): a commit that wrote a user clears
# the copy of the worker that made it, before its answer leaves.


def note_user_changes(session: Session, _flush_context) -> None:
    """after_flush: remember that this transaction wrote a user."""
    if any(isinstance(o, User) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info["users_changed"] = True


def forget_changed_callers(session: Session) -> None:
    """after_commit: the users this transaction wrote are no longer what the copy holds."""
    callers = session.info.get("callers")
    if session.info.pop("users_changed", False) and callers is not None:
        callers.forget()


def drop_user_changes(session: Session, _transaction=None) -> None:
    """after_rollback: nothing was written after all."""
    session.info.pop("users_changed", None)
