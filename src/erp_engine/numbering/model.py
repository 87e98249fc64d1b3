"""Per-type document counters: numbers are taken inside the creating transaction, so gap-free."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from erp_engine.db.base import Base

PREFIXES = {"inbound": "IN", "outbound": "OUT", "adjustment": "ADJ", "transfer": "TRF"}


class DocumentCounter(Base):
    __tablename__ = "document_counters"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger, default=0)


def format_number(kind: str, value: int) -> str:
    return f"{PREFIXES[kind]}-{value:06d}"
