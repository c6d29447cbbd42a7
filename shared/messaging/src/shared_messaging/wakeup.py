"""Waking the outbox relay once an outbox write committed, without a NOTIFY in the writer's
transaction.

Why not a trigger: a transaction that NOTIFYs takes a cluster-wide lock at commit and holds it
through its WAL flush, so every writer's commit queued behind the others' (measured on the 2-core
machine, PostgreSQL 15: 8 writers with one event per transaction committed ~470/s with the
NOTIFY trigger, ~750/s without). See ADR 0004.

- `add_event()` calls `watch_commit(conn, schema)`: a one-shot asyncpg query logger (public API)
  on the writer's connection sees the transaction end; after a successful `COMMIT`,
  `outbox_committed(schema)` runs (a rollback wakes nobody).
- `outbox_committed(schema)`: the relay of this process that publishes `schema` is woken
  in-process. When this process's relay stands by (another replica publishes), it sends one
  `NOTIFY outbox_<schema>` in a short transaction of its own with `synchronous_commit = off`
  (no WAL flush under the lock), coalesced: one in flight at a time, and one more after it if
  commits came meanwhile.
- A process with no relay for `schema` wakes nobody; the relay's poll
  (`outbox_poll_interval_seconds`) picks its events up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import Any, Protocol

from shared_db.session_state import raw_connection

_logger = logging.getLogger(__name__)


class Wakeable(Protocol):
    """What a relay offers to be woken (`OutboxRelay`)."""

    @property
    def is_active(self) -> bool: ...

    def wake(self) -> None: ...

    def notify_active_relay(self) -> None: ...


_relays: dict[str, list[Wakeable]] = {}


def register_relay(schema: str, relay: Wakeable) -> None:
    _relays.setdefault(schema, []).append(relay)


def unregister_relay(schema: str, relay: Wakeable) -> None:
    relays = _relays.get(schema, [])
    if relay in relays:
        relays.remove(relay)
    if not relays:
        _relays.pop(schema, None)


def outbox_committed(schema: str) -> None:
    """Events of `schema`'s outbox were committed: wake whoever publishes them."""
    relays = _relays.get(schema)
    if not relays:
        return
    for relay in relays:
        if relay.is_active:
            relay.wake()
            return
    relays[0].notify_active_relay()


class _CommitWatch:
    """A query logger that waits for the end of the connection's transaction, then removes itself."""

    def __init__(self, conn: Any, schema: str) -> None:
        self._conn = conn
        self._schema = schema
        self._done = False

    def __call__(self, record: Any) -> None:
        if self._done:
            return
        query = record.query.lstrip().upper()
        if query.startswith("ROLLBACK TO") or not query.startswith(("COMMIT", "ROLLBACK", "END", "ABORT")):
            return  # a statement of the transaction, or a savepoint's end
        self._done = True
        _watched.pop(self._conn, None)
        self._conn.remove_query_logger(self)
        if record.exception is None and not query.startswith(("ROLLBACK", "ABORT")):
            outbox_committed(self._schema)


_watched: weakref.WeakKeyDictionary[Any, _CommitWatch] = weakref.WeakKeyDictionary()


def watch_commit(conn: Any, schema: str) -> None:
    """Call `outbox_committed(schema)` once the transaction open on `conn` commits (once per
    transaction, however many events it writes)."""
    # The connection itself: the proxy may be detached (released) before the watch runs.
    raw = raw_connection(conn)
    if raw in _watched:
        return
    watch = _CommitWatch(raw, schema)
    _watched[raw] = watch
    raw.add_query_logger(watch)


class CoalescedNotifier:
    """Sends `NOTIFY channel` through `pool` on request: at most one at a time, and one more after
    it when requests came meanwhile. Failures are logged and dropped (the relay's poll covers)."""

    def __init__(self, pool: Any, channel: str, timeout: float) -> None:
        self._pool = pool
        self._channel = channel
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def request(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._again = False
        self._task = asyncio.get_running_loop().create_task(self._send(), name=f"notify-{self._channel}")

    async def _send(self) -> None:
        while True:
            try:
                async with self._pool.acquire(timeout=self._timeout) as conn:
                    await conn.execute(
                        "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')",
                        self._channel,
                        timeout=self._timeout,
                    )
            except Exception as error:
                _logger.debug("NOTIFY %s failed: %r", self._channel, error)
                return
            if not self._again:
                return
            self._again = False

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
