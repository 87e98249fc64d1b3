"""Imports every model so that `Base.metadata` is complete (for Alembic and tests)."""

from erp_engine.audit import model as audit_model
from erp_engine.catalog import model as catalog_model
from erp_engine.db import row_counts
from erp_engine.db.base import Base
from erp_engine.documents import model as documents_model
from erp_engine.events import model as events_model
from erp_engine.flows import model as flows_model
from erp_engine.identity import model as identity_model
from erp_engine.insights import model as insights_model
from erp_engine.ledger import model as ledger_model
from erp_engine.numbering import model as numbering_model
from erp_engine.ops import model as ops_model
from erp_engine.warehouses import model as warehouses_model
from erp_engine.webhooks import model as webhooks_model

__all__ = [
    "Base",
    "audit_model",
    "catalog_model",
    "documents_model",
    "events_model",
    "flows_model",
    "identity_model",
    "insights_model",
    "ledger_model",
    "numbering_model",
    "ops_model",
    "row_counts",
    "warehouses_model",
    "webhooks_model",
]
