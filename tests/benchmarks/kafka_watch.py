"""When outcomes show up on Kafka: orders CONFIRMED (orders.order.v1) and fulfillment orders created
(fulfillment.order.v1), by order id and by x-transaction-id, first time seen (epoch seconds)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer

from shared_contracts import topics
from shared_messaging.testing import wait_until


@dataclass
class Outcomes:
    confirmed: dict[str, float] = field(default_factory=dict)
    """orderId -> when its OrderStatusChanged to CONFIRMED was read."""
    fulfillment_created: dict[str, float] = field(default_factory=dict)
    """x-transaction-id -> when a FulfillmentOrderCreated carrying it was read."""


async def _consume(consumer: AIOKafkaConsumer, outcomes: Outcomes) -> None:
    while True:
        batch = await consumer.getmany(timeout_ms=100)
        now = time.time()
        for records in batch.values():
            for record in records:
                headers = {name: value.decode(errors="replace") for name, value in record.headers}
                kind = headers.get("ce_type", "")
                if kind == "FulfillmentOrderCreated" and (transaction := headers.get("x-transaction-id")):
                    outcomes.fulfillment_created.setdefault(transaction, now)
                elif kind == "OrderStatusChanged" and json.loads(record.value).get("to") == "CONFIRMED":
                    outcomes.confirmed.setdefault((record.key or b"").decode(), now)


async def wait_seen(seen: dict[str, float], keys: Iterable[str], seconds: float) -> None:
    """Until every key was seen, at most `seconds` (what is missing then counts as failed)."""
    wanted = list(keys)
    with contextlib.suppress(TimeoutError):
        await wait_until(lambda: all(key in seen for key in wanted), seconds=seconds, interval=0.1)


@contextlib.asynccontextmanager
async def watching(bootstrap: str) -> AsyncIterator[Outcomes]:
    """Outcomes from now on (the consumer starts at the end of both topics), until the block ends."""
    consumer = AIOKafkaConsumer(
        topics.ORDERS, topics.FULFILLMENT_ORDERS, bootstrap_servers=bootstrap, auto_offset_reset="latest"
    )
    await asyncio.wait_for(consumer.start(), 30)
    outcomes = Outcomes()
    task: asyncio.Task[None] | None = None
    try:
        await wait_until(consumer.assignment, seconds=30, message="partitions assigned")
        for partition in consumer.assignment():
            await consumer.seek_to_end(partition)
        task = asyncio.create_task(_consume(consumer, outcomes))
        yield outcomes
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.wait_for(consumer.stop(), 30)
