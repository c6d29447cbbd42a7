"""Outbox relay: publishes one service's outbox to Kafka, in order, at least once.

- One active relay per schema: it holds a session advisory lock on a dedicated connection, which
  also LISTENs for `NOTIFY outbox_<schema>` and runs every statement of the relay (reads,
  deletes, lag): the relay borrows nothing else from the service's pool, so request traffic
  cannot starve it. Other replicas poll for the lock and take over within
  `outbox_lock_retry_seconds` of the holder's session ending.
- Wakes when a writer's transaction with outbox events committed (`wakeup`: in-process when the
  writer runs in this process, else by a NOTIFY a standby relay of the writer's process sends),
  and polls every `outbox_poll_interval_seconds` for writers that woke nobody.
- Reads a batch in `id` order and hands it to the producer (pipelined `send()` futures). While
  its acknowledgements are pending (within `kafka_send_timeout_seconds`), it reads the next
  batch (every row but the ones in flight, so a row committed late with a lower id is not
  skipped); once the batch is acknowledged, it sends the next one and then deletes the
  acknowledged rows in one statement. A crash between publishing and deleting only means the rows
  are sent again (consumers deduplicate with the inbox).
- Order per (topic, key): see `relay_batch`. The next batch is sent only after the current one
  was acknowledged in full with nothing held back; otherwise the relay reads again from the
  start. (Within the batch that first fails, a later row of the key may already have reached
  Kafka; with the idempotent producer, records of one partition fail together, so in practice
  that means a duplicate.)
- Failures (Kafka down, database errors) back off exponentially up to `retry_backoff_max_seconds`;
  the relay never exits on its own, except when the test hook `after_publish_before_mark` raises,
  which ends `run()` with `RelayCrash` as a crashed process would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from shared_db.session_state import session_changed
from shared_messaging.backoff import backoff_delay, sleep_unless
from shared_messaging.broker import start_producer, stop_producer
from shared_messaging.relay_batch import (
    BatchOutcome,
    InFlight,
    Row,
    await_acks,
    describe,
    evaluate,
    fetch_rows,
    mark,
    start_sends,
    unsent,
)
from shared_messaging.schema import OUTBOX_TABLE, notify_channel
from shared_messaging.settings import KafkaSettings
from shared_messaging.wakeup import CoalescedNotifier, register_relay, unregister_relay
from shared_observability.metrics import count_published, set_outbox_lag

_logger = logging.getLogger(__name__)

ProducerFactory = Callable[[], AIOKafkaProducer]
AfterPublishHook = Callable[[Sequence[int]], Awaitable[None]]


class RelayCrash(Exception):
    """The `after_publish_before_mark` hook raised: the relay stopped as if its process died."""


class LockLostError(Exception):
    """The connection holding the relay's advisory lock is gone."""


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _outbox(schema: str | None) -> str:
    return OUTBOX_TABLE if schema is None else f"{_quote_ident(schema)}.{OUTBOX_TABLE}"


async def outbox_lag(pool: asyncpg.Pool | asyncpg.Connection, schema: str | None = None) -> tuple[int, float]:
    """Unpublished events and the age in seconds of the oldest (0.0 when there is none).

    Without `schema`, the pool's (or connection's) search_path decides which outbox is read.
    """
    row = await pool.fetchrow(
        f"""
        SELECT count(*) AS pending,
               COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
        FROM {_outbox(schema)}
        """
    )
    return int(row["pending"]), max(0.0, float(row["age"]))


class OutboxRelay:
    """Publishes the outbox of `schema` (the service's schema) for `service_name`.

    `producer` is either a started producer the caller owns, or a factory (such as
    `lambda: create_producer(settings)`): the relay then starts it, replaces it after a failed
    batch (dropping records stuck in a dead connection's buffers) and stops it.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer | ProducerFactory,
        service_name: str,
        schema: str,
        settings: KafkaSettings | None = None,
        *,
        after_publish_before_mark: AfterPublishHook | None = None,
    ) -> None:
        self._pool = pool
        if isinstance(producer, AIOKafkaProducer):
            self._producer: AIOKafkaProducer | None = producer
            self._factory: ProducerFactory | None = None
        else:
            self._producer = None
            self._factory = producer
        self._service = service_name
        self._schema = schema
        self._settings = settings or KafkaSettings()
        self._hook = after_publish_before_mark
        self._lock_name = f"outbox-relay:{schema}"
        self._channel = notify_channel(schema)
        self._table = _outbox(schema)
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._active = False
        self._failures = 0
        self._conn: Any = None  # the connection the relay reads and deletes with (the lock's)
        self._in_flight: InFlight | None = None
        self._next_read_at = 0.0  # pacing: see `_fetch`
        self._notifier = CoalescedNotifier(pool, self._channel, self._settings.outbox_db_timeout_seconds)
        self.published_total = 0

    @property
    def is_active(self) -> bool:
        """Whether this relay holds the lock (is the one publishing)."""
        return self._active

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    def wake(self) -> None:
        """Events were committed: look for them now (`wakeup`)."""
        self._wake.set()

    def notify_active_relay(self) -> None:
        """Events were committed in this process while another process publishes: tell it."""
        self._notifier.request()

    async def start(self) -> None:
        """Run the relay in a background task (see `stop`)."""
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self.run(), name=f"outbox-relay-{self._schema}")

    async def stop(self) -> None:
        """Stop the background task (bounded); the lock is released, so a standby takes over."""
        self._stopping.set()
        self._wake.set()
        task = self._task
        if task is None:
            return
        limit = (
            self._settings.kafka_send_timeout_seconds
            + self._settings.kafka_stop_timeout_seconds
            + self._settings.outbox_db_timeout_seconds
        )
        try:
            await asyncio.wait_for(asyncio.shield(task), limit)
        except TimeoutError:
            _logger.warning("outbox relay %s did not stop within %.0f s; cancelling", self._schema, limit)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        except RelayCrash:
            pass  # already logged by run()

    async def run(self) -> None:
        """Lead or stand by until `stop()`; errors back off and retry, never end the loop."""
        self._failures = 0
        register_relay(self._schema, self)
        try:
            while not self._stopping.is_set():
                try:
                    await self._lead()
                    self._failures = 0
                except RelayCrash:
                    _logger.error("outbox relay %s crashed (test hook)", self._schema)
                    raise
                except Exception as error:
                    self._failures += 1
                    delay = self._backoff(self._failures)
                    _logger.warning(
                        "outbox relay %s: %s; retrying in %.1f s", self._schema, describe(error), delay
                    )
                    await sleep_unless(self._stopping, delay)
        finally:
            unregister_relay(self._schema, self)
            await self._notifier.close()
            await self._drop_producer()

    def _backoff(self, failures: int) -> float:
        return backoff_delay(
            failures, self._settings.retry_backoff_initial_seconds, self._settings.retry_backoff_max_seconds
        )

    # -- leadership ---------------------------------------------------------------------------

    async def _acquire_lock(self) -> Any:
        """A pool connection holding the advisory lock, or None once stopping."""
        timeout = self._settings.outbox_db_timeout_seconds
        announced = False
        while not self._stopping.is_set():
            conn = await self._pool.acquire(timeout=timeout)
            session_changed(conn)  # its lock, LISTEN and setting must go with the pool's reset
            try:
                locked = await conn.fetchval(
                    "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", self._lock_name, timeout=timeout
                )
            except BaseException:
                await self._release(conn)
                raise
            if locked:
                return conn
            await self._release(conn)
            if not announced:
                _logger.info("outbox relay %s: another relay is active; standing by", self._schema)
                announced = True
            await sleep_unless(self._stopping, self._settings.outbox_lock_retry_seconds)
        return None

    async def _release(self, conn: Any) -> None:
        """Return the connection; the pool's reset releases the advisory lock and the LISTEN
        (`session_changed`: a pool may reset only such connections)."""
        try:
            await self._pool.release(conn, timeout=self._settings.outbox_db_timeout_seconds)
        except Exception as error:
            _logger.warning("outbox relay %s: releasing its connection: %s", self._schema, describe(error))
            with contextlib.suppress(Exception):
                conn.terminate()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _lead(self) -> None:
        conn = await self._acquire_lock()
        if conn is None:
            return
        lost = asyncio.Event()

        def on_terminated(_: object) -> None:
            lost.set()
            self._wake.set()

        conn.add_termination_listener(on_terminated)
        try:
            # Its deletes need no durability (one lost in a server crash only republishes, which
            # the inbox absorbs): they need not wait for the WAL flush behind the writers' commits.
            # The pool's reset undoes this when the connection goes back.
            await conn.execute(
                "SET synchronous_commit = off", timeout=self._settings.outbox_db_timeout_seconds
            )
            await conn.add_listener(self._channel, self._on_notify)
            self._active = True
            self._failures = 0  # a new incident starts its back-off from the beginning
            _logger.info("outbox relay %s is active", self._schema)
            await self._publish_until_stopped(conn, lost)
        finally:
            self._active = False
            with contextlib.suppress(Exception):
                conn.remove_termination_listener(on_terminated)
            if not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.remove_listener(self._channel, self._on_notify)
            await self._release(conn)

    async def _publish_until_stopped(self, conn: Any, lost: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        settings = self._settings
        failures = 0
        next_ping = loop.time() + settings.outbox_poll_interval_seconds
        next_lag = loop.time()
        self._conn = conn
        try:
            while not self._stopping.is_set():
                if lost.is_set() or conn.is_closed():
                    raise LockLostError("the connection holding the relay lock closed")
                if loop.time() >= next_ping:  # a silently dead lock session must not go unnoticed
                    await conn.execute("SELECT 1", timeout=settings.outbox_db_timeout_seconds)
                    next_ping = loop.time() + settings.outbox_poll_interval_seconds
                if loop.time() >= next_lag:
                    await self._refresh_lag(conn)
                    next_lag = loop.time() + settings.outbox_lag_refresh_seconds
                if self._in_flight is None:
                    self._wake.clear()
                    rows = await self._fetch()
                    if not rows:
                        await sleep_unless(self._wake, settings.outbox_poll_interval_seconds)
                        continue
                    self._in_flight = await self._send(rows)
                batch = self._in_flight
                full = len(batch.rows) >= settings.outbox_batch_size
                upcoming: list[Row] = []
                if batch.whole and (full or self._wake.is_set()):
                    self._wake.clear()  # what was notified until now is read here
                    upcoming = await self._fetch()  # while the batch's acknowledgements come in
                outcome = await self._acks(batch)
                self._in_flight = None
                if upcoming and not outcome.failed and not self._stopping.is_set():
                    self._in_flight = await self._send(upcoming)
                await self._record(conn, outcome)
                if outcome.failed and not outcome.published:
                    failures += 1
                    await sleep_unless(self._stopping, self._backoff(failures))
                    continue
                failures = 0
                if self._in_flight is None and not full and not outcome.failed:
                    await sleep_unless(self._wake, settings.outbox_poll_interval_seconds)
        finally:
            if self._in_flight is not None:
                self._in_flight.abandon()
            self._in_flight = None
            self._conn = None

    async def _refresh_lag(self, conn: Any) -> None:
        pending, age = await outbox_lag(conn, self._schema)
        set_outbox_lag(self._service, pending, age)

    # -- one batch ----------------------------------------------------------------------------

    async def _fetch(self) -> list[Row]:
        """The next rows to publish, on the relay's connection: in `id` order, except the rows of
        the batch in flight (they are still in the table until acknowledged and deleted).

        After a read that found rows but not a full batch, the next read waits until
        `outbox_read_interval_ms` after it: under a steady stream of commits each read, send and
        delete then carries what that interval gathered instead of a row or two. A backlog (full
        batches) is read without a pause, and so is the first commit after a quiet spell."""
        if self._conn is None:
            raise RuntimeError("the relay has no connection")
        loop = asyncio.get_running_loop()
        if (wait := self._next_read_at - loop.time()) > 0:
            await sleep_unless(self._stopping, wait)
        in_flight = () if self._in_flight is None else self._in_flight.ids
        settings = self._settings
        rows = await fetch_rows(
            self._conn, self._table, settings.outbox_batch_size, settings.outbox_db_timeout_seconds, in_flight
        )
        paced = 0 < len(rows) < settings.outbox_batch_size
        self._next_read_at = loop.time() + settings.outbox_read_interval_ms / 1000 if paced else 0.0
        return rows

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            if self._factory is None:
                raise RuntimeError("the relay's producer was stopped")
            producer = self._factory()
            await start_producer(producer, self._settings)
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        """Stop a producer the relay created (never one the caller owns)."""
        if self._factory is not None and self._producer is not None:
            producer, self._producer = self._producer, None
            await stop_producer(producer, self._settings)

    async def _send(self, rows: list[Row]) -> InFlight:
        """Hand `rows` to the producer (a row that failed before goes alone, see `sendable`)."""
        try:
            producer = await self._ensure_producer()
        except Exception as error:
            return unsent(rows, f"producer unavailable: {describe(error)}")
        return await start_sends(producer, rows, self._settings.kafka_send_timeout_seconds)

    async def _acks(self, batch: InFlight) -> BatchOutcome:
        """Wait for the batch's acknowledgements; what is published, what failed."""
        outcome = evaluate(batch, await await_acks(batch))
        if outcome.published and self._hook is not None:
            try:
                await self._hook(outcome.published)
            except Exception as error:
                raise RelayCrash(describe(error)) from error
        return outcome

    async def _mark(self, conn: Any, outcome: BatchOutcome) -> None:
        await mark(conn, self._table, outcome, self._settings.outbox_db_timeout_seconds)

    async def _record(self, conn: Any, outcome: BatchOutcome) -> None:
        """Delete what was published, count it; after a failure, replace the producer."""
        await self._mark(conn, outcome)
        if outcome.published:
            self.published_total += len(outcome.published)
            for topic, count in outcome.published_per_topic.items():
                count_published(self._service, topic, count)
        if outcome.failed:
            first = next(iter(outcome.failed.values()))
            _logger.warning(
                "outbox relay %s: %d of %d events not published (%s)",
                self._schema,
                len(outcome.failed),
                len(outcome.failed) + len(outcome.published),
                first,
            )
            await self._drop_producer()

    async def publish_batch(self) -> BatchOutcome:
        """Publish up to one batch and mark it, on a connection of the pool, without pipelining.

        Public for tests and tools, on a relay that is not running; it does not take the lock, so
        calling it while another relay runs only causes duplicates, never loss.
        """
        if self._conn is not None:
            raise RuntimeError("publish_batch() is for a relay that is not running")
        async with self._pool.acquire(timeout=self._settings.outbox_db_timeout_seconds) as conn:
            self._conn = conn
            try:
                rows = await self._fetch()
                if not rows:
                    return BatchOutcome()
                outcome = await self._acks(await self._send(rows))
                await self._record(conn, outcome)
                return outcome
            finally:
                self._conn = None
