"""Server-side request forgery guard: webhooks may only reach public addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from erp_engine.errors import ValidationError


class BlockedTargetError(ValidationError):
    """The URL points at a private, loopback, link-local or otherwise internal address."""


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def check_target(url: str, allowed_hosts: list[str]) -> None:
    """Raises:
    BlockedTargetError: bad scheme, unresolvable host, or an internal address not allowed.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedTargetError(
            "Use an http or https URL.",
            errors=[{"field": "url", "message": "http(s) URL required."}],
        )
    host = parts.hostname.lower()
    if host in {h.lower() for h in allowed_hosts}:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except OSError as error:
        raise BlockedTargetError(
            "The webhook host does not resolve.",
            errors=[{"field": "url", "message": f"Cannot resolve {host}."}],
        ) from error
    if any(_is_internal(info[4][0]) for info in infos):
        raise BlockedTargetError(
            "Webhooks may not target internal addresses.",
            errors=[
                {
                    "field": "url",
                    "message": f"{host} resolves to a private, loopback or "
                    "link-local address; list it in "
                    "WEBHOOK_ALLOWED_HOSTS to allow it.",
                }
            ],
        )
