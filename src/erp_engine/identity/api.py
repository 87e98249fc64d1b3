"""HTTP routes for login, token refresh, logout and the current user."""

from __future__ import annotations

from fastapi import Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError as PydanticValidationError

from erp_engine.api.deps import AppSettings, CurrentUser, ReadSession, Uow
from erp_engine.api.routing import SlashRouter
from erp_engine.identity import queries, service
from erp_engine.identity.schemas import LoginBody, RefreshBody, TokenResponse, UserRead

router = SlashRouter(prefix="/auth", tags=["auth"])

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
    "/login", response_model=TokenResponse, operation_id="login", openapi_extra=_LOGIN_BODY
)
async def login(request: Request, uow: Uow, settings: AppSettings):
    credentials = await _credentials(request)
    pair = await service.login(uow, credentials.email, credentials.password, settings=settings)
    return TokenResponse(
        access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
    )


@router.post("/refresh", response_model=TokenResponse, operation_id="refresh_token")
async def refresh(body: RefreshBody, uow: Uow, settings: AppSettings):
    pair = await service.refresh(uow, body.refresh_token, settings=settings)
    return TokenResponse(
        access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, operation_id="logout")
async def logout(body: RefreshBody, _: CurrentUser, uow: Uow):
    await service.logout(uow, body.refresh_token)


@router.get("/me", response_model=UserRead, operation_id="get_me")
async def me(principal: CurrentUser, session: ReadSession):
    return await queries.get_user(session, principal.id)
