"""Outbox and inbox tables (shared_messaging) in this service's schema.

Revision ID: 0001
Revises:
"""

from alembic import op

from shared_messaging.schema import MESSAGING_TABLES_SQL

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(MESSAGING_TABLES_SQL)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS inbox; DROP TABLE IF EXISTS outbox")
