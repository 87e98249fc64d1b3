"""What makes two POSTs "the same request" for `Idempotency-Key`, as a keyed digest.

Bodies compare by meaning: JSON ignores key order and spacing, a multipart form ignores the
boundary the client happened to pick (and the order of its parts), a URL-encoded form the
order of its fields. The digest is an HMAC keyed from the server's secret, because bodies
may hold passwords (`/auth/password`, a login form) and a plain SHA-256 of one could be
brute-forced by anyone who reads the idempotency table.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl

from python_multipart.multipart import MultipartParser, parse_options_header


def _json(body: bytes) -> bytes | None:
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        return None


def _multipart(body: bytes, boundary: bytes) -> bytes | None:
    """Each part as (headers that name it, digest of its content), sorted."""
    parts: list[list[str]] = []
    header: dict[str, bytearray] = {}
    headers: dict[str, str] = {}
    digest = hashlib.sha256()

    def begin() -> None:
        nonlocal digest
        headers.clear()
        digest = hashlib.sha256()

    def header_field(data: bytes, start: int, end: int) -> None:
        header.setdefault("field", bytearray()).extend(data[start:end])

    def header_value(data: bytes, start: int, end: int) -> None:
        header.setdefault("value", bytearray()).extend(data[start:end])

    def header_end() -> None:
        name = bytes(header.pop("field", b"")).decode("latin-1").lower()
        headers[name] = bytes(header.pop("value", b"")).decode("latin-1").strip()

    def part_end() -> None:
        _, options = parse_options_header(headers.get("content-disposition"))
        named = {k.decode("latin-1"): v.decode("latin-1") for k, v in options.items()}
        parts.append(
            [
                named.get("name", ""),
                named.get("filename", ""),
                headers.get("content-type", ""),
                digest.hexdigest(),
            ]
        )

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": begin,
            "on_part_data": lambda data, start, end: digest.update(data[start:end]),
            "on_header_field": header_field,
            "on_header_value": header_value,
            "on_header_end": header_end,
            "on_part_end": part_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except ValueError:  # malformed: compared byte for byte instead
        return None
    return json.dumps(sorted(parts)).encode() if parts else None


def canonical_body(body: bytes, content_type: str | None) -> bytes:
    """The body in a form that is equal for equal requests; unknown types by their bytes."""
    media_type, options = parse_options_header(content_type)
    if media_type == b"multipart/form-data" and options.get(b"boundary"):
        return b"multipart\0" + (_multipart(body, options[b"boundary"]) or body)
    if media_type == b"application/x-www-form-urlencoded":
        try:
            fields = sorted(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True))
            return b"form\0" + json.dumps(fields).encode()
        except (ValueError, UnicodeDecodeError):
            return body
    return _json(body) or body


def fingerprint(
    secret: str, method: str, path: str, query: str, body: bytes, content_type: str | None
) -> str:
    """HMAC-SHA256 over the method, path, query string and canonical body."""
    key = hmac.new(secret.encode(), b"erp-engine idempotency fingerprint", "sha256").digest()
    mac = hmac.new(key, digestmod="sha256")
    for part in (method, path, query):
        mac.update(part.encode() + b"\0")
    mac.update(canonical_body(body, content_type))
    return mac.hexdigest()
