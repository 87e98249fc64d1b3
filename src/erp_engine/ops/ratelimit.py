"""Rate limits with the `limits` library: shared through Redis when configured.

Without `REDIS_URL` counters live in each worker's memory, so N workers allow up to N times
the limit; `erp serve` warns about that.
"""

from __future__ import annotations

import time

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

    async def count(self, limit: RateLimitItem, *keys: str) -> None:
        """Count one event against `limit` without refusing anything now."""
        if self.enabled:
            await self.limiter.hit(limit, *keys)

    async def check(self, limit: RateLimitItem, *keys: str, what: str = "requests") -> None:
        """Like `hit`, but without counting (for limits counted only on failure).

        Raises:
            RateLimitedError: the limit is used up.
        """
        if self.enabled and not await self.limiter.test(limit, *keys):
            await self._refuse(limit, keys, what)
