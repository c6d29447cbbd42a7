"""API clients (hashed secrets) and idempotency records of `x-transaction-id`.

Revision ID: 0002
Revises: 0001
"""

from shared_db.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE IF NOT EXISTS api_clients (
            client_id   text PRIMARY KEY,
            name        text NOT NULL UNIQUE,
            sp_id       text NULL,
            environment text NOT NULL CHECK (environment IN ('sandbox', 'production')),
            roles       text[] NOT NULL
                        CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['distributor', 'merchandising']),
            secret_hash text NOT NULL,
            key_id      text NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now(),
            rotated_at  timestamptz NULL,
            disabled_at timestamptz NULL,
            CHECK (sp_id IS NOT NULL OR NOT ('distributor' = ANY (roles)))
        );
        COMMENT ON COLUMN api_clients.secret_hash IS
            'hex HMAC-SHA256 of the secret under the server key named by key_id; the secret is never stored';

        CREATE TABLE IF NOT EXISTS idempotency_records (
            client_id        text NOT NULL,
            idempotency_key  text NOT NULL,
            fingerprint      text NOT NULL,
            status           text NOT NULL CHECK (status IN ('in_progress', 'done')),
            response_status  integer NULL,
            response_headers jsonb NULL,
            response_body    bytea NULL,
            locked_until     timestamptz NOT NULL,
            created_at       timestamptz NOT NULL DEFAULT now(),
            expires_at       timestamptz NOT NULL,
            PRIMARY KEY (client_id, idempotency_key),
            CHECK (status = 'in_progress' OR response_status IS NOT NULL)
        );
        CREATE INDEX IF NOT EXISTS idempotency_records_expires_at ON idempotency_records (expires_at);
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE IF EXISTS idempotency_records; DROP TABLE IF EXISTS api_clients")
