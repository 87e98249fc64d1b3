"""Request dependencies: settings, unit of work, read sessions, the caller, If-Match."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from erp_engine.api.pagination import PageParams, page_params
from erp_engine.errors import ForbiddenError, UnauthorizedError, ValidationError, field_error
from erp_engine.identity import service as identity
from erp_engine.kernel.context import current_actor
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.roles import Role
from erp_engine.settings import Settings
from erp_engine.uow import UnitOfWork

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


# Every dependency is `async def`, even those that never await: FastAPI runs a plain `def`
# dependency in its thread pool, a hand-off to another thread on every request.


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.write_sessions)


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session in a read-only transaction (never takes SQLite's write lock)."""
    async with request.app.state.read_sessions() as session, session.begin():
        yield session


async def get_read_engine(request: Request) -> AsyncEngine:
    """The engine for reads in Core alone (a list page's one statement), which connects for
    just that statement: an ORM session's bookkeeping around it cost a list page a twentieth
    of its CPU, and a dependency yielding the connection (an exit stack per request) more
    than taking it from the pool."""
    return request.app.state.read_engine


async def get_read_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    """The read session factory, for a request that reads on several connections at once."""
    return request.app.state.read_sessions


async def get_principal(
    request: Request,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    """Raises:
    UnauthorizedError: no token, or one that is invalid, expired or revoked.
    """
    if not token:
        raise UnauthorizedError("Send a bearer token in the Authorization header.")
    if token.startswith(identity.API_KEY_PREFIX):
        principal = await identity.principal_for_api_key(request.app.state.read_sessions, token)
    else:
        state = request.app.state
        principal = await identity.principal_for_token(
            state.read_sessions, token, settings=state.settings, callers=state.callers
        )
    request.state.principal = principal
    current_actor.set(principal)
    limits = request.app.state.rate_limits
    await limits.hit(limits.general, principal.kind, str(principal.id))
    return principal


def require(role: Role):
    """A dependency that lets through callers of at least `role`."""

    async def dependency(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.has(role):
            raise ForbiddenError(f"This needs the {role} role or higher.")
        return principal

    dependency.__name__ = f"require_{role}"
    return dependency


_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


async def if_match(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    """The version a client expects, from `If-Match: "<version>"`; `*` means any.

    Raises:
        ValidationError: the header is not a version.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match)
    if not match:
        raise ValidationError(
            'If-Match must be a quoted version such as "3".',
            errors=[field_error("If-Match", "not_a_version", "Not a version.")],
        )
    return int(match.group(1))


Uow = Annotated[UnitOfWork, Depends(get_uow)]
ReadSession = Annotated[AsyncSession, Depends(get_read_session)]
ReadEngine = Annotated[AsyncEngine, Depends(get_read_engine)]
ReadSessions = Annotated[async_sessionmaker[AsyncSession], Depends(get_read_sessions)]
CurrentUser = Annotated[Principal, Depends(get_principal)]
Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Staff = Annotated[Principal, Depends(require(Role.STAFF))]
Manager = Annotated[Principal, Depends(require(Role.MANAGER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
ExpectedVersion = Annotated[int | None, Depends(if_match)]
Paging = Annotated[PageParams, Depends(page_params)]
AppSettings = Annotated[Settings, Depends(get_settings)]
