"""Password hashing (argon2 through pwdlib) and the password policy."""

from __future__ import annotations

import gzip
from functools import cache
from importlib.resources import files

from pwdlib import PasswordHash

from erp_engine.errors import ValidationError, field_error

MIN_LENGTH = 10
MAX_LENGTH = 1024


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


@cache
def _common_passwords() -> frozenset[str]:
    # The 10,000 most common passwords (from Django's list, itself from Royce Williams' set).
    data = files("erp_engine.identity").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def check_password_policy(password: str, *, email: str, field: str = "password") -> None:
    """Raises:
    ValidationError: too short or long, one of the most common passwords, or the email.
    """
    lowered = password.lower()
    problem = None
    if len(password) < MIN_LENGTH:
        problem = field_error(
            field, "password_too_short", f"Use at least {MIN_LENGTH} characters.", min=MIN_LENGTH
        )
    elif len(password) > MAX_LENGTH:
        problem = field_error(
            field, "password_too_long", f"Use at most {MAX_LENGTH} characters.", max=MAX_LENGTH
        )
    elif lowered in _common_passwords():
        problem = field_error(
            field,
            "password_common",
            "This password is one of the most common ones; choose another.",
        )
    elif lowered in {email.lower(), email.lower().split("@")[0]}:
        problem = field_error(field, "password_is_email", "The password must not be your email.")
    if problem:
        raise ValidationError("The password does not meet the policy.", errors=[problem])
