"""Users and their refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from erp_engine.db.base import Base
from erp_engine.db.columns import Timestamped, UUIDKey
from erp_engine.db.types import UTCDateTime
from erp_engine.kernel.clock import utcnow
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.roles import Role


class User(UUIDKey, Timestamped, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped when the user must lose access now (deactivation, demotion, password reset).
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint("role IN ('viewer', 'staff', 'manager', 'admin')", name="role"),
    )

    def as_principal(self) -> Principal:
        return Principal(id=self.id, name=self.name, role=Role(self.role), kind="user")


class RefreshToken(UUIDKey, Base):
    """A rotating refresh token; reuse of a rotated one revokes its whole family."""

    __tablename__ = "refresh_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiKey(UUIDKey, Base):
    """A bearer secret for machines. Only its hash and a display prefix are stored."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("role IN ('viewer', 'staff', 'manager', 'admin')", name="role"),
    )

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def as_principal(self) -> Principal:
        return Principal(
            id=self.id, name=f"API key {self.name}", role=Role(self.role), kind="api_key"
        )
