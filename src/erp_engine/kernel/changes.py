"""Applying a partial update to an aggregate and describing what changed."""

from __future__ import annotations

from typing import Any

from erp_engine.errors import PreconditionFailedError


def check_version(current: int, expected: int | None) -> None:
    """Raises:
    PreconditionFailedError: the client's `If-Match` version is not the current one.
    """
    if expected is not None and current != expected:
        raise PreconditionFailedError(
            f"The resource is at version {current}, not {expected}; reload and retry."
        )


def apply_changes(target: Any, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """Set attributes and return {field: [before, after]} for those that really changed."""
    diff = {}
    for field, value in changes.items():
        before = getattr(target, field)
        if before != value:
            setattr(target, field, value)
            diff[field] = [before, value]
    return diff
