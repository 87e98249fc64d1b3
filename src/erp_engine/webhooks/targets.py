"""Server-side request forgery guard: webhooks may only reach public addresses.

The host is resolved once, every address it resolves to is checked, and the request goes to
the checked address: a name that answers a public address to the check and an internal one
to the connection (DNS rebinding) never gets a request inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from erp_engine.errors import ValidationError, field_error


class BlockedTargetError(ValidationError):
    """The URL points at a private, loopback, link-local or otherwise internal address."""


@dataclass(frozen=True, slots=True)
class PinnedTarget:
    """Where to send: the URL with its host replaced by the checked address, and the names
    the server expects (the Host header, and the TLS server name for https)."""

    url: str
    host_header: str
    server_name: str | None


def _allowed(host: str, allowed_hosts: list[str]) -> bool:
    return host.lower() in {h.lower() for h in allowed_hosts}


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def resolve_target(url: str, allowed_hosts: list[str]) -> PinnedTarget:
    """Resolve the URL's host once and pin the request to an address that passed the check.

    Raises:
        BlockedTargetError: bad scheme, unresolvable host, or an internal address not allowed.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedTargetError(
            "Use an http or https URL.",
            errors=[field_error("url", "url_scheme", "http(s) URL required.")],
        )
    host = parts.hostname.lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise BlockedTargetError(
            "The webhook host does not resolve.",
            errors=[field_error("url", "url_unresolved", f"Cannot resolve {host}.", host=host)],
        ) from error
    addresses = [info[4][0] for info in infos]
    if not _allowed(host, allowed_hosts) and any(map(_is_internal, addresses)):
        raise BlockedTargetError(
            "Webhooks may not target internal addresses.",
            errors=[
                field_error(
                    "url",
                    "url_internal",
                    f"{host} resolves to a private, loopback or link-local address; "
                    "list it in WEBHOOK_ALLOWED_HOSTS to allow it.",
                    host=host,
                )
            ],
        )
    address = addresses[0]
    literal = f"[{address}]" if ":" in address else address
    userinfo, _, host_and_port = parts.netloc.rpartition("@")
    netloc = f"{userinfo}@{literal}:{port}" if userinfo else f"{literal}:{port}"
    return PinnedTarget(
        url=urlunsplit(parts._replace(netloc=netloc)),
        host_header=host_and_port,
        server_name=host if parts.scheme == "https" else None,
    )


async def check_target(url: str, allowed_hosts: list[str]) -> None:
    """Check a URL as it is saved; a listed host need not resolve yet (only when sending).

    Raises:
        BlockedTargetError: bad scheme, unresolvable host, or an internal address not allowed.
    """
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and _allowed(parts.hostname or "", allowed_hosts):
        return
    await resolve_target(url, allowed_hosts)
