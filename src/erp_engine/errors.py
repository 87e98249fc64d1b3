"""Domain errors with stable codes; `api/problems.py` turns them into problem+json."""

from __future__ import annotations

from typing import Any


def field_error(field: str, code: str, message: str, /, **params: Any) -> dict[str, Any]:
    """One entry of a problem's `errors`: where, a stable `code` a client can translate, the
    English sentence, and the values in it (`params`) so no client has to parse that."""
    return {"field": field, "code": code, "message": message, "params": params}


class DomainError(Exception):
    """Base of every error a client may see, with its stable `code` and HTTP status."""

    code = "error"
    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers


class ValidationError(DomainError):
    code, status, title = "validation_error", 422, "Validation failed"


class WrongPasswordError(ValidationError):
    """A password the caller had to know was wrong: counted like a failed login."""


class NotFoundError(DomainError):
    code, status, title = "not_found", 404, "Not found"


class UnauthorizedError(DomainError):
    code, status, title = "unauthorized", 401, "Authentication required"


class ForbiddenError(DomainError):
    code, status, title = "forbidden", 403, "Not allowed"


class ConflictError(DomainError):
    code, status, title = "conflict", 409, "Conflict"


class InvalidTransitionError(DomainError):
    code, status, title = "invalid_transition", 409, "Invalid transition"


class InsufficientStockError(DomainError):
    code, status, title = "insufficient_stock", 409, "Insufficient stock"


class PreconditionFailedError(DomainError):
    code, status, title = "precondition_failed", 412, "Precondition failed"


class IdempotencyKeyReusedError(DomainError):
    code, status, title = "idempotency_key_reused", 422, "Idempotency key reused"


class IdempotencyInFlightError(DomainError):
    code, status, title = "idempotency_in_flight", 409, "Request still in progress"


class PayloadTooLargeError(DomainError):
    code, status, title = "payload_too_large", 413, "Payload too large"


class RateLimitedError(DomainError):
    code, status, title = "rate_limited", 429, "Too many requests"


class UnavailableError(DomainError):
    code, status, title = "unavailable", 503, "Service unavailable"
