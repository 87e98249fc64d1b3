"""Login, token refresh with rotation, logout, and creating users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from erp_engine.errors import ConflictError, UnauthorizedError
from erp_engine.identity.model import RefreshToken, User
from erp_engine.identity.passwords import dummy_hash, hash_password, verify_password
from erp_engine.identity.tokens import (
    hash_token,
    issue_access_token,
    new_refresh_token,
    read_access_token,
)
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.roles import Role
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork, transactional

BAD_CREDENTIALS = "Incorrect email or password."


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105


def _issue_pair(uow: UnitOfWork, user: User, settings: Settings, family_id: uuid.UUID) -> TokenPair:
    secret, digest = new_refresh_token()
    now = utcnow()
    uow.refresh_tokens.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=digest,
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    )
    return TokenPair(
        access_token=issue_access_token(user.id, user.token_version, settings),
        refresh_token=secret,
        expires_in=settings.access_token_minutes * 60,
    )


@transactional
async def login(uow: UnitOfWork, email: str, password: str, *, settings: Settings) -> TokenPair:
    """Raises:
    UnauthorizedError: one message for an unknown email and a wrong password alike.
    """
    async with uow:
        user = await uow.users.get_by_email(email)
        if user is None:
            verify_password(password, dummy_hash())
            raise UnauthorizedError(BAD_CREDENTIALS)
        if not verify_password(password, user.password_hash) or not user.active:
            raise UnauthorizedError(BAD_CREDENTIALS)
        await uow.users.record_login(user.id, utcnow())
        pair = _issue_pair(uow, user, settings, family_id=uuid.uuid4())
        await uow.commit()
        return pair


@transactional
async def refresh(uow: UnitOfWork, refresh_token: str, *, settings: Settings) -> TokenPair:
    """Rotate a refresh token. Reusing a rotated token revokes its whole family.

    Raises:
        UnauthorizedError: unknown, expired, revoked or reused token, or inactive user.
    """
    async with uow:
        now = utcnow()
        stored = await uow.refresh_tokens.get_by_hash(hash_token(refresh_token))
        if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
            raise UnauthorizedError("Invalid refresh token.")
        if stored.used_at is not None:
            # A stolen token was replayed, or the client lost a race: end the whole session.
            await uow.refresh_tokens.revoke_family(stored.family_id, now)
            await uow.commit()
            raise UnauthorizedError("Refresh token reuse detected; please log in again.")
        user = await uow.users.get(stored.user_id)
        if user is None or not user.active:
            raise UnauthorizedError("Invalid refresh token.")
        stored.used_at = now
        pair = _issue_pair(uow, user, settings, family_id=stored.family_id)
        await uow.commit()
        return pair


@transactional
async def logout(uow: UnitOfWork, refresh_token: str) -> None:
    """Revoke the refresh token's family; unknown tokens are ignored (logout always works)."""
    async with uow:
        stored = await uow.refresh_tokens.get_by_hash(hash_token(refresh_token))
        if stored is not None:
            await uow.refresh_tokens.revoke_family(stored.family_id, utcnow())
        await uow.commit()


async def principal_for_token(uow: UnitOfWork, token: str, *, settings: Settings) -> Principal:
    """The acting user behind an access token, as the database knows them now.

    Raises:
        UnauthorizedError: bad token, unknown or inactive user, or a token issued before
        the user's access was changed.
    """
    claims = read_access_token(token, settings)
    async with uow:
        user = await uow.users.get(claims.user_id)
        if user is None or not user.active or user.token_version != claims.token_version:
            raise UnauthorizedError("Invalid or expired token.")
        return user.as_principal()


@transactional
async def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
) -> User:
    """Raises:
    ConflictError: the email is taken.
    """
    async with uow:
        email = email.strip().lower()
        if await uow.users.get_by_email(email):
            raise ConflictError(
                "A user with this email exists.",
                errors=[{"field": "email", "message": "Already taken."}],
            )
        user = User(
            id=uuid.uuid4(),
            email=email,
            name=name,
            role=role,
            password_hash=hash_password(password),
            active=True,
        )
        uow.users.add(user)
        await uow.commit()
        return user


async def count_users(uow: UnitOfWork) -> int:
    async with uow:
        return await uow.users.count()
