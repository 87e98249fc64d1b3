"""Password hashing (argon2 through pwdlib)."""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher().verify(password, password_hash)


@cache
def dummy_hash() -> str:
    """A hash to verify against for unknown users, so both failures take the same time."""
    return hash_password("not-a-real-password-used-for-timing-only")
