"""asyncpg pool whose every wait is bounded and whose search_path is the service's schema."""

import asyncio
import json
from collections.abc import Awaitable, Callable

import asyncpg

# asyncpg has no built-in codec for most array types (text[] aside): it looks each one up in the
# catalog the first time a statement on a connection uses it, one recursive catalog query per type
# (15-25 ms of server planning each), inside whatever request met it first. One statement naming every
# such array type the services bind or read makes that a single lookup when the connection opens.
ARRAY_TYPES = (
    "uuid[]",
    "bigint[]",
    "integer[]",
    "smallint[]",
    "numeric[]",
    "boolean[]",
    "timestamptz[]",
    "timestamp[]",
)
_ARRAY_TYPES_QUERY = "SELECT " + ", ".join(f"NULL::{name}" for name in ARRAY_TYPES)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.fetchrow(_ARRAY_TYPES_QUERY)


async def create_pool(
    dsn: str,
    schema: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    connect_timeout: float = 5.0,
    command_timeout: float = 10.0,
    statement_timeout_ms: int = 10_000,
    reset: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
) -> asyncpg.Pool:
    """Open a pool; connections use `schema` first so SQL can name tables without a prefix.

    `reset` replaces the query asyncpg runs on a connection given back (its default when None).
    """
    creating = asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        timeout=connect_timeout,
        command_timeout=command_timeout,
        init=_init_connection,
        reset=reset,
        server_settings={
            "search_path": schema,
            "statement_timeout": str(statement_timeout_ms),
            "idle_in_transaction_session_timeout": "60000",
        },
    )
    pool: asyncpg.Pool = await asyncio.wait_for(creating, connect_timeout * 2)
    return pool
