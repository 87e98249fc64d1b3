"""Event feed cursors: opaque to clients, `(txid, position)` inside.

On PostgreSQL events are ordered by (writing transaction id, position) and the feed stops
before the oldest transaction still running: everything before that point is final, so a
client that always passes the last cursor it saw never misses an event, even one whose
transaction committed after a newer one. SQLite has one writer at a time, so there commit
order is position order and txid is always 0. Only transactions in this database count: a
transaction id is server-wide, but another database cannot write our outbox.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from erp_engine.errors import ValidationError, field_error


@dataclass(frozen=True, order=True, slots=True)
class Cursor:
    txid: int = 0
    position: int = 0

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.txid}:{self.position}".encode()).decode()

    @classmethod
    def decode(cls, text: str | None) -> Cursor:
        """Raises:
        ValidationError: the text is not a cursor this server issued.
        """
        if not text:
            return cls()
        try:
            txid, position = base64.urlsafe_b64decode(text.encode()).decode().split(":")
            return cls(int(txid), int(position))
        except (ValueError, UnicodeDecodeError) as error:
            raise ValidationError(
                "Invalid cursor.",
                errors=[
                    field_error("after", "not_a_cursor", "Pass a cursor from a previous response.")
                ],
            ) from error
