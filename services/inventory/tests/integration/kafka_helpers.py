"""Publishing OMS commands as the OMS does (only `ce_type` and the trace/transaction headers) and
following a topic from its current end, so shared topics with old records stay cheap to read."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name and value is not None:
            return value.decode()
    return None


def value(record: ConsumerRecord[bytes, bytes]) -> Any:
    return json.loads(record.value or b"null")


async def publish_command(
    bootstrap: str,
    topic: str,
    ce_type: str,
    body: bytes,
    *,
    key: str,
    transaction_id: str | None = None,
    trace_id: str | None = None,
    ce_id: str | None = None,
) -> None:
    headers = [("ce_type", ce_type.encode()), ("x-trace-id", (trace_id or uuid.uuid4().hex).encode())]
    if transaction_id is not None:
        headers.append(("x-transaction-id", transaction_id.encode()))
    if ce_id is not None:
        headers.append(("ce_id", ce_id.encode()))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await asyncio.wait_for(producer.start(), 15)
    try:
        await asyncio.wait_for(producer.send_and_wait(topic, body, key=key.encode(), headers=headers), 15)
    finally:
        await asyncio.wait_for(producer.stop(), 15)


class TopicTail:
    """Records of a topic written after `following()` started."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer = consumer
        self.records: list[ConsumerRecord[bytes, bytes]] = []

    @classmethod
    @asynccontextmanager
    async def following(cls, bootstrap: str, topic: str) -> AsyncIterator[TopicTail]:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        await asyncio.wait_for(consumer.start(), 15)
        try:
            partitions = consumer.partitions_for_topic(topic)
            while not partitions:
                await consumer._client.force_metadata_update()
                partitions = consumer.partitions_for_topic(topic)
            assigned = [TopicPartition(topic, partition) for partition in sorted(partitions)]
            consumer.assign(assigned)
            await consumer.seek_to_end(*assigned)
            for partition in assigned:  # resolve the end offsets now, before the test acts
                await consumer.position(partition)
            yield cls(consumer)
        finally:
            await asyncio.wait_for(consumer.stop(), 10)

    async def wait_for(
        self,
        predicate: Callable[[ConsumerRecord[bytes, bytes]], bool],
        *,
        count: int = 1,
        seconds: float = 20.0,
        settle: float = 0.0,
    ) -> list[ConsumerRecord[bytes, bytes]]:
        """The matching records once `count` arrived (then `settle` seconds more for extras)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while len([r for r in self.records if predicate(r)]) < count:
            if loop.time() >= deadline:
                found = len([r for r in self.records if predicate(r)])
                raise TimeoutError(f"{found} of {count} expected records within {seconds:g} s")
            await self._poll(200)
        settle_until = loop.time() + settle
        while loop.time() < settle_until:
            await self._poll(100)
        return [record for record in self.records if predicate(record)]

    async def _poll(self, timeout_ms: int) -> None:
        batch = await self._consumer.getmany(timeout_ms=timeout_ms)
        for part in batch.values():
            self.records.extend(part)
