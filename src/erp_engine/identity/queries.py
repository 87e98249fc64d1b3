"""Read side for users and API keys."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.db.pagination import Page, PageParams, order_by, paginate
from erp_engine.db.search import any_contains, contains_pattern
from erp_engine.errors import NotFoundError
from erp_engine.identity.model import ApiKey, User
from erp_engine.identity.schemas import ApiKeyRead, UserRead


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> UserRead:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError("No user with this id.")
    return UserRead.model_validate(user)


USER_SORTS = {
    "email": User.email,
    "name": User.name,
    "role": User.role,
    "created_at": User.created_at,
    "last_login_at": User.last_login_at,
}


async def list_users(
    session: AsyncSession,
    params: PageParams,
    *,
    q: str | None = None,
    role: str | None = None,
    active: bool | None = None,
) -> Page[UserRead]:
    stmt = select(User)
    if q:
        stmt = stmt.where(any_contains(contains_pattern(q), User.email, func.lower(User.name)))
    if role:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active == active)
    stmt = stmt.order_by(*order_by(params.sort, USER_SORTS, [User.email, User.id]))
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[UserRead.model_validate(r[0]) for r in rows],
        count=total,
        page=params.page,
        limit=params.limit,
    )


async def list_api_keys(
    session: AsyncSession, params: PageParams, *, active: bool | None = None
) -> Page[ApiKeyRead]:
    stmt = select(ApiKey)
    if active is not None:
        stmt = stmt.where(ApiKey.revoked_at.is_(None) if active else ApiKey.revoked_at.is_not(None))
    stmt = stmt.order_by(
        *order_by(
            params.sort,
            {"created_at": ApiKey.created_at, "name": ApiKey.name},
            [ApiKey.created_at.desc(), ApiKey.id],
        )
    )
    rows, total = await paginate(session, stmt, params)
    return Page(
        data=[ApiKeyRead.model_validate(r[0]) for r in rows],
        count=total,
        page=params.page,
        limit=params.limit,
    )


async def get_api_key(session: AsyncSession, key_id: uuid.UUID) -> ApiKeyRead:
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFoundError("No API key with this id.")
    return ApiKeyRead.model_validate(key)
