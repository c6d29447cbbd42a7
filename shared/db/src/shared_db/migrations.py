"""Apply a service's Alembic migrations inside its own schema.

Each service keeps plain-SQL revisions in `services/<name>/migrations/versions/` and a two-line
`env.py` that calls `run_alembic_env()`. The version table lives in the service's schema, so
services never share migration state.
"""

import asyncio
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(database_url: str, schema: str, script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["database_url"] = database_url
    config.attributes["schema"] = schema
    return config


async def upgrade(database_url: str, schema: str, script_location: Path, revision: str = "head") -> None:
    """Upgrade to `revision`; runs Alembic in a worker thread (it drives its own event loop)."""
    config = alembic_config(database_url, schema, script_location)
    await asyncio.to_thread(command.upgrade, config, revision)


def sqlalchemy_url(database_url: str) -> str:
    """The libpq-style URL the services use, in the form SQLAlchemy's asyncpg dialect takes:
    its driver name, and asyncpg's `ssl` in place of libpq's `sslmode`."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        return database_url
    query = [("ssl" if key == "sslmode" else key, value) for key, value in parse_qsl(parts.query)]
    return urlunsplit(("postgresql+asyncpg", parts.netloc, parts.path, urlencode(query), parts.fragment))


def _migrate(connection: Connection, schema: str) -> None:
    context.configure(
        connection=connection,
        version_table_schema=schema,
        include_schemas=False,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(database_url: str, schema: str) -> None:
    engine = create_async_engine(
        sqlalchemy_url(database_url),
        poolclass=pool.NullPool,
        connect_args={"server_settings": {"search_path": schema}, "timeout": 10},
    )
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate, schema)
            await connection.commit()
    finally:
        await engine.dispose()


def execute_script(sql: str) -> None:
    """Run a multi-statement SQL script inside the current migration's transaction.

    `op.execute` goes through SQLAlchemy's asyncpg dialect, which prepares each statement and so
    refuses several in one string; this uses asyncpg's simple query protocol instead.
    """
    connection = op.get_bind().connection.dbapi_connection
    connection.run_async(lambda raw: raw.execute(sql))  # type: ignore[union-attr]


def run_alembic_env() -> None:
    """Body of every service's `migrations/env.py`."""
    attributes = context.config.attributes
    asyncio.run(_run_online(attributes["database_url"], attributes["schema"]))
