"""DDL of the outbox and inbox tables, created in each service's own schema.

Table names are unqualified: the statement runs with the service's schema first on the
search_path (its first Alembic migration does `op.execute(MESSAGING_TABLES_SQL)`). It is a
single `DO` block, so drivers that prepare every statement (SQLAlchemy's asyncpg dialect, as
Alembic uses it) accept it, and it is idempotent.

Outbox rows are DELETED once Kafka acknowledged them: the table holds only what is still to be
published, so the relay's scan stays an index range scan and the lag is `count(*)`. Kafka
keeps the published history. `attempts` / `last_error` record failed publications.

There is no NOTIFY trigger (any more): a NOTIFY in the writer's transaction serializes the
commits of every notifying transaction of the cluster behind a lock held through the WAL flush.
The relay is woken after the commit instead (`wakeup`, ADR 0004). The services' migrations drop
the trigger their first migration created (`drop_outbox_notify_trigger`; the downgrade puts it
back, `restore_outbox_notify_trigger`).
"""

from __future__ import annotations

import asyncpg
from alembic import op

OUTBOX_TABLE = "outbox"
INBOX_TABLE = "inbox"

MESSAGING_TABLES_SQL = """
DO $messaging$
BEGIN
    CREATE TABLE IF NOT EXISTS outbox (
        id          bigserial   PRIMARY KEY,
        event_id    uuid        NOT NULL UNIQUE,
        topic       text        NOT NULL,
        key         text,
        event_type  text        NOT NULL,
        payload     jsonb       NOT NULL,
        headers     jsonb       NOT NULL DEFAULT '{}',
        created_at  timestamptz NOT NULL DEFAULT now(),
        attempts    integer     NOT NULL DEFAULT 0,
        last_error  text
    );
    COMMENT ON TABLE outbox IS
        'Events to publish, in id order; the relay deletes a row once Kafka acknowledged it.';

    CREATE TABLE IF NOT EXISTS inbox (
        event_id     uuid        NOT NULL,
        handler      text        NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, handler)
    );
    COMMENT ON TABLE inbox IS
        'Events already applied, per handler; written in the same transaction as the effect.';
END
$messaging$
"""

DROP_OUTBOX_NOTIFY_TRIGGER_SQL = """
DO $messaging$
BEGIN
    DROP TRIGGER IF EXISTS outbox_notify ON outbox;
    DROP FUNCTION IF EXISTS outbox_notify();
END
$messaging$
"""

OUTBOX_NOTIFY_TRIGGER_SQL = """
DO $messaging$
BEGIN
    CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger
    LANGUAGE plpgsql AS $notify$
    BEGIN
        PERFORM pg_notify('outbox_' || TG_TABLE_SCHEMA, '');
        RETURN NULL;
    END
    $notify$;

    CREATE OR REPLACE TRIGGER outbox_notify
        AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
END
$messaging$
"""
"""The trigger of the first migrations (before ADR 0004's revision); for downgrades only."""


def notify_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel of the relay of the outbox in `schema`."""
    return f"outbox_{schema}"


async def install_messaging_tables(conn: asyncpg.Connection) -> None:
    """Create the tables in the connection's current schema (tests; services use migrations)."""
    await conn.execute(MESSAGING_TABLES_SQL)


def drop_outbox_notify_trigger() -> None:
    """`upgrade()` of each service's revision that removes the trigger (Alembic)."""
    op.execute(DROP_OUTBOX_NOTIFY_TRIGGER_SQL)


def restore_outbox_notify_trigger() -> None:
    """`downgrade()` of that revision."""
    op.execute(OUTBOX_NOTIFY_TRIGGER_SQL)
