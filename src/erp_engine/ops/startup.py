"""Checks a production server makes before it accepts traffic."""

from __future__ import annotations

import logging

from sqlalchemy import select

from erp_engine.identity.model import User
from erp_engine.settings import Settings, env_file_is_world_readable

logger = logging.getLogger("erp_engine.startup")
DEMO_ADMIN_EMAIL = "admin@example.com"


class UnsafeProductionError(RuntimeError):
    """The configuration must not serve production traffic."""


async def production_problems(settings: Settings, read_sessions) -> list[str]:
    """Everything that makes this installation unsafe to run as production."""
    problems = settings.production_problems()
    async with read_sessions() as session:
        demo = await session.scalar(
            select(User.id).where(User.email == DEMO_ADMIN_EMAIL, User.active.is_(True))
        )
    if demo is not None:
        problems.append(
            f"the demo admin {DEMO_ADMIN_EMAIL} is active; deactivate it "
            '(PATCH /api/v1/users/{id} {"active": false}) after creating your own admin'
        )
    return problems


async def check_production(settings: Settings, read_sessions) -> None:
    """Raises:
    UnsafeProductionError: in production with a weak secret or the demo admin active.
    """
    if not settings.is_production:
        return
    problems = await production_problems(settings, read_sessions)
    if problems:
        raise UnsafeProductionError("refusing to serve production: " + "; ".join(problems))
    if env_file_is_world_readable():
        logger.warning(".env is readable by other users; run chmod 600 .env")
