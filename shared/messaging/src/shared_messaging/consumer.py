"""Consuming: `subscribe()` registers a FastStream batch subscriber per topic.

The pieces, one module each:
- `handlers`: a handler is `async def handle(conn, event, meta)`; its inbox name;
- `processor`: what happens to one record (envelope and model checks, inbox and handlers in one
  transaction, retries, DLQ, the CONSUMER span);
- `dispatch`: per-partition workers (partitions concurrently, each strictly in order);
- `offsets`: positions of handled messages committed in the background, on revocation and on stop;
- `subscription`: one topic's subscription (rebalance listener, pause / resume);
- `kafka_records`: FastStream glue (records as the body, a parser tolerant of odd headers).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from itertools import chain
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from pydantic import BaseModel

from shared_contracts.events import EVENT_TYPES
from shared_contracts.topics import EXTERNAL_TOPICS
from shared_messaging.dlq import DeadLetterPublisher
from shared_messaging.handlers import Handler, NamedHandler, handler_name
from shared_messaging.kafka_records import Records, raw_records, tolerant_parser
from shared_messaging.processor import TRANSIENT_ERRORS, MessageProcessor
from shared_messaging.settings import KafkaSettings
from shared_messaging.subscription import Subscription, SubscriptionListener, pause_all, resume_all

__all__ = [
    "TRANSIENT_ERRORS",
    "Handler",
    "MessageProcessor",
    "NamedHandler",
    "Subscription",
    "handler_name",
    "pause_all",
    "resume_all",
    "subscribe",
]


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
        return await tolerant_parser(records, original)

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
        max_poll_interval_ms=settings.max_poll_interval_ms(),
        listener=SubscriptionListener(subscription),
        parser=parse,
        decoder=raw_records,
        title=f"{group_id}:{topic}",
    )
    subscriber(consume)
    _poll_without_pause(subscriber, settings.consumer_poll_timeout_ms, settings.consumer_fetch_linger_ms)
    _close_before_stopping(subscriber, subscription)
    subscription.subscriber = subscriber
    return subscription


def _poll_without_pause(subscriber: Any, timeout_ms: int, linger_ms: int) -> None:
    """Poll as FastStream's batch subscriber does, minus its pause after an empty poll, plus a
    short one after a poll that returned records.

    `getmany` returns as soon as records arrive, or empty after `timeout_ms`; FastStream then
    sleeps `timeout_ms` more, during which an arriving record waits. Without that sleep a long
    timeout costs no latency, and an idle subscriber loops twice a second instead of fifty times.

    After records, the next poll starts `linger_ms` after the previous one at the earliest. The
    fetcher sends a node's next fetch only once its buffered records were taken, so under a steady
    stream this bounds the fetch requests to one per `linger_ms` (each with what arrived meanwhile)
    instead of one per record; a record that finds the subscriber idle is not delayed.
    Shadowed on the instance, as `_close_before_stopping` does: FastStream has no hook for it.
    """
    linger = linger_ms / 1000
    last_records_at: float | None = None

    async def get_msg(consumer: AIOKafkaConsumer) -> tuple[ConsumerRecord[Any, Any], ...]:
        nonlocal last_records_at
        if last_records_at is not None:
            wait = last_records_at + linger - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        fetched = await consumer.getmany(timeout_ms=timeout_ms, max_records=subscriber.max_records)
        records = tuple(chain.from_iterable(fetched.values()))
        last_records_at = time.monotonic() if records and linger > 0 else None
        return records

    subscriber.get_msg = get_msg


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
