"""Read model of enrichment's sub-orders: tenant, site address and installation dates.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from shared_db.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE sub_orders (
            sub_order_id          text PRIMARY KEY,
            order_id              text NOT NULL,
            sp_id                 text NOT NULL,
            environment           text NOT NULL CHECK (environment IN ('sandbox', 'production')),
            site_address          jsonb NOT NULL,
            installation_complete boolean NOT NULL DEFAULT false,
            requested_start       date,
            requested_due         date,
            updated_at            timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX sub_orders_order_id ON sub_orders (order_id);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE sub_orders")
