"""Rate limits with the `limits` library: shared through Redis when configured.

Without `REDIS_URL` counters live in each worker's memory (`local_limits.py`), so N workers
allow up to N times the limit; `erp serve` warns about that.

When Redis is configured but cannot be reached, limits are counted in the worker's memory
instead (a warning in the log, `erp_rate_limit_storage_errors_total` in the metrics) and
Redis is tried again after `RETRY_SHARED_AFTER_S`: an outage of the limiter's storage must
neither answer every request with 500 nor switch brute-force protection off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from erp_engine.errors import RateLimitedError, UnauthorizedError
from erp_engine.identity.tokens import read_access_token
from erp_engine.kernel.context import current_request
from erp_engine.ops.local_limits import LocalMemoryStorage
from erp_engine.ops.metrics import rate_limit_storage_failed
from erp_engine.ops.middleware import send_problem
from erp_engine.settings import Settings

logger = logging.getLogger("erp_engine.ratelimit")
T = TypeVar("T")
RETRY_SHARED_AFTER_S = 5.0
# A dead Redis answers "connection refused" at once; an unreachable one would otherwise
# hold each request for the driver's default timeouts.
REDIS_TIMEOUTS = {"connect_timeout": 1, "stream_timeout": 1}
STORAGE_ERRORS = (StorageError, OSError, TimeoutError)


def _limiter(uri: str, **options: float) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(uri, wrap_exceptions=True, **options))


class RateLimits:
    def __init__(self, settings: Settings):
        self.enabled = settings.rate_limit_enabled
        self.local = MovingWindowRateLimiter(LocalMemoryStorage(wrap_exceptions=True))
        self.shared = (
            _limiter("async+" + settings.redis_url, **REDIS_TIMEOUTS)
            if settings.redis_url
            else None
        )
        self._shared_down_until = 0.0
        self.general = parse(settings.rate_limit_default)
        self.login_ip = parse(settings.rate_limit_login_ip)
        self.login_account = parse(settings.rate_limit_login_account)
        self.anonymous_ip = parse(settings.rate_limit_anonymous_ip)

    def _current(self) -> MovingWindowRateLimiter:
        if self.shared is not None and time.monotonic() >= self._shared_down_until:
            return self.shared
        return self.local

    async def _run(
        self,
        operation: Callable[[MovingWindowRateLimiter], Awaitable[T]],
        limiter: MovingWindowRateLimiter | None = None,
    ) -> tuple[T, MovingWindowRateLimiter]:
        """`operation` on `limiter` (the shared one while it is up), else in this worker's memory.

        Returns the result and the limiter that gave it.
        """
        limiter = limiter or self._current()
        if limiter is not self.local:
            try:
                return await operation(limiter), limiter
            except STORAGE_ERRORS as error:
                self._shared_failed(error)
        return await operation(self.local), self.local

    def _shared_failed(self, error: BaseException) -> None:
        self._shared_down_until = time.monotonic() + RETRY_SHARED_AFTER_S
        rate_limit_storage_failed()
        logger.warning(
            "rate limit storage unavailable (%s); counting in this worker's memory for %.0f s",
            type(error.__cause__ or error).__name__,
            RETRY_SHARED_AFTER_S,
        )

    @staticmethod
    async def _refuse(
        limiter: MovingWindowRateLimiter, limit: RateLimitItem, keys: tuple[str, ...], what: str
    ) -> None:
        stats = await limiter.get_window_stats(limit, *keys)
        retry_after = max(1, int(stats.reset_time - time.time() + 0.999))
        raise RateLimitedError(
            f"Too many {what}; try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )

    async def hit(self, limit: RateLimitItem, *keys: str, what: str = "requests") -> None:
        """Count one request against `limit`.

        Raises:
            RateLimitedError: the limit is used up (with Retry-After).
        """
        if not self.enabled:
            return

        async def hit(limiter: MovingWindowRateLimiter) -> None:
            if not await limiter.hit(limit, *keys):
                await self._refuse(limiter, limit, keys, what)

        await self._run(hit)

    async def count(self, limit: RateLimitItem, *keys: str) -> None:
        """Count one event against `limit` without refusing anything now."""
        if self.enabled:
            await self._run(lambda limiter: limiter.hit(limit, *keys))

    async def check(self, limit: RateLimitItem, *keys: str, what: str = "requests") -> None:
        """Like `hit`, but without counting.

        Raises:
            RateLimitedError: the limit is used up.
        """
        if not self.enabled:
            return

        async def check(limiter: MovingWindowRateLimiter) -> None:
            if not await limiter.test(limit, *keys):
                await self._refuse(limiter, limit, keys, what)

        await self._run(check)

    @asynccontextmanager
    async def failures(
        self, limit: RateLimitItem, *keys: str, what: str, failure: type[Exception]
    ) -> AsyncIterator[None]:
        """Run one attempt whose *failures* (`failure` raised) count against `limit`.

        Counting a failure after the fact lets parallel attempts all pass a check made
        before any of them failed. So each attempt also holds a place while it runs (a
        shared counter), and one is let in only while failures so far plus attempts in
        progress stay within the limit: however many run at once, at most `limit` failures
        in any window reach what the attempt guards (a password check). A success gives its
        place back and spends nothing.

        Raises:
            RateLimitedError: the failures, or failures and attempts in progress, fill the limit.
        """
        if not self.enabled:
            yield
            return
        expiry, running_key = limit.get_expiry(), limit.key_for(*keys) + "/running"

        async def take_place(limiter: MovingWindowRateLimiter) -> None:
            if not await limiter.test(limit, *keys):  # used up: refuse before taking a place
                await self._refuse(limiter, limit, keys, what)
            running = await limiter.storage.incr(running_key, expiry)
            stats = await limiter.get_window_stats(limit, *keys)
            failed = limit.amount - stats.remaining
            if failed + running > limit.amount:
                await self._give_back(limiter, running_key, expiry)
                if failed >= limit.amount:
                    await self._refuse(limiter, limit, keys, what)
                raise RateLimitedError(  # a place frees within one password check
                    f"Too many {what} in progress; try again in 1 s.", headers={"Retry-After": "1"}
                )

        _, limiter = await self._run(take_place)
        try:
            yield
        except failure:
            # Recorded before the place is given back, so every other attempt sees this one
            # either as running or as failed.
            await self._run(lambda chosen: chosen.hit(limit, *keys), limiter)
            raise
        finally:
            await self._give_back(limiter, running_key, expiry)

    async def _give_back(self, limiter: MovingWindowRateLimiter, key: str, expiry: int) -> None:
        # Only where the place was taken: elsewhere it would free one nobody holds. A place
        # lost with the storage errs on the strict side until the counter expires.
        try:
            await limiter.storage.incr(key, expiry, -1)
        except STORAGE_ERRORS as error:
            self._shared_failed(error)


ANONYMOUS_WHAT = "requests without valid credentials from this address"
# Login has limits of its own (per address and per account); probes and the web UI's files
# never answer 401.
_ANONYMOUS_SCOPE = ("/api/", "/metrics")
_LOGIN = "/api/v1/auth/login"


class AnonymousLimitMiddleware:
    """Per client address, a limit on requests that end in 401.

    Bad or missing credentials never reach the per-caller limit (there is no caller), yet an
    API key or refresh token costs a database lookup to refuse. So every 401 counts against
    the address, and once its budget is spent the address is refused (429) for any request
    that does not carry a valid access token (a key's validity is only known after that
    lookup, so keys are refused too). Counted after the answer: a burst of parallel requests
    may overshoot by its size, which is fine for shedding load (credentials are 256-bit
    random, so the count is not what keeps them from being guessed).
    """

    def __init__(self, app: ASGIApp, *, limits: RateLimits, settings: Settings):
        self.app = app
        self.limits = limits
        self.settings = settings

    def _valid_access_token(self, scope: Scope) -> bool:
        scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token or token.startswith("erp_"):
            return False
        try:
            read_access_token(token, self.settings)
        except UnauthorizedError:
            return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not self.limits.enabled
            or not path.startswith(_ANONYMOUS_SCOPE)
            or path == _LOGIN
        ):
            await self.app(scope, receive, send)
            return
        keys = ("anonymous-ip", current_request.get().ip or "-")
        if not self._valid_access_token(scope):
            try:
                await self.limits.check(self.limits.anonymous_ip, *keys, what=ANONYMOUS_WHAT)
            except RateLimitedError as error:
                headers = [
                    (k.lower().encode(), v.encode()) for k, v in (error.headers or {}).items()
                ]
                await send_problem(send, 429, error.code, error.title, error.detail, headers)
                return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 401:
            await self.limits.count(self.limits.anonymous_ip, *keys)
