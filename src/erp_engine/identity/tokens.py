"""JWT access tokens (HS256 pinned; exp, iat, iss, aud checked) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
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
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        if claims.get("typ") != ACCESS_TYPE:
            raise UnauthorizedError("Not an access token.")
        return AccessClaims(uuid.UUID(claims["sub"]), int(claims.get("tv", 0)))
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise UnauthorizedError("Invalid or expired token.") from error


def new_refresh_token() -> tuple[str, str]:
    """Return (secret for the client, hash to store)."""
    secret = secrets.token_urlsafe(32)
    return secret, hash_token(secret)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
