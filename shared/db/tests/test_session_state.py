"""The pool resets only sessions a borrower marked as changed; transactions are always ended."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio

from shared_db.session_state import resetting_changed_sessions, session_changed


async def _full_reset(conn: asyncpg.Connection) -> None:
    await conn.execute(conn.get_reset_query())


@pytest_asyncio.fixture
async def one_connection_pool(pg_admin_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(
        pg_admin_url, min_size=1, max_size=1, reset=resetting_changed_sessions(_full_reset)
    )
    try:
        yield pool
    finally:
        await pool.close()


async def _holds_advisory_locks(conn: asyncpg.Connection) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
    )


async def test_a_marked_session_is_reset_for_the_next_borrower(one_connection_pool: asyncpg.Pool) -> None:
    async with one_connection_pool.acquire() as conn:
        session_changed(conn)
        await conn.execute("SELECT pg_advisory_lock(4242)")
        await conn.execute("SET work_mem = '7MB'")
    async with one_connection_pool.acquire() as conn:
        assert not await _holds_advisory_locks(conn)
        assert await conn.fetchval("SHOW work_mem") != "7MB"


async def test_an_unmarked_session_is_given_back_without_the_reset_query(
    one_connection_pool: asyncpg.Pool,
) -> None:
    queries: list[str] = []

    def log(record: asyncpg.connection.LoggedQuery) -> None:
        queries.append(record.query)

    async with one_connection_pool.acquire() as conn:
        raw = conn._con  # the connection behind the proxy, which the pool resets
        raw.add_query_logger(log)
        await conn.fetchval("SELECT 1")
    raw.remove_query_logger(log)
    assert queries == ["SELECT 1"]


async def test_a_transaction_left_open_is_still_rolled_back(one_connection_pool: asyncpg.Pool) -> None:
    async with one_connection_pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("CREATE TEMPORARY TABLE left_open (n integer) ON COMMIT DROP")
    async with one_connection_pool.acquire() as conn:
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
