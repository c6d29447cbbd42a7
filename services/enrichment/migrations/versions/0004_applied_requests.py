"""The answer of every request applied with an `x-transaction-id`, kept with its effect.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE applied_requests (
            sp_id          text NOT NULL,
            environment    text NOT NULL,
            client_id      text NOT NULL,
            transaction_id text NOT NULL,
            fingerprint    text NOT NULL,
            response       jsonb,
            created_at     timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (sp_id, environment, client_id, transaction_id)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE applied_requests")
