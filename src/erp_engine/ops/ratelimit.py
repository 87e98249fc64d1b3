"""Rate limits with the `limits` library: shared through Redis when configured.

Without `REDIS_URL` counters live in each worker's memory, so N workers allow up to N times
the limit; `erp serve` warns about that.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from erp_engine.errors import RateLimitedError
from erp_engine.settings import Settings


def storage_uri(settings: Settings) -> str:
    if settings.redis_url:
        return "async+" + settings.redis_url
    return "async+memory://"


class RateLimits:
    def __init__(self, settings: Settings):
        self.enabled = settings.rate_limit_enabled
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri(settings)))
        self.general = parse(settings.rate_limit_default)
        self.login_ip = parse(settings.rate_limit_login_ip)
        self.login_account = parse(settings.rate_limit_login_account)

    async def _refuse(self, limit: RateLimitItem, keys: tuple[str, ...], what: str) -> None:
        stats = await self.limiter.get_window_stats(limit, *keys)
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
        if self.enabled and not await self.limiter.hit(limit, *keys):
            await self._refuse(limit, keys, what)

    async def check(self, limit: RateLimitItem, *keys: str, what: str = "requests") -> None:
        """Like `hit`, but without counting.

        Raises:
            RateLimitedError: the limit is used up.
        """
        if self.enabled and not await self.limiter.test(limit, *keys):
            await self._refuse(limit, keys, what)

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
        await self.check(limit, *keys, what=what)  # used up: refuse before taking a place
        storage, expiry = self.limiter.storage, limit.get_expiry()
        running_key = limit.key_for(*keys) + "/running"
        running = await storage.incr(running_key, expiry)
        try:
            stats = await self.limiter.get_window_stats(limit, *keys)
            failed = limit.amount - stats.remaining
            if failed >= limit.amount:
                await self._refuse(limit, keys, what)
            if failed + running > limit.amount:  # a place frees within a password check
                raise RateLimitedError(
                    f"Too many {what} in progress; try again in 1 s.", headers={"Retry-After": "1"}
                )
            try:
                yield
            except failure:
                # Recorded before the place is given back, so every other attempt sees this
                # one either as running or as failed.
                await self.limiter.hit(limit, *keys)
                raise
        finally:
            await storage.incr(running_key, expiry, -1)
