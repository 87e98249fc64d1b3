"""Loads and stores users and refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.audit.model import AuditEntry
from erp_engine.identity.model import ApiKey, RefreshToken, User

_users = User.__table__
# Built once: the caller check runs on every request, and a statement built per call pays
# its construction and cache key again each time.
_ACCESS = select(_users.c.name, _users.c.role, _users.c.active, _users.c.token_version).where(
    _users.c.id == bindparam("user_id")
)


class UserRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(self, user_id: uuid.UUID, *, for_update: bool = False) -> User | None:
        stmt = select(User).where(User.id == user_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def access(self, user_id: uuid.UUID):
        """(name, role, active, token_version) of a user, or None: all a request's caller
        check needs, as a plain row (it runs on every request)."""
        return (await self.session.execute(_ACCESS, {"user_id": user_id})).first()

    async def get_by_email(self, email: str) -> User | None:
        stmt = select(User).where(User.email == email.strip().lower())
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(User)) or 0)

    async def count_active_admins(self) -> int:
        stmt = select(func.count()).where(User.role == "admin", User.active.is_(True))
        return int(await self.session.scalar(stmt) or 0)

    async def lock_active_admins(self) -> list[uuid.UUID]:
        """Lock every active admin's row, in id order, until the transaction ends.

        Two admins demoting each other both count two admins unless they queue here first;
        the fixed order keeps two such transactions from deadlocking. (SQLite ignores
        FOR UPDATE: its one writer at a time already serialises them.)
        """
        stmt = (
            select(User.id)
            .where(User.role == "admin", User.active.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
        return list((await self.session.scalars(stmt)).all())

    async def has_acted(self, user: User) -> bool:
        """Whether anything recorded names `user` as its actor or maker.

        A login, a change, a refused request (all in the audit trail) or an API key it made:
        deleting such a user would leave history pointing at nobody.
        """
        if user.last_login_at is not None:
            return True
        stmt = select(
            or_(
                exists().where(AuditEntry.actor_id == user.id),
                exists().where(ApiKey.created_by == user.id),
            )
        )
        return bool(await self.session.scalar(stmt))

    async def delete(self, user: User) -> None:
        await self.session.delete(user)
        await self.session.flush()

    def add(self, user: User) -> None:
        self.session.add(user)

    async def record_login(self, user_id: uuid.UUID, now: datetime) -> None:
        """Stamp the login time without bumping `version`: logging in edits nothing."""
        stmt = (
            update(User.__table__).where(User.__table__.c.id == user_id).values(last_login_at=now)
        )
        await self.session.execute(stmt)


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, token: RefreshToken) -> None:
        self.session.add(token)

    async def revoke_all_for_user(self, user_id: uuid.UUID, now: datetime) -> None:
        stmt = (
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await self.session.execute(stmt)

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        stmt = (
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await self.session.execute(stmt)


class ApiKeyRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(self, key_id: uuid.UUID, *, for_update: bool = False) -> ApiKey | None:
        stmt = select(ApiKey).where(ApiKey.id == key_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_by_hash(self, key_hash: str) -> ApiKey | None:
        stmt = select(ApiKey).where(ApiKey.key_hash == key_hash)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add(self, key: ApiKey) -> None:
        self.session.add(key)
