"""Consuming: a FastStream subscriber per topic, with inbox, DLQ, retries, tracing and pause.

The subscriber polls in batches and hands the records to per-partition workers (`dispatch`):
partitions are handled concurrently, each strictly in order; offsets of handled messages are
committed in the background, on revocation and on stop (`offsets`).

Per message, inside a CONSUMER span continuing the producer's trace:
- no `ce_type` or a malformed envelope -> DLQ; a `ce_type` this service does not handle -> ack,
  ignored (tolerant reader); a value failing its model (or not JSON) -> DLQ;
- otherwise each handler of the type runs in its own transaction with its inbox claim
  (`claim(conn, meta.id, handler_name)`), and the offset is recorded for commit only after they
  committed;
- `PermanentError` -> DLQ at once; database / network errors -> retried with back-off, never
  DLQ'd; any other error -> retried up to `handler_max_attempts`, then DLQ (`INTERNAL`).
Retrying in place is bounded by `consumer_retry_window_seconds`; after it the message is handed
back (seek to its offset) so the poll loop stays alive, and it comes round again at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from pydantic import BaseModel, ValidationError

from shared_contracts.envelope import (
    CE_ID,
    CE_TYPE,
    X_TRACE_ID,
    CloudEventMeta,
    EnvelopeError,
    external_meta,
)
from shared_contracts.errors import ErrorBody
from shared_contracts.events import EVENT_TYPES
from shared_contracts.topics import EXTERNAL_TOPICS
from shared_messaging.backoff import backoff_delay
from shared_messaging.dispatch import Outcome, PartitionDispatcher, RecordProcessor
from shared_messaging.dlq import (
    DeadLetterPublisher,
    PermanentError,
    envelope_error_body,
    internal_error_body,
    validation_error_body,
)
from shared_messaging.inbox import claim
from shared_messaging.lease import ConnectionLease
from shared_messaging.offsets import OffsetCommitter
from shared_messaging.settings import KafkaSettings
from shared_observability.kafka_headers import extract_from_headers
from shared_observability.metrics import count_consumed, count_dlq
from shared_observability.propagation import X_TRACE_ID_ATTRIBUTE, raw_x_trace_id

_logger = logging.getLogger(__name__)
_tracer = trace.get_tracer("shared_messaging")

Handler = Callable[[asyncpg.Connection, Any, CloudEventMeta], Awaitable[None]]
"""`async def handle(conn, event, meta)`: runs in an open transaction of `conn`."""


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # the client connection's state (closed, pool closing), not the message
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
    asyncpg.TransactionRollbackError,
)
"""Infrastructure failures: the message is retried until they pass, never dead-lettered."""


@dataclass(frozen=True)
class NamedHandler:
    """A handler with an explicit, stable inbox name (survives renaming the function)."""

    name: str
    handler: Handler

    async def __call__(self, conn: asyncpg.Connection, event: Any, meta: CloudEventMeta) -> None:
        await self.handler(conn, event, meta)


def handler_name(handler: Handler) -> str:
    """The inbox name of `handler`: its `NamedHandler` name, else `module.qualname`."""
    if isinstance(handler, NamedHandler):
        return handler.name
    module = getattr(handler, "__module__", None) or type(handler).__module__
    qualname = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return f"{module}.{qualname}"


def _header(headers: Sequence[tuple[str, bytes | None]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name and value:
            return value.decode("utf-8", errors="replace")
    return None


async def _raw_records(message: StreamMessage[Any]) -> Any:
    """Decoder: the subscriber's function gets the aiokafka records themselves (parsing values is
    ours: bad JSON -> DLQ). Taking them as the body, typed `Any`, rather than through a
    `KafkaMessage` annotation spares FastStream's dependency injection a worker-thread hop (it
    resolves that context value with a synchronous call in a thread)."""
    return message.raw_message


Records = tuple[ConsumerRecord[Any, Any], ...]


async def _tolerant_parser(
    records: Records, original: Callable[[Records], Awaitable[StreamMessage[Any]]]
) -> StreamMessage[Any]:
    """FastStream's parser fails on a header that is not UTF-8 or has no value, and records that
    fail to parse would be skipped without a trace; parse cleaned copies instead, keeping the
    original records (handling reads their own headers; the DLQ keeps them)."""
    try:
        return await original(records)
    except (UnicodeDecodeError, AttributeError):
        cleaned = tuple(
            dataclasses.replace(
                record,
                headers=[
                    (name, (value or b"").decode("utf-8", errors="replace").encode())
                    for name, value in record.headers
                ],
            )
            for record in records
        )
        message = await original(cleaned)
        message.raw_message = records
        return message


class _SubscriptionListener(ConsumerRebalanceListener):  # type: ignore[misc]
    """Before revoked partitions go: finish their messages in hand and commit how far they were
    processed. Partitions assigned during a pause stay paused."""

    def __init__(self, subscription: Subscription) -> None:
        self._subscription = subscription

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        await self._subscription.dispatcher.revoked(revoked)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        self._subscription.dispatcher.assigned(assigned)
        consumer = self._subscription.consumer
        if self._subscription.paused and consumer is not None:
            consumer.pause(*assigned)


class _Unsubscribed:
    """The processor of a Subscription made outside `subscribe()`: it handles nothing."""

    def lease(self) -> ConnectionLease:
        raise RuntimeError("a Subscription made outside subscribe() handles nothing")

    async def process(
        self, record: ConsumerRecord[Any, Any], lease: ConnectionLease | None = None
    ) -> Outcome:
        raise RuntimeError("a Subscription made outside subscribe() handles nothing")


class Subscription:
    """One topic's subscriber; `pause()` stops fetching and starting messages (nothing is lost),
    `resume()` goes on. Its partitions are handled concurrently, each in order (`dispatcher`),
    and their offsets committed in the background (`offsets`)."""

    def __init__(
        self,
        topic: str,
        group_id: str,
        settings: KafkaSettings | None = None,
        processor: RecordProcessor | None = None,
    ) -> None:
        settings = settings or KafkaSettings()
        self.topic = topic
        self.group_id = group_id
        self.paused = False
        self.subscriber: Any = None
        self.offsets = OffsetCommitter(topic, lambda: self.consumer, settings)
        self.dispatcher = PartitionDispatcher(
            topic,
            processor or _Unsubscribed(),
            self.offsets,
            lambda: self.consumer,
            lambda: self.paused,
            settings,
        )

    @property
    def consumer(self) -> AIOKafkaConsumer | None:
        consumer: AIOKafkaConsumer | None = getattr(self.subscriber, "consumer", None)
        return consumer

    def pause(self) -> None:
        self.paused = True
        consumer = self.consumer
        if consumer is not None:
            consumer.pause(*consumer.assignment())

    def resume(self) -> None:
        self.paused = False
        consumer = self.consumer
        if consumer is not None:
            consumer.resume(*(consumer.assignment() - self.dispatcher.fetch_paused()))
        self.dispatcher.wake()

    async def close(self) -> None:
        """Before the consumer stops: finish the messages in hand, commit what was processed."""
        await self.dispatcher.close()


def pause_all(subscriptions: Iterable[Subscription]) -> None:
    for subscription in subscriptions:
        subscription.pause()


def resume_all(subscriptions: Iterable[Subscription]) -> None:
    for subscription in subscriptions:
        subscription.resume()


class MessageProcessor:
    """What happens to one record of `topic` (independent of FastStream, so it can be tested alone)."""

    def __init__(
        self,
        *,
        topic: str,
        group_id: str,
        service_name: str,
        handlers: Mapping[str, Handler | Sequence[Handler]],
        pool: asyncpg.Pool,
        dlq: DeadLetterPublisher,
        settings: KafkaSettings,
        models: Mapping[str, type[BaseModel]],
        external: bool,
    ) -> None:
        self._topic = topic
        self._group_id = group_id
        self._service = service_name
        self._handlers: dict[str, list[tuple[str, Handler]]] = {}
        for ce_type, given in handlers.items():
            if ce_type not in models:
                raise ValueError(f"no model for handled event type {ce_type!r}")
            listed = [given] if callable(given) else list(given)
            named = [(handler_name(handler), handler) for handler in listed]
            if len({name for name, _ in named}) != len(named):
                raise ValueError(f"two handlers of {ce_type!r} share an inbox name")
            self._handlers[ce_type] = named
        self._pool = pool
        self._dlq = dlq
        self._settings = settings
        self._models = models
        self._external = external
        self._attempts: dict[tuple[str, int, int], int] = {}

    def lease(self) -> ConnectionLease:
        """A connection lease for a run of messages (see `shared_messaging.lease`)."""
        return ConnectionLease(self._pool, self._settings.outbox_db_timeout_seconds)

    async def process(
        self, record: ConsumerRecord[Any, Any], lease: ConnectionLease | None = None
    ) -> Outcome:
        """Handle one record (on the connection of `lease`, if given; else on one of its own);
        "retry" means: do not commit, deliver it again."""
        if lease is None:
            own = self.lease()
            try:
                return await self.process(record, own)
            finally:
                await own.release()
        headers: list[tuple[str, bytes | None]] = list(record.headers or ())
        context = extract_from_headers(headers)
        x_trace_id = raw_x_trace_id(context) or _header(headers, X_TRACE_ID)
        ce_type = _header(headers, CE_TYPE)
        attributes: dict[str, str | int] = {
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": record.topic,
            "messaging.destination.partition.id": str(record.partition),
            "messaging.kafka.offset": record.offset,
            "messaging.consumer.group.name": self._group_id,
        }
        if x_trace_id:
            attributes[X_TRACE_ID_ATTRIBUTE] = x_trace_id
        if ce_type:
            attributes["cloudevents.event_type"] = ce_type
        if ce_id := _header(headers, CE_ID):
            attributes["messaging.message.id"] = ce_id
        if record.key is not None:
            attributes["messaging.kafka.message.key"] = bytes(record.key).decode("utf-8", errors="replace")
        with _tracer.start_as_current_span(
            f"{record.topic} process", context=context, kind=SpanKind.CONSUMER, attributes=attributes
        ) as span:
            try:
                outcome = await self._process(record, headers, ce_type, x_trace_id, span, lease)
            except Exception as error:  # a defect of ours must not drop or block the message
                _logger.exception(
                    "%s[%d]@%d: unexpected failure", record.topic, record.partition, record.offset
                )
                outcome = await self._dead_letter(record, internal_error_body(error, 1, x_trace_id), span)
            span.set_attribute("messaging.outcome", outcome)
        count_consumed(self._service, record.topic, ce_type or "-", outcome)
        return outcome

    async def _process(
        self,
        record: ConsumerRecord[Any, Any],
        headers: list[tuple[str, bytes | None]],
        ce_type: str | None,
        x_trace_id: str | None,
        span: Span,
        lease: ConnectionLease,
    ) -> Outcome:
        if not ce_type:
            return await self._dead_letter(
                record, envelope_error_body("missing header ce_type", x_trace_id), span
            )
        if ce_type not in self._handlers:
            return "ignored"
        try:
            meta = self._meta(record, headers)
        except EnvelopeError as error:
            return await self._dead_letter(record, envelope_error_body(str(error), x_trace_id), span)
        trace_id = x_trace_id or meta.x_trace_id
        try:
            event = self._models[ce_type].model_validate_json(record.value or b"")
        except ValidationError as error:
            return await self._dead_letter(record, validation_error_body(error, trace_id), span)
        return await self._apply(record, event, meta, trace_id, span, lease)

    def _meta(
        self, record: ConsumerRecord[Any, Any], headers: list[tuple[str, bytes | None]]
    ) -> CloudEventMeta:
        if not self._external:
            return CloudEventMeta.from_headers(headers)
        return external_meta(
            headers,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=None if record.key is None else bytes(record.key).decode("utf-8", errors="replace"),
            timestamp=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        )

    async def _run_handlers(self, event: Any, meta: CloudEventMeta, lease: ConnectionLease) -> bool:
        applied = False
        for name, handler in self._handlers[meta.type]:
            conn = await lease.connection()
            try:
                async with conn.transaction():
                    if await claim(conn, meta.id, name):
                        await handler(conn, event, meta)
                        applied = True
            except BaseException:
                await lease.release()  # the session may be broken: the next try gets a fresh one
                raise
        return applied

    def _delay(self, failures: int) -> float:
        return backoff_delay(
            failures, self._settings.retry_backoff_initial_seconds, self._settings.retry_backoff_max_seconds
        )

    async def _apply(
        self,
        record: ConsumerRecord[Any, Any],
        event: Any,
        meta: CloudEventMeta,
        trace_id: str | None,
        span: Span,
        lease: ConnectionLease,
    ) -> Outcome:
        loop = asyncio.get_running_loop()
        window_ends = loop.time() + self._settings.consumer_retry_window_seconds
        position = (record.topic, record.partition, record.offset)
        failures = 0
        while True:
            try:
                applied = await self._run_handlers(event, meta, lease)
            except PermanentError as error:
                self._attempts.pop(position, None)
                return await self._dead_letter(record, error.error_body(trace_id), span)
            except TRANSIENT_ERRORS as error:
                _logger.warning("%s %s: transient failure, retrying: %r", record.topic, meta.id, error)
            except Exception as error:
                attempts = self._attempts.get(position, 0) + 1
                self._attempts[position] = attempts
                if attempts >= self._settings.handler_max_attempts:
                    self._attempts.pop(position, None)
                    _logger.exception("%s %s: failed %d times; to the DLQ", record.topic, meta.id, attempts)
                    return await self._dead_letter(
                        record, internal_error_body(error, attempts, trace_id), span
                    )
                _logger.warning("%s %s: attempt %d failed: %r", record.topic, meta.id, attempts, error)
            else:
                self._attempts.pop(position, None)
                return "ok" if applied else "duplicate"
            failures += 1
            delay = self._delay(failures)
            if loop.time() + delay > window_ends:
                return "retry"
            await asyncio.sleep(delay)

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], error: ErrorBody, span: Span) -> Outcome:
        span.set_status(Status(StatusCode.ERROR, f"{error.code}: {error.message}"[:500]))
        span.set_attribute("error.type", error.code)
        loop = asyncio.get_running_loop()
        window_ends = loop.time() + self._settings.consumer_retry_window_seconds
        value = record.value if record.value is not None or record.key is not None else b""
        failures = 0
        while True:
            try:
                await self._dlq.publish(
                    record.topic, key=record.key, value=value, headers=list(record.headers or ()), error=error
                )
            except Exception as failure:
                _logger.warning("%s: DLQ publish failed, retrying: %r", record.topic, failure)
            else:
                _logger.warning(
                    "%s[%d]@%d dead-lettered: %s %s",
                    record.topic,
                    record.partition,
                    record.offset,
                    error.code,
                    error.message,
                )
                count_dlq(self._service, record.topic, error.code)
                return "dlq"
            failures += 1
            delay = self._delay(failures)
            if loop.time() + delay > window_ends:
                return "retry"
            await asyncio.sleep(delay)


def subscribe(
    broker: KafkaBroker,
    topic: str,
    *,
    group_id: str,
    handlers: Mapping[str, Handler | Sequence[Handler]],
    pool: asyncpg.Pool,
    dlq: DeadLetterPublisher,
    settings: KafkaSettings | None = None,
    models: Mapping[str, type[BaseModel]] = EVENT_TYPES,
    external: bool | None = None,
    service_name: str | None = None,
) -> Subscription:
    """Register a subscriber of `topic` for the consumer group `group_id` (the service's name).

    `handlers` maps a `ce_type` to its handler (or several, each with its own inbox claim);
    `models` maps a `ce_type` to the pydantic model its value must satisfy (default: every
    event of the contracts, including the OMS commands whose value is an HTTP request body).
    `external` (default: whether `topic` is written by the OMS) accepts messages whose only
    CloudEvents header is `ce_type`, deriving the id from the record's position.
    Register before the broker starts.
    """
    settings = settings or KafkaSettings()
    processor = MessageProcessor(
        topic=topic,
        group_id=group_id,
        service_name=service_name or group_id,
        handlers=handlers,
        pool=pool,
        dlq=dlq,
        settings=settings,
        models=models,
        external=topic in EXTERNAL_TOPICS if external is None else external,
    )
    subscription = Subscription(topic, group_id, settings, processor)

    async def parse(
        records: Records, original: Callable[[Records], Awaitable[StreamMessage[Any]]]
    ) -> StreamMessage[Any]:
        subscription.dispatcher.fetched(records)
        return await _tolerant_parser(records, original)

    async def consume(records: Any) -> None:
        subscription.dispatcher.submit(records)

    # A batch subscriber: FastStream's per-message work (middlewares, dependency injection,
    # access log) is paid once per poll, and the records go straight to the partition workers.
    subscriber = broker.subscriber(
        topic,
        batch=True,
        batch_timeout_ms=settings.consumer_poll_timeout_ms,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        max_poll_interval_ms=int(max(60.0, 3 * settings.consumer_retry_window_seconds) * 1000),
        listener=_SubscriptionListener(subscription),
        parser=parse,
        decoder=_raw_records,
        title=f"{group_id}:{topic}",
    )
    subscriber(consume)
    _close_before_stopping(subscriber, subscription)
    subscription.subscriber = subscriber
    return subscription


def _close_before_stopping(subscriber: Any, subscription: Subscription) -> None:
    """Run `subscription.close()` when the broker stops the subscriber, before its consumer stops.

    FastStream offers no per-subscriber stop hook: the subscriber's bound `stop` is shadowed on
    the instance (the broker calls `subscriber.stop()`).
    """
    stop_subscriber = subscriber.stop

    async def stop() -> None:
        try:
            await subscription.close()
        finally:
            await stop_subscriber()

    subscriber.stop = stop
