"""The outbox/inbox DDL runs as one Alembic `op.execute` (SQLAlchemy's asyncpg dialect)."""

from __future__ import annotations

import uuid

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared_db.migrations import sqlalchemy_url
from shared_messaging.schema import MESSAGING_TABLES_SQL, notify_channel


async def test_ddl_runs_through_sqlalchemy_in_the_schema_on_the_search_path_and_is_idempotent(pg_admin_url):
    schema = f"ddl_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(pg_admin_url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    engine = create_async_engine(
        sqlalchemy_url(pg_admin_url),
        connect_args={"server_settings": {"search_path": schema}},
    )
    try:
        for _ in range(2):  # as `op.execute(MESSAGING_TABLES_SQL)` does, twice
            async with engine.begin() as conn:
                await conn.execute(text(MESSAGING_TABLES_SQL))
        tables = await admin.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", schema
        )
        assert [row["table_name"] for row in tables] == ["inbox", "outbox"]
        triggers = await admin.fetchval(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal",
            f"{schema}.outbox",
        )
        assert triggers == 1
    finally:
        await engine.dispose()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


def test_notify_channel_is_derived_from_the_schema():
    assert notify_channel("inventory") == "outbox_inventory"
