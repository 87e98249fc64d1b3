"""Sending one webhook attempt over HTTP: to the checked address, no redirects, one deadline."""

from __future__ import annotations

import asyncio

import httpx

from erp_engine.webhooks.service import Attempt
from erp_engine.webhooks.targets import BlockedTargetError, resolve_target


class HttpSender:
    def __init__(self, *, timeout_s: float, allowed_hosts: list[str]):
        self.allowed_hosts = allowed_hosts
        self.timeout_s = timeout_s
        # No kept-alive connections: requests go to addresses, and a TLS connection opened
        # for one host name must not carry a request for another name on the same address.
        self.client = httpx.AsyncClient(
            timeout=timeout_s,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    async def __call__(self, attempt: Attempt) -> tuple[int | None, str | None]:
        """(status code, error) of one attempt, within `timeout_s` all told: resolving,
        connecting and reading a slowly dripping answer (the dispatcher's lease counts on it)."""
        try:
            async with asyncio.timeout(self.timeout_s):
                # Resolved and checked at send time: the name may point elsewhere by now.
                target = await resolve_target(attempt.url, self.allowed_hosts)
                response = await self.client.post(
                    target.url,
                    content=attempt.body,
                    headers={**attempt.headers, "Host": target.host_header},
                    extensions={"sni_hostname": target.server_name} if target.server_name else {},
                )
        except BlockedTargetError as error:
            return None, error.detail
        except TimeoutError:
            return None, f"No answer within {self.timeout_s:g} s."
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}"
        if 300 <= response.status_code < 400:
            return response.status_code, "Redirects are not followed."
        return response.status_code, None

    async def close(self) -> None:
        await self.client.aclose()
