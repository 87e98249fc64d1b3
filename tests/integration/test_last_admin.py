"""The last active admin survives two admins removing each other at the same moment.

Each of two admins demotes, deactivates or deletes the other in concurrent transactions, on
a database of its own where they are the only admins. One change must win and the other get
409: never zero active admins, never a deadlock. PostgreSQL is where this used to break
(each transaction counted two admins); SQLite runs it too, as its single writer should.
"""

from __future__ import annotations

import asyncio

import pytest

from erp_engine.db.engine import create_engine, create_session_factories
from erp_engine.db.migrate import upgrade
from erp_engine.errors import ConflictError
from erp_engine.identity import service
from erp_engine.kernel.roles import Role
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork
from tests.support.postgres import migrated_database

ROUNDS = 4
PASSWORD = "last-admin-password-9"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'admins.db'}"
        upgrade(url)
        yield url
        return
    with migrated_database("erp_admins") as url:
        yield url


@pytest.fixture
async def uow(database_url):
    engine = create_engine(Settings(_env_file=None, database_url=database_url))
    write, _ = create_session_factories(engine)
    yield lambda: UnitOfWork(write)
    await engine.dispose()


async def active_admins(uow) -> int:
    async with uow() as unit:
        return await unit.users.count_active_admins()


REMOVALS = {
    "demote": lambda uow, target, actor: service.update_user(
        uow(), target.id, {"role": "manager"}, actor=actor.as_principal()
    ),
    "deactivate": lambda uow, target, actor: service.update_user(
        uow(), target.id, {"active": False}, actor=actor.as_principal()
    ),
    "delete": lambda uow, target, actor: service.delete_user(
        uow(), target.id, actor=actor.as_principal()
    ),
}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("demote", "demote"),
        ("deactivate", "deactivate"),
        ("demote", "deactivate"),
        ("delete", "demote"),
    ],
)
async def test_two_admins_removing_each_other_at_once_leave_one_active_admin(uow, first, second):
    a, b = [
        await service.create_user(
            uow(), email=f"{name}@admins.example", name=name, role=Role.ADMIN, password=PASSWORD
        )
        for name in ("a", "b")
    ]
    for _ in range(ROUNDS):
        outcomes = await asyncio.gather(
            REMOVALS[first](uow, b, a), REMOVALS[second](uow, a, b), return_exceptions=True
        )
        refused = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(refused) == 1, outcomes
        assert isinstance(refused[0], ConflictError), refused[0]
        assert await active_admins(uow) == 1
        if first == "delete" and not isinstance(outcomes[0], BaseException):
            return  # b is gone: nothing left to race
        for user in (a, b):  # both admins again for the next round
            await service.update_user(
                uow(), user.id, {"role": "admin", "active": True}, actor=a.as_principal()
            )
