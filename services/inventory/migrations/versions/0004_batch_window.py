"""The batch window's shared state: one row, read by every replica and every write.

Revision ID: 0004
Revises: 0003
"""

from shared_db.migrations import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE batch_window (
    singleton            boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    manual_since         timestamptz,
    manual_reason        text,
    skip_scheduled_until timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    updated_by           text
);
INSERT INTO batch_window DEFAULT VALUES;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script("DROP TABLE IF EXISTS batch_window")
