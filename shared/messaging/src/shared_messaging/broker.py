"""Kafka clients with the platform's reliability settings, and bounded start / send / stop.

aiokafka's `send_and_wait()`, `flush()` and `stop()` can wait forever while the broker is down
(aiokafka #1101), so every network wait here goes through `asyncio.wait_for`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata
from faststream.kafka import KafkaBroker

from shared_messaging import aiokafka_uvloop
from shared_messaging.settings import KafkaSettings

aiokafka_uvloop.install()  # before any connection exists (aio-libs/aiokafka#1038)

_logger = logging.getLogger(__name__)

ACCESS_LOGGER = "shared_messaging.faststream"
"""The logger FastStream's brokers log through (see `create_broker`)."""

T = TypeVar("T")

Headers = Sequence[tuple[str, bytes]]


class KafkaUnavailableError(Exception):
    """A Kafka call did not complete within its bound."""


def create_broker(settings: KafkaSettings, service_name: str) -> KafkaBroker:
    """A FastStream broker for `service_name` (consumer group and client id are the service name).

    Topics are provisioned by `shared_messaging.topics`, never created by a subscriber. FastStream
    logs through `ACCESS_LOGGER`, an ordinary logger under the root's handlers (the service's JSON
    lines and `LOG_LEVEL`), its access lines ("Received" / "Processed", one pair per polled batch)
    at DEBUG: per message, the CONSUMER span and `kafka_messages_consumed_total` say more. Without
    a logger of ours, FastStream wrote them at INFO in its own text format, whatever `LOG_LEVEL`.
    """
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        logger=logging.getLogger(ACCESS_LOGGER),
        log_level=logging.DEBUG,
        client_id=service_name,
        graceful_timeout=settings.kafka_graceful_timeout_seconds,
        allow_auto_create_topics=False,
        acks="all",
        enable_idempotence=True,
        linger_ms=settings.kafka_linger_ms,
        request_timeout_ms=settings.kafka_request_timeout_ms,
    )


def create_producer(settings: KafkaSettings, *, client_id: str | None = None) -> AIOKafkaProducer:
    """An idempotent `acks=all` producer (not started): the outbox relay's and the DLQ's."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=settings.kafka_linger_ms,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        max_batch_size=settings.kafka_max_batch_bytes,
    )


async def bounded(awaitable: Awaitable[T], seconds: float, what: str) -> T:
    """Await `awaitable` for at most `seconds`; a timeout becomes `KafkaUnavailableError`."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError as exc:
        raise KafkaUnavailableError(f"{what} did not complete within {seconds:g} s") from exc


async def start_producer(producer: AIOKafkaProducer, settings: KafkaSettings) -> None:
    """Start `producer` within the start bound; on failure it is stopped again (bounded)."""
    try:
        await bounded(producer.start(), settings.kafka_start_timeout_seconds, "Kafka producer start")
    except BaseException:
        await stop_producer(producer, settings)
        raise


async def stop_producer(producer: AIOKafkaProducer, settings: KafkaSettings) -> None:
    """Stop `producer`, giving up after the stop bound (records still buffered are then lost,
    which the outbox tolerates: unmarked rows are sent again)."""
    try:
        await asyncio.wait_for(producer.stop(), settings.kafka_stop_timeout_seconds)
    except TimeoutError:
        _logger.warning("Kafka producer did not stop within %.1f s", settings.kafka_stop_timeout_seconds)
    except Exception:
        _logger.warning("Kafka producer stop failed", exc_info=True)


async def send_and_confirm(
    producer: AIOKafkaProducer,
    settings: KafkaSettings,
    topic: str,
    value: bytes | None,
    *,
    key: bytes | None = None,
    headers: Headers = (),
) -> RecordMetadata:
    """Send one record and wait for the broker's acknowledgement, within the send bound."""

    async def send() -> RecordMetadata:
        future = await producer.send(topic, value=value, key=key, headers=list(headers))
        metadata: RecordMetadata = await future
        return metadata

    return await bounded(send(), settings.kafka_send_timeout_seconds, f"send to {topic}")


async def flush_producer(producer: AIOKafkaProducer, settings: KafkaSettings) -> None:
    await bounded(producer.flush(), settings.kafka_send_timeout_seconds, "Kafka producer flush")


async def start_broker(broker: KafkaBroker, settings: KafkaSettings) -> None:
    """Connect the FastStream broker and start its subscribers (joining their groups), bounded."""
    await bounded(broker.start(), settings.broker_start_timeout_seconds(), "Kafka broker start")


async def stop_broker(broker: KafkaBroker, settings: KafkaSettings) -> None:
    """Stop the broker; subscribers get `graceful_timeout` to finish, then the stop bound applies."""
    limit = settings.kafka_graceful_timeout_seconds + settings.kafka_stop_timeout_seconds
    try:
        await asyncio.wait_for(broker.stop(), limit)
    except TimeoutError:
        _logger.warning("Kafka broker did not stop within %.1f s", limit)
