"""`Idempotency-Key` for POSTs: a retry returns the first response and creates nothing.

The first request claims (principal, key) with an insert; retries with the same body get the
stored response, a different body gets 422, and a retry while the first still runs gets 409.
Server errors are not stored, so a retry after one runs again.

Answers that carry a secret (an API key, a webhook secret, tokens) are never stored: routes
that issue one declare `Depends(answer_holds_a_secret)`, and a retry of their success gets
409 `idempotency_secret_withheld` (with the `Location` of what was created) instead of the
secret a second time. Only status and headers of such an answer are kept.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from erp_engine.db.upsert import insert_ignore
from erp_engine.errors import UnauthorizedError
from erp_engine.identity.tokens import read_access_token
from erp_engine.kernel.clock import utcnow
from erp_engine.ops.fingerprint import fingerprint
from erp_engine.ops.middleware import send_problem
from erp_engine.ops.model import IdempotencyRecord
from erp_engine.settings import Settings

RETENTION = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 255
# Answers that describe the caller's situation rather than the request: never replayed.
NOT_STORED = frozenset({401, 403, 408, 409, 412, 429})
REPLAYED_HEADERS = ("content-type", "location", "etag")
SECRET_FLAG = "answer_holds_a_secret"  # noqa: S105 - a flag name, not a secret
records = IdempotencyRecord.__table__


async def answer_holds_a_secret(request: Request) -> None:
    """Route dependency: this route's success answer carries a secret; never store it."""
    setattr(request.state, SECRET_FLAG, True)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


class IdempotencyMiddleware:
    def __init__(
        self, app: ASGIApp, *, sessions: async_sessionmaker[AsyncSession], settings: Settings
    ):
        self.app = app
        self.sessions = sessions
        self.settings = settings

    def _principal(self, scope: Scope) -> str | None:
        authorization = _header(scope, b"authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        if token.startswith("erp_"):
            return "key:" + hashlib.sha256(token.encode()).hexdigest()
        try:
            return f"user:{read_access_token(token, self.settings).user_id}"
        except UnauthorizedError:
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        principal = self._principal(scope)
        if principal is None:  # the route will answer 401; nothing to remember
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= MAX_KEY_LENGTH:
            await send_problem(
                send,
                422,
                "validation_error",
                "Validation failed",
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
            )
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        digest = fingerprint(
            self.settings.jwt_secret,
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            body,
            _header(scope, b"content-type"),
        )
        stored = await self._claim(principal, key, digest)
        if stored is not None:
            await self._answer_from(stored, digest, send)
            return
        await self._run_and_store(scope, body, send, principal, key)

    async def _claim(self, principal: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
        """Claim the key; return the existing record when someone already has it."""
        now = utcnow()
        async with self.sessions() as session, session.begin():
            await session.execute(
                delete(records).where(
                    records.c.principal == principal,
                    records.c.key == key,
                    records.c.created_at < now - RETENTION,
                )
            )
            dialect = session.get_bind().dialect.name
            result = await session.execute(
                insert_ignore(records, dialect).values(
                    principal=principal,
                    key=key,
                    fingerprint=fingerprint,
                    state="in_flight",
                    created_at=now,
                )
            )
            if result.rowcount == 1:
                return None
            existing = (
                await session.execute(
                    select(IdempotencyRecord).where(
                        IdempotencyRecord.principal == principal,
                        IdempotencyRecord.key == key,
                    )
                )
            ).scalar_one()
            if existing.state == "in_flight" and existing.created_at < now - ABANDONED_AFTER:
                # The first attempt died without an answer: let this one run instead.
                existing.fingerprint, existing.created_at = fingerprint, now
                return None
            session.expunge(existing)
            return existing

    async def _answer_from(self, stored: IdempotencyRecord, fingerprint: str, send: Send) -> None:
        if stored.fingerprint != fingerprint:
            await send_problem(
                send,
                422,
                "idempotency_key_reused",
                "Idempotency key reused",
                "This Idempotency-Key was used with a different request.",
            )
        elif stored.state == "in_flight":
            await send_problem(
                send,
                409,
                "idempotency_in_flight",
                "Request still in progress",
                "A request with this Idempotency-Key is still being processed.",
            )
        elif stored.state == "withheld":
            location = (stored.response_headers or {}).get("location")
            await send_problem(
                send,
                409,
                "idempotency_secret_withheld",
                "Secret not shown again",
                f"The request with this Idempotency-Key already succeeded "
                f"({stored.response_status}); its answer held a secret that is shown only once, "
                "so it is not replayed. "
                + (
                    f"What it created is at {location}: revoke or delete it and make a new "
                    "one if the secret was lost."
                    if location
                    else "Send the request again without this Idempotency-Key if you need one."
                ),
                headers=[(b"location", location.encode())] if location else None,
            )
        else:
            headers = [(k.encode(), v.encode()) for k, v in (stored.response_headers or {}).items()]
            headers.append((b"idempotent-replayed", b"true"))
            body = stored.response_body or b""
            headers.append((b"content-length", str(len(body)).encode()))
            await send(
                {
                    "type": "http.response.start",
                    "status": stored.response_status,
                    "headers": headers,
                }
            )
            await send({"type": "http.response.body", "body": body})

    async def _run_and_store(
        self, scope: Scope, body: bytes, send: Send, principal: str, key: str
    ) -> None:
        delivered = False

        async def replay_receive() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        finally:
            secret = scope.get("state", {}).get(SECRET_FLAG, False)
            await self._finish(principal, key, start, b"".join(chunks), secret=secret)

    async def _finish(
        self, principal: str, key: str, start: Message | None, body: bytes, *, secret: bool
    ) -> None:
        status = start["status"] if start else 500
        where = (records.c.principal == principal) & (records.c.key == key)
        async with self.sessions() as session, session.begin():
            if status >= 500 or status in NOT_STORED:
                await session.execute(delete(records).where(where))
                return
            headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
            kept = {name: headers[name] for name in REPLAYED_HEADERS if name in headers}
            # A refusal carries no secret and replays as usual; a success of such a route
            # is remembered (so it runs once) but its body is not.
            withheld = secret and status < 400
            await session.execute(
                update(records)
                .where(where)
                .values(
                    state="withheld" if withheld else "done",
                    response_status=status,
                    response_headers=kept,
                    response_body=None if withheld else body,
                )
            )
