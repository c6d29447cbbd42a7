"""What happens to one consumed record: envelope and model checks, inbox and handlers in one
transaction, retries, DLQ; inside a CONSUMER span continuing the producer's trace.

- no `ce_type` or a malformed envelope -> DLQ; a `ce_type` this service does not handle -> ack,
  ignored (tolerant reader), counted but without a span; a value failing its model (or not
  JSON) -> DLQ;
- otherwise each handler of the type runs in its own transaction with its inbox claim
  (`claim(conn, meta.id, handler_name)`);
- `PermanentError` -> DLQ at once; database / network errors (`TRANSIENT_ERRORS`) -> retried with
  back-off, never DLQ'd; any other error -> retried up to `handler_max_attempts`, then DLQ
  (`INTERNAL`). Retrying in place is bounded by `consumer_retry_window_seconds`; then the
  outcome is "retry" (the dispatcher seeks back to the record).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from pydantic import BaseModel, ValidationError

from shared_contracts.envelope import CE_ID, CE_TYPE, X_TRACE_ID, CloudEventMeta, EnvelopeError, external_meta
from shared_contracts.errors import ErrorBody
from shared_db import DATABASE_UNAVAILABLE_ERRORS
from shared_messaging.backoff import backoff_delay
from shared_messaging.dispatch import Outcome
from shared_messaging.dlq import (
    DeadLetterPublisher,
    PermanentError,
    envelope_error_body,
    internal_error_body,
    validation_error_body,
)
from shared_messaging.handlers import Handler, handler_name
from shared_messaging.inbox import claim
from shared_messaging.kafka_records import header as _header
from shared_messaging.lease import ConnectionLease
from shared_messaging.settings import KafkaSettings
from shared_observability.kafka_headers import extract_from_headers
from shared_observability.metrics import count_consumed, count_dlq
from shared_observability.propagation import X_TRACE_ID_ATTRIBUTE, raw_x_trace_id

# The name it had before the split from `consumer`: log filters keep working.
_logger = logging.getLogger("shared_messaging.consumer")
_tracer = trace.get_tracer("shared_messaging")

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    *DATABASE_UNAVAILABLE_ERRORS,
    asyncpg.TransactionRollbackError,
)
"""Infrastructure failures: the message is retried until they pass, never dead-lettered."""


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
        ce_type = _header(headers, CE_TYPE)
        if ce_type and ce_type not in self._handlers:
            # Another service's event on a shared topic: counted, not traced (no work was done).
            count_consumed(self._service, record.topic, ce_type, "ignored")
            return "ignored"
        context = extract_from_headers(headers)
        x_trace_id = raw_x_trace_id(context) or _header(headers, X_TRACE_ID)
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
                    record.topic,
                    key=record.key,
                    value=value,
                    headers=list(record.headers or ()),
                    error=error,
                    origin=f"{record.topic}[{record.partition}]@{record.offset}",
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
