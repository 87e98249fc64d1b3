"""Bodies for login, tokens and the current user."""

from __future__ import annotations

import uuid

from pydantic import Field

from erp_engine.kernel.roles import Role
from erp_engine.kernel.schema import InputModel, OutputModel, Timestamp, UtcDateTime


class LoginBody(InputModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class RefreshBody(InputModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class TokenResponse(OutputModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    refresh_token: str


class UserRead(OutputModel):
    id: uuid.UUID
    email: str
    name: str
    role: Role
    active: bool
    created_at: Timestamp
    last_login_at: Timestamp | None
    version: int


class PasswordChange(InputModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordReset(InputModel):
    new_password: str = Field(min_length=1, max_length=1024)


class UserCreate(InputModel):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=1, max_length=1024)


class UserUpdate(InputModel):
    name: str = Field(default=None, min_length=1, max_length=200)
    role: Role = None
    active: bool = None


class ApiKeyCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    expires_at: UtcDateTime | None = None


class ApiKeyRead(OutputModel):
    id: uuid.UUID
    name: str
    role: Role
    prefix: str
    expires_at: Timestamp | None
    created_by: uuid.UUID | None
    created_at: Timestamp
    revoked_at: Timestamp | None


class ApiKeyCreated(ApiKeyRead):
    secret: str = Field(description="shown once; store it now")
