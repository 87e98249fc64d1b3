"""Sending one webhook attempt over HTTP: no redirects, a timeout, the SSRF guard again."""

from __future__ import annotations

import httpx

from erp_engine.webhooks.service import Attempt
from erp_engine.webhooks.targets import BlockedTargetError, check_target


class HttpSender:
    def __init__(self, *, timeout_s: float, allowed_hosts: list[str]):
        self.allowed_hosts = allowed_hosts
        self.client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)

    async def __call__(self, attempt: Attempt) -> tuple[int | None, str | None]:
        # Checked again at send time: the name may resolve elsewhere than when it was saved.
        try:
            await check_target(attempt.url, self.allowed_hosts)
        except BlockedTargetError as error:
            return None, error.detail
        try:
            response = await self.client.post(
                attempt.url, content=attempt.body, headers=attempt.headers
            )
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}"
        if 300 <= response.status_code < 400:
            return response.status_code, "Redirects are not followed."
        return response.status_code, None

    async def close(self) -> None:
        await self.client.aclose()
