"""Only connections whose session a borrower changed pay the pool's full reset.

asyncpg runs its reset query (`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`) on
every connection given back to a pool: one more round trip per borrow, i.e. per request and per
one-statement `pool.fetch...` call. On this platform only the outbox relay leaves session state
behind (its advisory lock, its LISTEN, `synchronous_commit = off`); every other borrower works in
transactions and must not (`shared_messaging.lease`). A borrower that changes its session calls
`session_changed(conn)` first; `resetting_changed_sessions(reset)` is the pool's `reset` that
runs `reset` on those connections only. asyncpg's own release steps stay: an open transaction is
rolled back and listeners are dropped on every connection.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from asyncpg.pool import PoolConnectionProxy

Reset = Callable[[Any], Awaitable[None]]

_changed: weakref.WeakSet[Any] = weakref.WeakSet()


def raw_connection(conn: Any) -> Any:
    """The asyncpg connection behind a pool's proxy (or `conn` itself). Proxies are detached at
    release and take no weak references; the pool resets the connection behind them. asyncpg
    has no public accessor for it."""
    return conn._con if isinstance(conn, PoolConnectionProxy) else conn


def session_changed(conn: Any) -> None:
    """`conn` (a pool connection) gets session state that the next borrower must not inherit."""
    _changed.add(raw_connection(conn))


def resetting_changed_sessions(reset: Reset) -> Reset:
    """A pool `reset` that runs `reset` only on connections marked with `session_changed`."""

    async def reset_if_changed(conn: Any) -> None:
        raw = raw_connection(conn)
        if raw in _changed:
            _changed.discard(raw)
            await reset(conn)

    return reset_if_changed
