"""Fixtures of the messaging tests: fast settings, an outbox schema (and an `applied` table in it),
topics with their DLQs, relays, consumers and a raw producer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar

import pytest
import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient

from shared_contracts.events import Event
from shared_contracts.topics import dlq
from shared_messaging.schema import install_messaging_tables
from shared_messaging.settings import KafkaSettings
from shared_messaging.topics import ensure_topics


class Ping(Event):
    """A test event: `seq` counts per aggregate."""

    event_type: ClassVar[str] = "TestPing"
    topic: ClassVar[str] = "test.ping.v1"

    aggregate_id: str
    seq: int

    def partition_key(self) -> str:
        return self.aggregate_id


class Pong(Event):
    event_type: ClassVar[str] = "TestPong"
    topic: ClassVar[str] = "test.ping.v1"

    aggregate_id: str

    def partition_key(self) -> str:
        return self.aggregate_id


TEST_MODELS = {Ping.event_type: Ping, Pong.event_type: Pong}


def fast_settings(bootstrap: str) -> KafkaSettings:
    return KafkaSettings(
        kafka_bootstrap_servers=bootstrap,
        kafka_request_timeout_ms=3_000,
        kafka_start_timeout_seconds=5,
        kafka_send_timeout_seconds=5,
        kafka_stop_timeout_seconds=5,
        kafka_graceful_timeout_seconds=5,
        outbox_poll_interval_seconds=0.5,
        outbox_lock_retry_seconds=0.2,
        outbox_lag_refresh_seconds=0.5,
        retry_backoff_initial_seconds=0.05,
        retry_backoff_max_seconds=0.5,
        handler_max_attempts=3,
        consumer_retry_window_seconds=5,
    )


@pytest.fixture
def ping() -> type[Ping]:
    return Ping


@pytest.fixture
def models() -> dict[str, type[Event]]:
    return dict(TEST_MODELS)


@pytest.fixture
def settings(kafka_bootstrap: str) -> KafkaSettings:
    return fast_settings(kafka_bootstrap)


@pytest_asyncio.fixture(loop_scope="session")
async def outbox_schema(scratch_schema):  # type: ignore[no-untyped-def]
    """The scratch schema with the outbox and inbox tables."""
    async with scratch_schema.pool.acquire() as conn:
        await install_messaging_tables(conn)
    return scratch_schema


@pytest.fixture
async def applied_table(outbox_schema):
    """The outbox schema's pool, with an `applied` table for `pings.recorder`."""
    await outbox_schema.pool.execute(
        "CREATE TABLE applied (id serial, handler text, aggregate_id text, seq int)"
    )
    return outbox_schema.pool


TopicFactory = Callable[..., Awaitable[str]]


@pytest_asyncio.fixture(loop_scope="session")
async def event_topic(
    new_topic: TopicFactory, kafka_bootstrap: str, kafka_admin: AIOKafkaAdminClient
) -> AsyncIterator[TopicFactory]:
    """`await event_topic(partitions=3)`: a fresh topic and its `<topic>.dlq`."""
    dlqs: list[str] = []

    async def make(partitions: int = 3) -> str:
        name = await new_topic(f"msg.{uuid.uuid4().hex[:4]}", partitions=partitions)
        await ensure_topics(kafka_bootstrap, [name], partitions)
        dlqs.append(dlq(name))
        return name

    yield make
    if dlqs:
        await kafka_admin.delete_topics(dlqs)


@pytest_asyncio.fixture(loop_scope="session")
async def start_relay(outbox_schema, settings: KafkaSettings):  # type: ignore[no-untyped-def]
    """`await start_relay(**options)`: a running relay on the outbox schema, stopped afterwards."""
    from shared_messaging.broker import create_producer
    from shared_messaging.relay import OutboxRelay

    relays: list[OutboxRelay] = []

    async def start(
        relay_settings: KafkaSettings | None = None,
        *,
        service_name: str = "test-service",
        pool: Any = None,
        **options: Any,
    ) -> OutboxRelay:
        used = relay_settings or settings
        relay = OutboxRelay(
            pool or outbox_schema.pool,
            lambda: create_producer(used),
            service_name,
            outbox_schema.name,
            used,
            **options,
        )
        await relay.start()
        relays.append(relay)
        return relay

    yield start
    for relay in relays:
        await relay.stop()


class ConsumerStarter:
    """`await start_consumer(topic, handlers=..., pool=..., **subscribe_options)`: a started
    FastStream broker (a replica) with one subscription; `await start_consumer.stop(subscription)`
    stops that replica. Each call without `group_id` gets a fresh consumer group."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.settings = settings
        self.running: dict[int, tuple[Any, Any, KafkaSettings]] = {}

    async def __call__(
        self,
        topic: str,
        *,
        group_id: str | None = None,
        consumer_settings: KafkaSettings | None = None,
        **options: Any,
    ) -> Any:
        from shared_messaging.broker import create_broker, start_broker
        from shared_messaging.consumer import subscribe
        from shared_messaging.dlq import DeadLetterPublisher

        used = consumer_settings or self.settings
        group = group_id or f"svc-{uuid.uuid4().hex[:8]}"
        broker = create_broker(used, group)
        dlq_publisher = DeadLetterPublisher(used)
        options.setdefault("models", dict(TEST_MODELS))
        subscription = subscribe(broker, topic, group_id=group, dlq=dlq_publisher, settings=used, **options)
        await start_broker(broker, used)
        self.running[id(subscription)] = (broker, dlq_publisher, used)
        return subscription

    async def stop(self, subscription: Any) -> None:
        from shared_messaging.broker import stop_broker

        broker, dlq_publisher, used = self.running.pop(id(subscription))
        await stop_broker(broker, used)
        await dlq_publisher.stop()

    async def stop_all(self) -> None:
        for key in list(self.running):
            broker, dlq_publisher, used = self.running.pop(key)
            from shared_messaging.broker import stop_broker

            await stop_broker(broker, used)
            await dlq_publisher.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def start_consumer(settings: KafkaSettings) -> AsyncIterator[ConsumerStarter]:
    starter = ConsumerStarter(settings)
    yield starter
    await starter.stop_all()


@pytest_asyncio.fixture(loop_scope="session")
async def send_raw(settings: KafkaSettings):  # type: ignore[no-untyped-def]
    """`await send_raw(topic, value, headers=[...], key=b"...")`: one record, as any producer would."""
    from shared_messaging.broker import create_producer, send_and_confirm, start_producer, stop_producer

    producer = create_producer(settings)
    await start_producer(producer, settings)

    async def send(topic: str, value: bytes | None, *, headers=(), key: bytes | None = None):  # type: ignore[no-untyped-def]
        return await send_and_confirm(producer, settings, topic, value, key=key, headers=list(headers))

    yield send
    await stop_producer(producer, settings)


def consumed_count(group: str, topic: str, outcome: str, handler: str = "TestPing") -> float:
    """`kafka_messages_consumed_total` of one outcome (the subscription's service is its group)."""
    from shared_observability.metrics import REGISTRY

    labels = {"service": group, "topic": topic, "handler": handler, "outcome": outcome}
    return REGISTRY.get_sample_value("kafka_messages_consumed_total", labels) or 0.0


@pytest.fixture
def consumed():  # type: ignore[no-untyped-def]
    return consumed_count
