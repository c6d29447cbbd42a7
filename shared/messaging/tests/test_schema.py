"""The outbox/inbox DDL runs as one Alembic `op.execute` (SQLAlchemy's asyncpg dialect)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared_db.migrations import alembic_config, sqlalchemy_url, upgrade
from shared_messaging.schema import MESSAGING_TABLES_SQL, drop_outbox_notify_trigger, notify_channel


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
        assert triggers == 0  # no NOTIFY trigger: the relay is woken after the commit
    finally:
        await engine.dispose()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


def test_notify_channel_is_derived_from_the_schema():
    assert notify_channel("inventory") == "outbox_inventory"


REPO_ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("gateway", "enrichment", "appointment", "inventory", "fulfillment")


@pytest.mark.parametrize("service", SERVICES)
async def test_each_services_migrations_drop_the_outbox_notify_trigger_and_the_downgrade_restores_it(
    pg_admin_url, service
):
    """The head has no trigger; downgraded to the revision before the one dropping it (a database
    migrated before), it has it again, and upgrading drops it."""
    migrations = REPO_ROOT / "services" / service / "migrations"
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(pg_admin_url)
    await admin.execute(f"CREATE SCHEMA {schema}")

    async def triggers() -> int:
        return int(
            await admin.fetchval(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal",
                f"{schema}.outbox",
            )
        )

    try:
        await upgrade(pg_admin_url, schema, migrations, "head")
        assert await triggers() == 0
        config = alembic_config(pg_admin_url, schema, migrations)
        dropping = [
            script
            for script in ScriptDirectory.from_config(config).walk_revisions()
            if getattr(script.module, "upgrade", None) is drop_outbox_notify_trigger
        ]
        assert len(dropping) == 1
        await asyncio.to_thread(command.downgrade, config, str(dropping[0].down_revision))
        assert await triggers() == 1
        await upgrade(pg_admin_url, schema, migrations, "head")
        assert await triggers() == 0
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()
