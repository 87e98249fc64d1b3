"""Who is acting: a user, an API key or the system itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from erp_engine.kernel.roles import Role


@dataclass(frozen=True, slots=True)
class Principal:
    id: uuid.UUID
    name: str
    role: Role
    kind: str = "user"  # user | api_key | system

    def has(self, role: Role) -> bool:
        return self.role.at_least(role)


SYSTEM = Principal(id=uuid.UUID(int=0), name="system", role=Role.ADMIN, kind="system")
