"""Outbox relay: publishes one service's outbox to Kafka, in order, at least once.

- One active relay per schema: it holds a session advisory lock on a dedicated connection, which
  also LISTENs for the outbox trigger's NOTIFY. Other replicas poll for the lock and take over
  within `outbox_lock_retry_seconds` of the holder's session ending.
- Wakes on NOTIFY, and polls every `outbox_poll_interval_seconds` in case a notification is lost.
- Reads a batch in `id` order, sends it with pipelined `send()` futures, waits for the
  acknowledgements within `kafka_send_timeout_seconds`, then deletes the acknowledged rows in one
  statement. A crash between publishing and deleting only means the rows are sent again
  (consumers deduplicate with the inbox).
- Order per (topic, key): a row is deleted only if no earlier row of its key in the batch failed;
  after a failure, later rows of that key wait until the failed one is through. (Within the batch
  that first fails, a later row of the key may already have reached Kafka; with the idempotent
  producer, records of one partition fail together, so in practice that means a duplicate.)
- Failures (Kafka down, database errors) back off exponentially up to `retry_backoff_max_seconds`;
  the relay never exits on its own, except when the test hook `after_publish_before_mark` raises,
  which ends `run()` with `RelayCrash` as a crashed process would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from shared_messaging.backoff import backoff_delay, sleep_unless
from shared_messaging.broker import start_producer, stop_producer
from shared_messaging.schema import OUTBOX_TABLE, notify_channel
from shared_messaging.settings import KafkaSettings
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


async def outbox_lag(pool: asyncpg.Pool, schema: str | None = None) -> tuple[int, float]:
    """Unpublished events and the age in seconds of the oldest (0.0 when there is none).

    Without `schema`, the pool's search_path decides which outbox is read.
    """
    row = await pool.fetchrow(
        f"""
        SELECT count(*) AS pending,
               COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
        FROM {_outbox(schema)}
        """
    )
    return int(row["pending"]), max(0.0, float(row["age"]))


@dataclass(frozen=True)
class _Row:
    id: int
    topic: str
    key: str | None
    value: bytes
    headers: list[tuple[str, bytes]]
    attempts: int

    @property
    def ordering_key(self) -> tuple[str, str] | None:
        return None if self.key is None else (self.topic, self.key)


@dataclass
class BatchOutcome:
    fetched: int = 0
    published: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000] if str(error) else type(error).__name__


def _sendable(rows: Sequence[_Row]) -> list[_Row]:
    """Rows to send now: a row that failed before goes alone; later rows of its key wait for it."""
    blocked: set[tuple[str, str]] = set()
    chosen: list[_Row] = []
    for row in rows:
        key = row.ordering_key
        if key is not None and key in blocked:
            continue
        chosen.append(row)
        if key is not None and row.attempts > 0:
            blocked.add(key)
    return chosen


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
        self.published_total = 0

    @property
    def is_active(self) -> bool:
        """Whether this relay holds the lock (is the one publishing)."""
        return self._active

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

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
                        "outbox relay %s: %s; retrying in %.1f s", self._schema, _describe(error), delay
                    )
                    await sleep_unless(self._stopping, delay)
        finally:
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
        """Return the connection; the pool's reset releases the advisory lock and the LISTEN."""
        try:
            await self._pool.release(conn, timeout=self._settings.outbox_db_timeout_seconds)
        except Exception as error:
            _logger.warning("outbox relay %s: releasing its connection: %s", self._schema, _describe(error))
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
        while not self._stopping.is_set():
            if lost.is_set() or conn.is_closed():
                raise LockLostError("the connection holding the relay lock closed")
            if loop.time() >= next_ping:  # a silently dead lock session must not go unnoticed
                await conn.execute("SELECT 1", timeout=settings.outbox_db_timeout_seconds)
                next_ping = loop.time() + settings.outbox_poll_interval_seconds
            self._wake.clear()
            outcome = await self.publish_batch()
            if loop.time() >= next_lag:
                await self._refresh_lag()
                next_lag = loop.time() + settings.outbox_lag_refresh_seconds
            if outcome.failed and not outcome.published:
                failures += 1
                await sleep_unless(self._stopping, self._backoff(failures))
                continue
            failures = 0
            if outcome.fetched >= settings.outbox_batch_size or outcome.failed:
                continue
            await sleep_unless(self._wake, settings.outbox_poll_interval_seconds)

    async def _refresh_lag(self) -> None:
        pending, age = await outbox_lag(self._pool, self._schema)
        set_outbox_lag(self._service, pending, age)

    # -- one batch ----------------------------------------------------------------------------

    async def _fetch(self) -> list[_Row]:
        records = await self._pool.fetch(
            f"""
            SELECT id, topic, key, payload::text AS value, headers::text AS headers, attempts
            FROM {self._table} ORDER BY id LIMIT $1
            """,
            self._settings.outbox_batch_size,
            timeout=self._settings.outbox_db_timeout_seconds,
        )
        return [
            _Row(
                id=record["id"],
                topic=record["topic"],
                key=record["key"],
                value=record["value"].encode(),
                headers=[
                    (name, str(value).encode()) for name, value in json.loads(record["headers"]).items()
                ],
                attempts=record["attempts"],
            )
            for record in records
        ]

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

    async def _send(self, rows: Sequence[_Row]) -> dict[int, str]:
        """Send `rows` pipelined; the errors by row id (a row absent from it was acknowledged)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settings.kafka_send_timeout_seconds
        errors: dict[int, str] = {}
        try:
            producer = await self._ensure_producer()
        except Exception as error:
            return {row.id: f"producer unavailable: {_describe(error)}" for row in rows}
        futures: dict[int, asyncio.Future[Any]] = {}
        try:
            async with asyncio.timeout_at(deadline):  # one timer for the batch: cheap per record
                for row in rows:
                    try:
                        futures[row.id] = await producer.send(
                            row.topic,
                            value=row.value,
                            key=None if row.key is None else row.key.encode(),
                            headers=row.headers,
                        )
                    except Exception as error:
                        errors[row.id] = _describe(error)
        except TimeoutError:
            for row in rows:
                if row.id not in futures and row.id not in errors:
                    errors[row.id] = "not sent within the send bound"
        if futures:
            await asyncio.wait(futures.values(), timeout=max(0.0, deadline - loop.time()))
        for row_id, future in futures.items():
            if not future.done():
                # Not cancelled (that does not unsend); a late failure must not go unretrieved.
                future.add_done_callback(lambda f: f.cancelled() or f.exception())
                errors[row_id] = "not acknowledged within the send bound"
            elif future.cancelled():
                errors[row_id] = "send cancelled"
            elif (failure := future.exception()) is not None:
                errors[row_id] = _describe(failure)
        return errors

    async def publish_batch(self) -> BatchOutcome:
        """Publish up to one batch and mark it (what the loop does while it holds the lock).

        Public for tests and tools; it does not take the lock, so calling it while another relay
        runs only causes duplicates, never loss.
        """
        rows = await self._fetch()
        outcome = BatchOutcome(fetched=len(rows))
        if not rows:
            return outcome
        to_send = _sendable(rows)
        errors = await self._send(to_send)
        failed_keys: set[tuple[str, str]] = set()
        published: list[_Row] = []
        for row in to_send:
            key = row.ordering_key
            if row.id in errors:
                outcome.failed[row.id] = errors[row.id]
                if key is not None:
                    failed_keys.add(key)
            elif key is None or key not in failed_keys:
                published.append(row)
            # else: acknowledged, but an earlier row of its key was not: it is sent again later.
        outcome.published = [row.id for row in published]
        if published and self._hook is not None:
            try:
                await self._hook(outcome.published)
            except Exception as error:
                raise RelayCrash(_describe(error)) from error
        await self._mark(outcome)
        if published:
            self.published_total += len(published)
            for topic, count in Counter(row.topic for row in published).items():
                count_published(self._service, topic, count)
        if outcome.failed:
            first = next(iter(outcome.failed.values()))
            _logger.warning(
                "outbox relay %s: %d of %d events not published (%s)",
                self._schema,
                len(outcome.failed),
                len(to_send),
                first,
            )
            await self._drop_producer()
        return outcome

    async def _mark(self, outcome: BatchOutcome) -> None:
        if not outcome.published and not outcome.failed:
            return
        timeout = self._settings.outbox_db_timeout_seconds
        async with self._pool.acquire(timeout=timeout) as conn, conn.transaction():
            if outcome.published:
                await conn.execute(
                    f"DELETE FROM {self._table} WHERE id = ANY($1::bigint[])",
                    outcome.published,
                    timeout=timeout,
                )
            if outcome.failed:
                await conn.execute(
                    f"""
                    UPDATE {self._table} AS o SET attempts = o.attempts + 1, last_error = f.error
                    FROM unnest($1::bigint[], $2::text[]) AS f(id, error) WHERE o.id = f.id
                    """,
                    list(outcome.failed),
                    list(outcome.failed.values()),
                    timeout=timeout,
                )
