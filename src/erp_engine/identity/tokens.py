"""JWT access tokens (HS256 pinned; exp, iat, iss, aud checked) and opaque refresh tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt

from erp_engine.errors import UnauthorizedError
from erp_engine.kernel.clock import utcnow
from erp_engine.settings import Settings

ALGORITHM = "HS256"
ACCESS_TYPE = "access"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    token_version: int


def issue_access_token(user_id: uuid.UUID, token_version: int, settings: Settings) -> str:
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=settings.access_token_minutes),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "typ": ACCESS_TYPE,
        "tv": token_version,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def read_access_token(token: str, settings: Settings) -> AccessClaims:
    """Raises:
    UnauthorizedError: bad signature or algorithm, expired, wrong issuer/audience/type.
    """
    try:
        claims, expires_at = _verified(
            token, settings.jwt_secret, settings.jwt_audience, settings.jwt_issuer
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
        raise UnauthorizedError("Invalid or expired token.") from error
    if time.time() >= expires_at:
        raise UnauthorizedError("Invalid or expired token.")
    return claims


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str, audience: str, issuer: str) -> tuple[AccessClaims, float]:
    """What a token proves, checked once per worker: signature, algorithm, issuer, audience
    and type never change for a given token and secret, and decoding cost a small request
    about a tenth of its CPU (twice: the anonymous limit and the caller lookup both read
    it). Expiry changes with the clock, so the caller checks it at every use; a failed
    check raises and is not cached."""
    claims = jwt.decode(
        token,
        secret,
        algorithms=[ALGORITHM],
        audience=audience,
        issuer=issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_exp": False},
    )
    if claims.get("typ") != ACCESS_TYPE:
        raise jwt.InvalidTokenError("Not an access token.")
    return AccessClaims(uuid.UUID(claims["sub"]), int(claims.get("tv", 0))), float(claims["exp"])


def new_refresh_token() -> tuple[str, str]:
    """Return (secret for the client, hash to store)."""
    secret = secrets.token_urlsafe(32)
    return secret, hash_token(secret)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
