"""Bodies for login, tokens and the current user."""

from __future__ import annotations

import uuid

from pydantic import Field

from erp_engine.kernel.roles import Role
from erp_engine.kernel.schema import InputModel, OutputModel, Timestamp


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
