"""Connections of the services' pools know every array type before their first statement."""

from __future__ import annotations

import uuid

import asyncpg

from shared_db.pool import ARRAY_TYPES, create_pool


async def test_array_types_are_looked_up_once_when_a_connection_opens(pg_admin_url: str) -> None:
    pool = await create_pool(pg_admin_url, "public", min_size=1, max_size=1)
    queries: list[str] = []

    def log(record: asyncpg.connection.LoggedQuery) -> None:
        queries.append(record.query)

    try:
        async with pool.acquire() as conn:
            raw = conn._con  # type: ignore[attr-defined]
            raw.add_query_logger(log)
            for name in ARRAY_TYPES:
                await conn.fetchval(f"SELECT $1::{name}", None)
            raw.remove_query_logger(log)
        # Only the statements themselves: no catalog lookup of a type (asyncpg's introspection).
        assert queries == [f"SELECT $1::{name}" for name in ARRAY_TYPES]
        async with pool.acquire() as conn:
            identifier = uuid.uuid4()
            assert await conn.fetchval("SELECT $1::uuid[]", [identifier]) == [identifier]
    finally:
        await pool.close()
