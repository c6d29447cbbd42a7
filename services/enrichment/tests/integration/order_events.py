"""Watching orders.order.v1 from "now" for the events of given orders."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared_contracts import topics


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers:
        if key == name and value is not None:
            text: str = value.decode()
            return text
    return None


class OrderEventsWatcher:
    def __init__(self, bootstrap: str) -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.records: list[ConsumerRecord[bytes, bytes]] = []

    async def start(self) -> None:
        await asyncio.wait_for(self._consumer.start(), 15)
        partitions = [
            TopicPartition(topics.ORDERS, partition)
            for partition in sorted(self._consumer.partitions_for_topic(topics.ORDERS) or ())
        ]
        if not partitions:
            await self._consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(topics.ORDERS, partition)
                for partition in sorted(self._consumer.partitions_for_topic(topics.ORDERS) or ())
            ]
        self._consumer.assign(partitions)
        await self._consumer.seek_to_end(*partitions)
        for partition in partitions:  # resolve the lazy seek now, before the test acts
            await self._consumer.position(partition)

    async def stop(self) -> None:
        await asyncio.wait_for(self._consumer.stop(), 10)

    def of_order(self, order_id: str, ce_type: str | None = None) -> list[ConsumerRecord[bytes, bytes]]:
        return [
            record
            for record in self.records
            if record.key == order_id.encode() and (ce_type is None or header(record, "ce_type") == ce_type)
        ]

    async def wait_for(
        self,
        matches: Callable[[OrderEventsWatcher], bool],
        *,
        seconds: float = 30.0,
        settle: float = 0.0,
    ) -> None:
        """Read until `matches(self)` holds (then `settle` seconds more, to catch extras)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not matches(self):
            if loop.time() > deadline:
                raise TimeoutError("expected order events did not arrive")
            await self._read(200)
        settle_until = loop.time() + settle
        while loop.time() < settle_until:
            await self._read(100)

    async def _read(self, timeout_ms: int) -> None:
        batch = await self._consumer.getmany(timeout_ms=timeout_ms)
        for part in batch.values():
            self.records.extend(part)


def value(record: ConsumerRecord[bytes, bytes]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(record.value)
    return data
