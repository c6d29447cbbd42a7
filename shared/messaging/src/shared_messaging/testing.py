"""Helpers for tests of code that publishes or consumes (services' integration tests too)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition


async def read_records(
    bootstrap: str,
    topic: str,
    *,
    count: int,
    seconds: float = 20.0,
    settle: float = 0.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Records of `topic` from the beginning (no consumer group), until `count` arrived or
    `seconds` passed; then keep reading `settle` seconds more (to catch unexpected extras)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=10_000
    )
    await asyncio.wait_for(consumer.start(), 15)
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        partitions = await asyncio.wait_for(_partitions(consumer, topic), 15)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while len(records) < count and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        settle_until = loop.time() + settle
        while loop.time() < settle_until:
            batch = await consumer.getmany(timeout_ms=int(min(200.0, settle * 1000)))
            for part in batch.values():
                records.extend(part)
    finally:
        await asyncio.wait_for(consumer.stop(), 10)
    return records


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    while True:
        found = consumer.partitions_for_topic(topic)
        if found:
            return [TopicPartition(topic, partition) for partition in sorted(found)]
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.05)


async def wait_until(
    condition: Callable[[], Any | Awaitable[Any]],
    *,
    seconds: float = 20.0,
    interval: float = 0.05,
    message: str = "condition",
) -> Any:
    """Poll `condition` (sync or async) until it returns something truthy; return that value.

    Raises `TimeoutError` naming `message` after `seconds`.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() >= deadline:
            raise TimeoutError(f"{message} not met within {seconds:g} s")
        await asyncio.sleep(interval)
