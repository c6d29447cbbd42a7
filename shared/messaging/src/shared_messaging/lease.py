"""A pool connection kept for a run of consecutive messages of one partition worker.

Acquiring and releasing per message costs a round trip (the pool resets the session on release);
a worker handling several queued messages in a row keeps one connection instead. Handlers run in
a transaction and must not leave session state behind (`SET` without `LOCAL`, session advisory
locks, `LISTEN`): the next message of the run gets the same session, and the pool resets only
sessions marked with `shared_db.session_state.session_changed`. After any failure the
connection is released (the pool resets or discards it) and the next use acquires a fresh one.
"""

from __future__ import annotations

import asyncpg


class ConnectionLease:
    """`await lease.connection()` acquires on first use; `await lease.release()` gives it back."""

    def __init__(self, pool: asyncpg.Pool, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout
        self._conn: asyncpg.Connection | None = None

    async def connection(self) -> asyncpg.Connection:
        if self._conn is None:
            self._conn = await self._pool.acquire(timeout=self._timeout)
        return self._conn

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._pool.release(conn, timeout=self._timeout)
