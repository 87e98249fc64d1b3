"""Login, token refresh with rotation, logout, and creating users."""

from __future__ import annotations

import asyncio
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from erp_engine.audit.service import add_event, record_event
from erp_engine.errors import (
    ConflictError,
    NotFoundError,
    UnauthorizedError,
    ValidationError,
    WrongPasswordError,
    field_error,
)
from erp_engine.identity.callers import CallerCache
from erp_engine.identity.model import ApiKey, RefreshToken, User
from erp_engine.identity.passwords import (
    check_password_policy,
    dummy_hash,
    hash_password,
    verify_password,
)
from erp_engine.identity.repository import ApiKeyRepository, UserRepository
from erp_engine.identity.tokens import (
    hash_token,
    issue_access_token,
    new_refresh_token,
    read_access_token,
)
from erp_engine.kernel.changes import apply_changes, check_version
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.roles import Role
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork, transactional

BAD_CREDENTIALS = "Incorrect email or password."
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


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


def _check_password(password: str, password_hash: str | None) -> bool:
    # Unknown users are checked against a dummy hash, so both failures take the same time.
    return verify_password(password, password_hash or dummy_hash()) and password_hash is not None


async def _password_matches(password: str, password_hash: str | None) -> bool:
    """Check a password in a worker thread, outside any transaction.

    argon2 spends about half a second of CPU on purpose: on the event loop it would stall
    every other request, and inside a transaction it would hold a pooled connection (and,
    on SQLite, the write lock) all that time.
    """
    return await asyncio.to_thread(_check_password, password, password_hash)


async def _hash(password: str) -> str:
    """`hash_password` in a worker thread, for the same reasons as `_password_matches`."""
    return await asyncio.to_thread(hash_password, password)


@transactional
async def login(uow: UnitOfWork, email: str, password: str, *, settings: Settings) -> TokenPair:
    """Raises:
    UnauthorizedError: one message for an unknown email and a wrong password alike.
    """
    async with uow:
        user = await uow.users.get_by_email(email)
        user_id, checked_hash = (user.id, user.password_hash) if user else (None, None)
    if await _password_matches(password, checked_hash):
        async with uow:
            user = await uow.users.get(user_id)
            # The hash is compared again: a password changed while this one was checked
            # must not let the old one in.
            if user is not None and user.active and user.password_hash == checked_hash:
                await uow.users.record_login(user.id, utcnow())
                pair = _issue_pair(uow, user, settings, family_id=uuid.uuid4())
                add_event(
                    uow,
                    "auth.login",
                    actor=user.as_principal(),
                    entity_type="user",
                    entity_id=user.id,
                )
                await uow.commit()
                return pair
    await record_event(
        uow,
        "auth.login_failed",
        entity_type="user",
        entity_id=user_id,
        changes={"email": _attempted_email(email, known=user_id is not None)},
    )
    raise UnauthorizedError(BAD_CREDENTIALS)


def _attempted_email(email: str, *, known: bool) -> str:
    # Someone who types a password into the email field must not find it in the audit trail.
    email = email.strip().lower()
    return email if known or _EMAIL.match(email) else "(not an email)"


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
        add_event(
            uow, "auth.refresh", actor=user.as_principal(), entity_type="user", entity_id=user.id
        )
        await uow.commit()
        return pair


@transactional
async def logout(uow: UnitOfWork, refresh_token: str, *, user_id: uuid.UUID) -> None:
    """Revoke the refresh token's family if it is `user_id`'s own.

    Unknown tokens, and other users' (a caller must not end someone else's session), are
    ignored alike: logout always works and says nothing about tokens that are not yours.
    """
    async with uow:
        stored = await uow.refresh_tokens.get_by_hash(hash_token(refresh_token))
        if stored is not None and stored.user_id == user_id:
            await uow.refresh_tokens.revoke_family(stored.family_id, utcnow())
            add_event(uow, "auth.logout", entity_type="user", entity_id=stored.user_id)
        await uow.commit()


async def principal_for_token(
    read_sessions: async_sessionmaker[AsyncSession],
    token: str,
    *,
    settings: Settings,
    callers: CallerCache,
) -> Principal:
    """The acting user behind an access token, as the database knows them now.

    From this worker's caller cache while it is live (callers.py: it hears every change);
    else a bare read session, not a unit of work: this runs before every request, and a
    unit of work's audited session and repositories cost a third more than the query itself.

    Raises:
        UnauthorizedError: bad token, unknown or inactive user, or a token issued before
        the user's access was changed.
    """
    claims = read_access_token(token, settings)
    user = callers.get(claims.user_id)
    if user is None:
        generation = callers.generation
        async with read_sessions() as session:
            user = await UserRepository(session).access(claims.user_id)
        callers.keep(claims.user_id, user, generation)
    if user is None or not user.active or user.token_version != claims.token_version:
        raise UnauthorizedError("Invalid or expired token.")
    return Principal(id=claims.user_id, name=user.name, role=Role(user.role), kind="user")


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
    ValidationError: the password breaks the policy. ConflictError: the email is taken.
    """
    email = email.strip().lower()
    check_password_policy(password, email=email)
    password_hash = await _hash(password)
    async with uow:
        if await uow.users.get_by_email(email):
            raise ConflictError(
                "A user with this email exists.",
                errors=[field_error("email", "taken", "Already taken.")],
            )
        user = User(
            id=uuid.uuid4(),
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            active=True,
        )
        uow.users.add(user)
        await uow.commit()
        return user


async def _get_user(uow: UnitOfWork, user_id: uuid.UUID) -> User:
    user = await uow.users.get(user_id, for_update=True)
    if user is None:
        raise NotFoundError("No user with this id.")
    return user


async def _end_sessions(uow: UnitOfWork, user: User) -> None:
    """Make every token of `user` stop working on its next use."""
    user.token_version += 1
    await uow.refresh_tokens.revoke_all_for_user(user.id, utcnow())


@transactional
async def update_user(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    actor: Principal,
    expected_version: int | None = None,
) -> User:
    """Change name, role or active. Demotion and deactivation take effect on the next request.

    Raises:
        NotFoundError, PreconditionFailedError,
        ConflictError: the change would leave no active admin.
    """
    async with uow:
        if changes.keys() & {"role", "active"}:
            # Before the target's own row, so every such change locks in the same order.
            await uow.users.lock_active_admins()
        user = await _get_user(uow, user_id)
        check_version(user.version, expected_version)
        was_admin = user.role == Role.ADMIN and user.active
        loses_access = (changes.get("active") is False and user.active) or (
            "role" in changes and Role(changes["role"]).rank < Role(user.role).rank
        )
        apply_changes(user, changes)
        if was_admin and not (user.role == Role.ADMIN and user.active):
            await uow.session.flush()
            if await uow.users.count_active_admins() == 0:
                raise ConflictError("The last active admin cannot be demoted or deactivated.")
        if loses_access:
            await _end_sessions(uow, user)
        await uow.commit()
        return user


@transactional
async def reset_password(
    uow: UnitOfWork, user_id: uuid.UUID, new_password: str, *, actor: Principal
) -> User:
    """An admin sets a new password; the user's sessions end.

    Raises:
        NotFoundError, ValidationError.
    """
    async with uow:
        email = (await _get_user(uow, user_id)).email
    check_password_policy(new_password, email=email, field="new_password")
    password_hash = await _hash(new_password)
    async with uow:
        user = await _get_user(uow, user_id)
        user.password_hash = password_hash
        await _end_sessions(uow, user)
        await uow.commit()
        return user


@transactional
async def change_own_password(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    current_password: str,
    new_password: str,
    *,
    settings: Settings,
) -> TokenPair:
    """Change one's own password: other sessions end, this one gets fresh tokens.

    Raises:
        NotFoundError,
        WrongPasswordError: the current password is wrong. ValidationError: the policy.
    """
    async with uow:
        user = await _get_user(uow, user_id)
        email, checked_hash = user.email, user.password_hash
    wrong = WrongPasswordError(
        "The current password is wrong.",
        errors=[field_error("current_password", "does_not_match", "Does not match.")],
    )
    if not await _password_matches(current_password, checked_hash):
        raise wrong
    check_password_policy(new_password, email=email, field="new_password")
    password_hash = await _hash(new_password)
    async with uow:
        user = await _get_user(uow, user_id)
        if user.password_hash != checked_hash:
            raise wrong  # changed or reset meanwhile: what was checked is no longer current
        user.password_hash = password_hash
        await _end_sessions(uow, user)
        pair = _issue_pair(uow, user, settings, family_id=uuid.uuid4())
        await uow.commit()
        return pair


@transactional
async def delete_user(uow: UnitOfWork, user_id: uuid.UUID, *, actor: Principal) -> None:
    """Delete a user who never acted; one who did must be deactivated (history names it).

    Raises:
        NotFoundError, ConflictError: the user has acted, is the caller, or the last admin.
    """
    async with uow:
        await uow.users.lock_active_admins()
        user = await _get_user(uow, user_id)
        if user.id == actor.id:
            raise ConflictError("You cannot delete yourself.")
        if await uow.flows.has_actor(user.id) or await uow.users.has_acted(user):
            raise ConflictError(
                "This user has acted (logged in, changed data or created API keys), and the "
                "history names it: deactivate it instead."
            )
        if user.role == Role.ADMIN and user.active and await uow.users.count_active_admins() <= 1:
            raise ConflictError("The last active admin cannot be deleted.")
        await uow.users.delete(user)
        await uow.commit()


API_KEY_PREFIX = "erp_"


@transactional
async def create_api_key(
    uow: UnitOfWork, *, name: str, role: Role, expires_at: datetime | None, actor: Principal
) -> tuple[ApiKey, str]:
    """Return the key and its secret; the secret is never stored and never shown again.

    Raises:
        ValidationError: `expires_at` is not in the future.
    """
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationError(
            "A key cannot expire before it is made.",
            errors=[field_error("expires_at", "not_in_future", "Must be in the future.")],
        )
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)  # 256 bits from the OS CSPRNG
    async with uow:
        key = ApiKey(
            id=uuid.uuid4(),
            name=name,
            role=role,
            prefix=secret[:12],
            key_hash=hash_token(secret),
            expires_at=expires_at,
            created_by=actor.id,
            created_at=utcnow(),
        )
        uow.api_keys.add(key)
        await uow.commit()
        return key, secret


@transactional
async def revoke_api_key(uow: UnitOfWork, key_id: uuid.UUID, *, actor: Principal) -> None:
    """Raises:
    NotFoundError: no such key.
    """
    async with uow:
        key = await uow.api_keys.get(key_id, for_update=True)
        if key is None:
            raise NotFoundError("No API key with this id.")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
        await uow.commit()


async def principal_for_api_key(
    read_sessions: async_sessionmaker[AsyncSession], secret: str
) -> Principal:
    """The API key behind a secret, as the database knows it now (a bare read session, as
    `principal_for_token`: this runs before every request the key makes).

    Raises:
        UnauthorizedError: unknown, revoked or expired key.
    """
    async with read_sessions() as session:
        key = await ApiKeyRepository(session).get_by_hash(hash_token(secret))
    if key is None or not key.usable(utcnow()):
        raise UnauthorizedError("Invalid, revoked or expired API key.")
    return key.as_principal()


async def count_users(uow: UnitOfWork) -> int:
    async with uow:
        return await uow.users.count()
