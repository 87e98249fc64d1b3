"""HTTP routes for login and tokens, the current user, users and API keys."""

from __future__ import annotations

import uuid

from fastapi import Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError as PydanticValidationError

from erp_engine.api.deps import (
    Admin,
    AppSettings,
    CurrentUser,
    ExpectedVersion,
    Paging,
    ReadSession,
    Uow,
)
from erp_engine.api.responses import created, set_etag
from erp_engine.api.routing import SlashRouter
from erp_engine.db.pagination import Page
from erp_engine.errors import ForbiddenError, UnauthorizedError, WrongPasswordError
from erp_engine.identity import queries, service
from erp_engine.identity.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    LoginBody,
    PasswordChange,
    PasswordReset,
    RefreshBody,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from erp_engine.kernel.context import current_request
from erp_engine.kernel.roles import Role
from erp_engine.ops.idempotency import answer_holds_a_secret

router = SlashRouter(prefix="/auth", tags=["auth"])
# Answers with tokens or a key secret: an Idempotency-Key retry never gets them again.
ISSUES_SECRETS = [Depends(answer_holds_a_secret)]

_LOGIN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LoginBody.model_json_schema()},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "username": {"type": "string", "description": "the email"},
                        "password": {"type": "string"},
                        "grant_type": {"type": "string"},
                        "scope": {"type": "string"},
                    },
                }
            },
        },
    }
}


async def _credentials(request: Request) -> LoginBody:
    """JSON `{email, password}`, or the OAuth2 password form (`username` is the email)."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            return LoginBody(
                email=str(form.get("username") or form.get("email") or ""),
                password=str(form.get("password") or ""),
            )
        return LoginBody.model_validate_json(await request.body())
    except PydanticValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        ) from error


@router.post(
    "/login",
    response_model=TokenResponse,
    operation_id="login",
    openapi_extra=_LOGIN_BODY,
    dependencies=ISSUES_SECRETS,
)
async def login(request: Request, uow: Uow, settings: AppSettings):
    credentials = await _credentials(request)
    limits = request.app.state.rate_limits
    await limits.hit(
        limits.login_ip,
        "login-ip",
        current_request.get().ip or "-",
        what="login attempts from this address",
    )
    # Only failures count per account, so a user under attack can still log in until the
    # attacker has spent the account's budget; past it no guess reaches argon2 at all.
    async with limits.failures(
        limits.login_account,
        *_account(credentials.email),
        what="failed logins for this account",
        failure=UnauthorizedError,
    ):
        pair = await service.login(uow, credentials.email, credentials.password, settings=settings)
    return _tokens(pair)


def _account(email: str) -> tuple[str, ...]:
    """The per-account budget of password guesses, shared by login and password change."""
    return ("login-account", email.strip().lower())


def _tokens(pair: service.TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
    )


@router.post(
    "/refresh",
    response_model=TokenResponse,
    operation_id="refresh_token",
    dependencies=ISSUES_SECRETS,
)
async def refresh(body: RefreshBody, uow: Uow, settings: AppSettings):
    return _tokens(await service.refresh(uow, body.refresh_token, settings=settings))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, operation_id="logout")
async def logout(body: RefreshBody, principal: CurrentUser, uow: Uow):
    await service.logout(uow, body.refresh_token, user_id=principal.id)


@router.get("/me", response_model=UserRead, operation_id="get_me")
async def me(principal: CurrentUser, session: ReadSession):
    return await queries.get_user(session, principal.id)


@router.post(
    "/password",
    response_model=TokenResponse,
    operation_id="change_password",
    dependencies=ISSUES_SECRETS,
)
async def change_password(
    request: Request, body: PasswordChange, principal: CurrentUser, uow: Uow, settings: AppSettings
):
    """Change your own password; other sessions end and this one gets fresh tokens."""
    if principal.kind != "user":
        raise ForbiddenError("API keys have no password.")
    async with request.app.state.read_sessions() as session, session.begin():
        email = (await queries.get_user(session, principal.id)).email
    limits = request.app.state.rate_limits
    # A stolen session must not become a way to guess the password without the login limit.
    async with limits.failures(
        limits.login_account,
        *_account(email),
        what="wrong passwords for this account",
        failure=WrongPasswordError,
    ):
        pair = await service.change_own_password(
            uow, principal.id, body.current_password, body.new_password, settings=settings
        )
    return _tokens(pair)


users = SlashRouter(prefix="/users", tags=["users"])
api_keys = SlashRouter(prefix="/api-keys", tags=["api keys"])


@users.get("", response_model=Page[UserRead], operation_id="list_users")
async def list_users(
    _: Admin,
    session: ReadSession,
    paging: Paging,
    q: str | None = None,
    role: Role | None = None,
    active: bool | None = None,
):
    return await queries.list_users(session, paging, q=q, role=role, active=active)


@users.post(
    "", response_model=UserRead, status_code=status.HTTP_201_CREATED, operation_id="create_user"
)
async def create_user(
    body: UserCreate, _: Admin, uow: Uow, session: ReadSession, response: Response
):
    user = await service.create_user(
        uow, email=body.email, name=body.name, role=body.role, password=body.password
    )
    created(response, f"/api/v1/users/{user.id}", user.version)
    return await queries.get_user(session, user.id)


@users.get("/{user_id}", response_model=UserRead, operation_id="get_user")
async def get_user(user_id: uuid.UUID, _: Admin, session: ReadSession, response: Response):
    user = await queries.get_user(session, user_id)
    set_etag(response, user.version)
    return user


@users.patch("/{user_id}", response_model=UserRead, operation_id="update_user")
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    actor: Admin,
    uow: Uow,
    session: ReadSession,
    response: Response,
    expected: ExpectedVersion,
):
    user = await service.update_user(
        uow, user_id, body.model_dump(exclude_unset=True), actor=actor, expected_version=expected
    )
    set_etag(response, user.version)
    return await queries.get_user(session, user_id)


@users.post("/{user_id}/password", response_model=UserRead, operation_id="reset_password")
async def reset_password(
    user_id: uuid.UUID, body: PasswordReset, actor: Admin, uow: Uow, session: ReadSession
):
    await service.reset_password(uow, user_id, body.new_password, actor=actor)
    return await queries.get_user(session, user_id)


@users.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="delete_user")
async def delete_user(user_id: uuid.UUID, actor: Admin, uow: Uow):
    await service.delete_user(uow, user_id, actor=actor)


@api_keys.get("", response_model=Page[ApiKeyRead], operation_id="list_api_keys")
async def list_api_keys(_: Admin, session: ReadSession, paging: Paging, active: bool | None = None):
    return await queries.list_api_keys(session, paging, active=active)


@api_keys.post(
    "",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_api_key",
    dependencies=ISSUES_SECRETS,
)
async def create_api_key(body: ApiKeyCreate, actor: Admin, uow: Uow, response: Response):
    key, secret = await service.create_api_key(
        uow, name=body.name, role=body.role, expires_at=body.expires_at, actor=actor
    )
    created(response, f"/api/v1/api-keys/{key.id}")
    return ApiKeyCreated.model_validate(
        {**ApiKeyRead.model_validate(key).model_dump(), "secret": secret}
    )


@api_keys.get("/{key_id}", response_model=ApiKeyRead, operation_id="get_api_key")
async def get_api_key(key_id: uuid.UUID, _: Admin, session: ReadSession):
    return await queries.get_api_key(session, key_id)


@api_keys.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="revoke_api_key")
async def revoke_api_key(key_id: uuid.UUID, actor: Admin, uow: Uow):
    await service.revoke_api_key(uow, key_id, actor=actor)
