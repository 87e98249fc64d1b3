"""Read side for users."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from erp_engine.errors import NotFoundError
from erp_engine.identity.model import User
from erp_engine.identity.schemas import UserRead


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> UserRead:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError("No user with this id.")
    return UserRead.model_validate(user)
