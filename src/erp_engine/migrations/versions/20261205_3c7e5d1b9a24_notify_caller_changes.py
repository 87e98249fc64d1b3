"""notify each worker when a user's access changes (the caller cache's invalidation)

Revision ID: 3c7e5d1b9a24
Revises: 9d3f1a6c2b70
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3c7e5d1b9a24"
down_revision: str | Sequence[str] | None = "9d3f1a6c2b70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Only a trigger: the previous release runs on this schema unchanged (nobody listens).
compatible_with = "9d3f1a6c2b70"

# identity/callers.py listens on this channel and checks that this trigger exists before it
# trusts its copy of the callers; the names are repeated there.
CHANNEL = "erp_users_changed"
TRIGGER = "users_notify_access_change"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: no other process to tell, and the caller cache stays off there.
    op.execute(
        f"""
        CREATE FUNCTION notify_user_access_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', COALESCE(NEW.id, OLD.id)::text);
            RETURN NULL;
        END
        $$
        """
    )
    # Only the columns a request's caller check reads: a login's last_login_at is no news.
    op.execute(
        f"""
        CREATE TRIGGER {TRIGGER}
        AFTER UPDATE OF name, role, active, token_version OR DELETE ON users
        FOR EACH ROW EXECUTE FUNCTION notify_user_access_change()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP TRIGGER {TRIGGER} ON users")
    op.execute("DROP FUNCTION notify_user_access_change()")
